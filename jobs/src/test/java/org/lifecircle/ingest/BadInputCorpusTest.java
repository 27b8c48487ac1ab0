package org.lifecircle.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lifecircle.TestSpark;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.DatasetSource;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;

/**
 * The bad-input corpus: each kind of fault a city's files have been seen to carry, made from a
 * clean four-row source by one edit, with the outcome it must have — quarantined rows under a
 * reason code (and read = accepted + quarantined), or a clean stop with one message. The expected
 * outcomes are written from the contracts (schemas/*.yaml) and the city bounds, not from a run.
 */
class BadInputCorpusTest {
  private static final LocalDate DATE = LocalDate.of(2026, 6, 30);
  private static final CityConfig.Bounds BOUNDS =
      new CityConfig.Bounds(114.20, 30.50, 114.40, 30.70);
  private static final Charset GBK = Charset.forName("GBK");
  private static SparkSession spark;
  private static Path parquetTemplate;

  /** A square footprint of about 19 m x 22 m at (lon, lat), as WKT. */
  static String square(double lon, double lat) {
    double d = 0.0002;
    return String.format(
        "POLYGON ((%s %s, %s %s, %s %s, %s %s, %s %s))",
        lon, lat, lon + d, lat, lon + d, lat + d, lon, lat + d, lon, lat);
  }

  static final String BUILDINGS_HEADER = "building_id,use,floors,year_built,wkt";
  static final List<String> BUILDINGS =
      List.of(
          "B1,residential,6,1995,\"" + square(114.30, 30.60) + "\"",
          "B2,residential,18,2010,\"" + square(114.31, 30.60) + "\"",
          "B3,commercial,3,2001,\"" + square(114.32, 30.60) + "\"",
          "B4,public,2,1988,\"" + square(114.33, 30.60) + "\"");
  static final String FACILITIES_HEADER = "poi_id,type_code,poi_name,lng,lat";
  static final List<String> FACILITIES =
      List.of(
          "F1,kindergarten,阳光幼儿园,114.301,30.601",
          "F2,pharmacy,大药房,114.302,30.602",
          "F3,primary_school,实验小学,114.303,30.603",
          "F4,convenience_store,便利店,114.304,30.604");
  static final String POPULATION_HEADER = "单元编号,类型,p0,p3,p6,p12,p15,p60,p65,p80,wkt";
  static final List<String> POPULATION =
      List.of(
          "C1,cell,1,2,3,1,40,5,6,2,\"" + square(114.30, 30.60) + "\"",
          "C2,cell,2,3,5,2,120,10,12,4,\"" + square(114.31, 30.60) + "\"",
          "C3,cell,0,0,0,0,10,1,1,0,\"" + square(114.32, 30.60) + "\"",
          "C4,cell,3,3,3,3,30,3,3,3,\"" + square(114.33, 30.60) + "\"");

  static String feature(String code, String level, String wktLessRing) {
    return "{\"type\":\"Feature\",\"properties\":{\"code\":\""
        + code
        + "\",\"name\":\"区"
        + code
        + "\",\"level\":\""
        + level
        + "\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
        + wktLessRing
        + "}}";
  }

  static String ring(double lon, double lat, double d) {
    return "[[[" + lon + "," + lat + "],[" + (lon + d) + "," + lat + "],[" + (lon + d) + ","
        + (lat + d) + "],[" + lon + "," + (lat + d) + "],[" + lon + "," + lat + "]]]";
  }

  static final List<String> AREAS =
      List.of(
          feature("990102001", "district", ring(114.25, 30.55, 0.05)),
          feature("990102002", "district", ring(114.30, 30.55, 0.05)),
          feature("990102003", "district", ring(114.25, 30.60, 0.05)),
          feature("990102004", "district", ring(114.30, 30.60, 0.05)));

  static String collection(List<String> features) {
    return "{\"type\":\"FeatureCollection\",\"features\":[\n"
        + String.join(",\n", features)
        + "\n]}";
  }

  /** One corpus entry: the dataset, its source settings and file, and the outcome it must have. */
  record Kind(
      String name,
      String dataset,
      DatasetSource source,
      Writer file,
      Map<String, Long> quarantined,
      String stop,
      long accepted) {
    /** A faulty copy of a clean four-row source: the four clean rows must be accepted. */
    Kind(
        String name,
        String dataset,
        DatasetSource source,
        Writer file,
        Map<String, Long> quarantined,
        String stop) {
      this(name, dataset, source, file, quarantined, stop, 4);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Writes the faulty source file into a folder and returns its path. */
  interface Writer {
    Path write(Path dir) throws IOException;
  }

  static Writer text(String file, Charset cs, String content) {
    return dir -> Files.write(dir.resolve(file), content.getBytes(cs));
  }

  static Writer bytes(String file, byte[] content) {
    return dir -> Files.write(dir.resolve(file), content);
  }

  static String lines(String header, List<String> rows) {
    return header + "\n" + String.join("\n", rows) + "\n";
  }

  static List<String> with(List<String> rows, String extra) {
    List<String> out = new ArrayList<>(rows);
    out.add(extra);
    return out;
  }

  static DatasetSource buildingsCsv() {
    return new DatasetSource(
        "buildings.csv", "csv", "EPSG:4326", null, "wkt", null, null, null, null);
  }

  static DatasetSource facilitiesCsv(String encoding) {
    return new DatasetSource(
        "facilities.csv",
        "csv",
        "EPSG:4326",
        encoding,
        null,
        "lng",
        "lat",
        Map.of("facility_id", "poi_id", "category", "type_code", "name", "poi_name"),
        null);
  }

  static DatasetSource populationCsv(String crs) {
    Map<String, String> cols =
        new TreeMap<>(
            Map.of(
                "unit_id",
                "单元编号",
                "unit_kind",
                "类型",
                "pop_0_2",
                "p0",
                "pop_3_5",
                "p3",
                "pop_6_11",
                "p6",
                "pop_12_14",
                "p12",
                "pop_15_59",
                "p15",
                "pop_60_64",
                "p60",
                "pop_65_79",
                "p65",
                "pop_80_plus",
                "p80"));
    return new DatasetSource("population.csv", "csv", crs, "GBK", "wkt", null, null, cols, null);
  }

  static DatasetSource areas(String file) {
    return new DatasetSource(
        file,
        "geojson",
        "EPSG:4326",
        null,
        null,
        null,
        null,
        Map.of("area_code", "code", "area_name", "name"),
        null);
  }

  static DatasetSource buildingsParquet() {
    return new DatasetSource(
        "buildings.parquet", "geoparquet", "EPSG:4326", null, null, null, null, null, null);
  }

  /** A building row that differs from B1 by one cell, as row 5 of an otherwise clean file. */
  static Kind building(String name, String row5, String reason) {
    return new Kind(
        name,
        "buildings",
        buildingsCsv(),
        text(
            "buildings.csv",
            StandardCharsets.UTF_8,
            lines(BUILDINGS_HEADER, with(BUILDINGS, row5))),
        Map.of(reason, 1L),
        null);
  }

  /** A buildings CSV of {@code rows} under the header, with the rows it must quarantine. */
  static Kind buildingRows(String name, List<String> rows, Map<String, Long> quarantined) {
    return new Kind(
        name,
        "buildings",
        buildingsCsv(),
        text("buildings.csv", StandardCharsets.UTF_8, lines(BUILDINGS_HEADER, rows)),
        quarantined,
        null);
  }

  static Kind buildingStop(String name, String content, String reason) {
    return new Kind(
        name,
        "buildings",
        buildingsCsv(),
        text("buildings.csv", StandardCharsets.UTF_8, content),
        Map.of(),
        reason);
  }

  static Kind facility(String name, String row5, String reason) {
    return new Kind(
        name,
        "facilities",
        facilitiesCsv(null),
        text(
            "facilities.csv",
            StandardCharsets.UTF_8,
            lines(FACILITIES_HEADER, with(FACILITIES, row5))),
        Map.of(reason, 1L),
        null);
  }

  static Stream<Kind> corpus() throws IOException {
    String b5 = "B5,residential,6,1995,\"%s\"";
    String sq = square(114.34, 30.60);
    byte[] gbkName = "F5,pharmacy,".getBytes(StandardCharsets.UTF_8);
    byte[] mixed =
        concat(
            lines(FACILITIES_HEADER, FACILITIES).getBytes(StandardCharsets.UTF_8),
            gbkName,
            "老百姓大药房".getBytes(GBK),
            ",114.305,30.605\n".getBytes(StandardCharsets.UTF_8));
    return Stream.of(
        // ---- broken files
        new Kind(
            "truncated parquet",
            "buildings",
            buildingsParquet(),
            dir -> truncatedCopy(parquetTemplate, dir.resolve("buildings.parquet")),
            Map.of(),
            "Cannot read dataset buildings: file is not readable as geoparquet: file:{path}/part-*.parquet is not a Parquet file. Expected magic number at tail, but found * ({path})"),
        new Kind(
            "invalid JSON (FeatureCollection)",
            "admin_areas",
            areas("areas.geojson"),
            text("areas.geojson", StandardCharsets.UTF_8, collection(AREAS).replace("]}", "]")),
            Map.of(),
            "Cannot read dataset admin_areas: file is not readable as geojson: Unexpected character ('{' (code 123)): was expecting double-quote to start field name ({path})"),
        new Kind(
            "invalid JSON line (GeoJSON sequence)",
            "admin_areas",
            areas("areas.geojsonl"),
            text(
                "areas.geojsonl",
                StandardCharsets.UTF_8,
                String.join("\n", with(AREAS, "{\"type\":\"Feature\",")) + "\n"),
            Map.of(),
            "Cannot read dataset admin_areas: file is not readable as geojson: Unexpected end-of-input within/between Object entries ({path})"),
        buildingStop(
            "wrong delimiter",
            lines(BUILDINGS_HEADER, BUILDINGS).replace(',', ';'),
            "Cannot read dataset buildings: geometry column 'wkt' is missing ({path})"),
        buildingStop(
            "empty file",
            "",
            "Cannot read dataset buildings: geometry column 'wkt' is missing ({path})"),
        buildingStop(
            "header only",
            BUILDINGS_HEADER + "\n",
            "Cannot ingest dataset buildings: it has no rows"),
        new Kind(
            "mixed encodings (a GBK row in a UTF-8 file)",
            "facilities",
            facilitiesCsv(null),
            bytes("facilities.csv", mixed),
            Map.of("BAD_ENCODING", 1L),
            null),
        new Kind(
            "UTF-8 file declared GBK",
            "population",
            populationCsv("EPSG:4326"),
            text("population.csv", StandardCharsets.UTF_8, lines(POPULATION_HEADER, POPULATION)),
            Map.of(),
            "Cannot read dataset population: column '单元编号' is missing ({path})"),
        building(
            "ragged row (more cells than the header)",
            "B5,residential,6,1995,\"" + sq + "\",extra",
            "BAD_RECORD"),
        // ---- schema drift
        buildingStop(
            "missing column",
            lines(
                BUILDINGS_HEADER.replace("use,", ""),
                BUILDINGS.stream().map(r -> r.replaceFirst(",[a-z]+,", ",")).toList()),
            "Cannot read dataset buildings: column 'use' is missing ({path})"),
        new Kind(
            "extra column",
            "buildings",
            buildingsCsv(),
            text(
                "buildings.csv",
                StandardCharsets.UTF_8,
                lines(
                    BUILDINGS_HEADER + ",remark", BUILDINGS.stream().map(r -> r + ",备注").toList())),
            Map.of(),
            null),
        buildingStop(
            "renamed column",
            lines(BUILDINGS_HEADER.replace("floors", "storeys"), BUILDINGS),
            "Cannot read dataset buildings: column 'floors' is missing ({path})"),
        new Kind(
            "reordered columns",
            "buildings",
            buildingsCsv(),
            text(
                "buildings.csv",
                StandardCharsets.UTF_8,
                lines(
                    "wkt,building_id,use,floors,year_built",
                    BUILDINGS.stream()
                        .map(
                            r ->
                                r.substring(r.indexOf('"'))
                                    + ","
                                    + r.substring(0, r.indexOf('"') - 1))
                        .toList())),
            Map.of(),
            null),
        new Kind(
            "retyped column (GeoParquet)",
            "buildings",
            buildingsParquet(),
            dir -> retypedParquet(dir.resolve("buildings.parquet")),
            Map.of(),
            "Cannot read dataset buildings: column 'floors' has type boolean, expected int ({path})"),
        building(
            "retyped value (text in a number column)",
            "B5,residential,six,1995,\"" + sq + "\"",
            "BAD_VALUE"),
        building("fractional integer", "B5,residential,6.5,1995,\"" + sq + "\"", "BAD_VALUE"),
        // ---- geometry faults
        building(
            "self-intersecting polygon (bow tie)",
            String.format(
                b5,
                "POLYGON ((114.34 30.60, 114.3402 30.6002, 114.3402 30.60, 114.34 30.6002, 114.34 30.60))"),
            "INVALID_GEOMETRY"),
        building(
            "unclosed ring",
            String.format(
                b5, "POLYGON ((114.34 30.60, 114.3402 30.60, 114.3402 30.6002, 114.34 30.6002))"),
            "BAD_GEOMETRY"),
        building("empty geometry", String.format(b5, "POLYGON EMPTY"), "EMPTY_GEOMETRY"),
        building("null geometry", "B5,residential,6,1995,", "NULL_GEOMETRY"),
        building(
            "geometry collection",
            String.format(b5, "GEOMETRYCOLLECTION (POINT (114.34 30.6), " + sq + ")"),
            "WRONG_GEOMETRY_TYPE"),
        building(
            "wrong dimension (a point for a footprint)",
            String.format(b5, "POINT (114.34 30.6)"),
            "WRONG_GEOMETRY_TYPE"),
        building(
            "NaN coordinate",
            String.format(
                b5,
                "POLYGON ((114.34 30.60, NaN 30.60, 114.3402 30.6002, 114.34 30.6002, 114.34 30.60))"),
            "BAD_GEOMETRY"),
        facility("Infinity coordinate", "F5,pharmacy,药店,Infinity,30.605", "BAD_GEOMETRY"),
        facility("coordinate not a number", "F5,pharmacy,药店,东经114度,30.605", "BAD_GEOMETRY"),
        facility("lon/lat swapped", "F5,pharmacy,药店,30.605,114.305", "LONLAT_SWAPPED"),
        facility("far outside the city (Beijing)", "F5,pharmacy,药店,116.40,39.90", "OUTSIDE_BOUNDS"),
        building(
            "polygon around the whole world",
            String.format(b5, "POLYGON ((-180 -90, 180 -90, 180 90, -180 90, -180 -90))"),
            "OUTSIDE_BOUNDS"),
        building(
            "absurdly large footprint (the whole city)",
            String.format(
                b5,
                "POLYGON ((114.21 30.51, 114.39 30.51, 114.39 30.69, 114.21 30.69, 114.21 30.51))"),
            "ABSURD_SIZE"),
        // ---- attribute faults
        building("duplicate id", "B1,residential,6,1995,\"" + sq + "\"", "DUPLICATE_ID"),
        building("null in a required field", "B5,,6,1995,\"" + sq + "\"", "NULL_REQUIRED"),
        building("unknown code", "B5,castle,6,1995,\"" + sq + "\"", "UNKNOWN_CODE"),
        facility("unknown facility category", "F5,K12,未知,114.305,30.605", "UNKNOWN_CODE"),
        building("absurd value", "B5,residential,999,1995,\"" + sq + "\"", "OUT_OF_RANGE"),
        building("future date", "B5,residential,6,2090,\"" + sq + "\"", "FUTURE_DATE"),
        new Kind(
            "negative count",
            "population",
            populationCsv("EPSG:4326"),
            text(
                "population.csv",
                GBK,
                lines(
                    POPULATION_HEADER,
                    with(POPULATION, "C5,cell,1,1,-4,1,1,1,1,1,\"" + sq + "\""))),
            Map.of("OUT_OF_RANGE", 1L),
            null),
        // ---- rules for Chinese cities' real inputs (issue: real cities give right answers)
        new Kind(
            "quoted line break in a field (one record)",
            "facilities",
            facilitiesCsv(null),
            text(
                "facilities.csv",
                StandardCharsets.UTF_8,
                lines(
                    FACILITIES_HEADER,
                    with(FACILITIES, "F5,pharmacy,\"老百姓大药房\n(二号店)\",114.305,30.605"))),
            Map.of(),
            null,
            5),
        building(
            "collinear footprint (zero area)",
            String.format(
                b5, "POLYGON ((114.34 30.60, 114.3401 30.60, 114.3402 30.60, 114.34 30.60))"),
            "ABSURD_SIZE"),
        building(
            "spike footprint (out and back, zero area)",
            String.format(
                b5, "POLYGON ((114.34 30.60, 114.3401 30.60, 114.34 30.60, 114.34 30.60))"),
            "ABSURD_SIZE"),
        building(
            "footprint under 1 m2",
            String.format(
                b5,
                "POLYGON ((114.34 30.60, 114.340005 30.60, 114.340005 30.600005, 114.34 30.600005,"
                    + " 114.34 30.60))"),
            "ABSURD_SIZE"),
        new Kind(
            "a building from 1778 (heritage is kept)",
            "buildings",
            buildingsCsv(),
            text(
                "buildings.csv",
                StandardCharsets.UTF_8,
                lines(BUILDINGS_HEADER, with(BUILDINGS, "B5,public,2,1778,\"" + sq + "\""))),
            Map.of(),
            null,
            5),
        new Kind(
            "GeoJSON crs member contradicting the config",
            "admin_areas",
            areas("areas.geojson"),
            text(
                "areas.geojson",
                StandardCharsets.UTF_8,
                collection(AREAS)
                    .replace(
                        "\"features\"",
                        "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::4547\"}},"
                            + "\"features\"")),
            Map.of(),
            "Cannot read dataset admin_areas: the file's crs member says EPSG:4547 but the city config"
                + " says EPSG:4326 ({path})"),
        new Kind(
            "GeoJSON crs member agreeing (CRS84)",
            "admin_areas",
            areas("areas.geojson"),
            text(
                "areas.geojson",
                StandardCharsets.UTF_8,
                collection(AREAS)
                    .replace(
                        "\"features\"",
                        "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:OGC:1.3:CRS84\"}},"
                            + "\"features\"")),
            Map.of(),
            null),
        // ---- wrong declared CRS: metres (EPSG:4547) declared as lon/lat
        new Kind(
            "wrong declared CRS",
            "population",
            populationCsv("EPSG:4326"),
            text(
                "population.csv",
                GBK,
                lines(
                    POPULATION_HEADER,
                    POPULATION.stream()
                        .map(
                            r ->
                                r.replaceAll("114\\.3(\\d*)", "5290$1")
                                    .replaceAll("30\\.6(\\d*)", "33870$1"))
                        .toList())),
            Map.of(),
            "Cannot ingest dataset population: quarantine share 100.00% exceeds the limit"
                + " 50.00% (4 of 4 rows; the first: Cannot accept row 1 of dataset population: *)"));
  }

  @BeforeAll
  static void writeParquetTemplate() {
    spark = TestSpark.session();
    parquetTemplate = TestSpark.tempDir("corpus-template").resolve("buildings.parquet");
    spark
        .sql(
            "SELECT id, CAST(id AS STRING) AS building_id, 'residential' AS use, 6 AS floors,"
                + " ST_GeomFromWKT(concat('POLYGON ((114.3 30.6, 114.3002 30.6, 114.3002 30.6002,"
                + " 114.3 30.6002, 114.3 30.6))')) AS geometry FROM range(200)")
        .coalesce(1)
        .write()
        .format("geoparquet")
        .save(parquetTemplate.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void eachKindHasItsDefinedOutcome(Kind kind) throws IOException {
    Path dir = TestSpark.tempDir("corpus");
    if (kind.stop() != null) {
      String file = kind.source().path();
      String expected = kind.stop().replace("{path}", dir.resolve(file).toString());
      // '*' stands for what a library puts in (a part-file name, a byte dump): one per mark.
      String pattern =
          Arrays.stream(expected.split("\\*", -1))
              .map(Pattern::quote)
              .collect(Collectors.joining(".*"));
      assertThatThrownBy(() -> check(kind, dir))
          .isInstanceOf(PipelineException.class)
          .satisfies(e -> assertThat(e.getMessage()).matches("(?s)" + pattern));
      assertThat(Files.exists(dir.resolve("warehouse"))).as("nothing written").isFalse();
      return;
    }
    IngestStage.Checked c = check(kind, dir);
    try {
      Map<String, Long> reasons = new TreeMap<>();
      for (Row r :
          c.rows().where("__reason IS NOT NULL").groupBy("__reason").count().collectAsList()) {
        reasons.put(r.getString(0), r.getLong(1));
      }
      assertThat(reasons).isEqualTo(new TreeMap<>(kind.quarantined()));
      long bad = kind.quarantined().values().stream().mapToLong(Long::longValue).sum();
      assertThat(c.counts().quarantined()).isEqualTo(bad);
      assertThat(c.counts().read()).isEqualTo(c.counts().accepted() + c.counts().quarantined());
      assertThat(c.counts().accepted()).as("the clean rows").isEqualTo(kind.accepted());
      // A duplicate id quarantines the later row; the row first seen with the id is accepted.
      for (Row dup :
          c.rows()
              .where("__reason = 'DUPLICATE_ID'")
              .selectExpr(c.contract().key().get(0), "source_row")
              .collectAsList()) {
        Row winner =
            c.rows()
                .where("__reason IS NULL")
                .where(c.rows().col(c.contract().key().get(0)).equalTo(dup.get(0)))
                .select("source_row")
                .first();
        assertThat(winner.getLong(0))
            .as("row first seen with %s", dup.get(0))
            .isLessThan(dup.getLong(1));
      }
    } finally {
      c.held().unpersist();
    }
  }

  /** Writes the kind's file and validates it as the ingest would, within the source limit. */
  static IngestStage.Checked check(Kind kind, Path dir) {
    try {
      kind.file().write(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, DatasetSource> datasets =
        new LinkedHashMap<>(
            Map.of(
                "admin_areas",
                areas("areas.geojson"),
                "buildings",
                buildingsCsv(),
                "population",
                populationCsv("EPSG:4326"),
                "facilities",
                facilitiesCsv(null)));
    datasets.put(kind.dataset(), kind.source());
    CityConfig city =
        new CityConfig(
            "990102",
            "坏数据测试市",
            "EPSG:4547",
            BOUNDS,
            datasets,
            null,
            new CityConfig.Limits(0.5, null, null, null, null, null),
            null,
            dir);
    RunContext ctx = new RunContext("corpus", city, DATE, dir.resolve("warehouse"));
    IngestStage.Checked c =
        IngestStage.check(
            spark, ctx, kind.dataset(), kind.source(), ctx.catalogs().facilities().codes());
    IngestStage.requireWithinLimits(c, city.limits().maxQuarantineShare());
    return c;
  }

  /** The checked rows as "source_row key: name or message", in source order. */
  static List<String> rowsOf(IngestStage.Checked c, String key, String text) {
    try {
      return c.rows().orderBy("source_row").collectAsList().stream()
          .map(
              r ->
                  r.getAs("source_row")
                      + " "
                      + r.getAs(key)
                      + ": "
                      + (r.getAs("__reason") == null
                          ? r.getAs(text)
                          : r.getAs("__reason") + " " + r.getAs("__message")))
          .toList();
    } finally {
      c.held().unpersist();
    }
  }

  /**
   * The four clean facilities with F5, whose name holds a line break, as record {@code at}
   * (0-based) of a file in {@code encoding} whose records end with {@code eol}: the checked rows.
   */
  static List<String> withQuotedLineBreak(int at, String encoding, String eol) {
    List<String> rows = new ArrayList<>(FACILITIES);
    rows.add(at, "F5,pharmacy,\"老百姓大药房\n(二号店)\",114.305,30.605");
    Charset cs = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
    Kind kind =
        new Kind(
            "quoted line break",
            "facilities",
            facilitiesCsv(encoding),
            text("facilities.csv", cs, FACILITIES_HEADER + eol + String.join(eol, rows) + eol),
            Map.of(),
            null);
    return rowsOf(check(kind, TestSpark.tempDir("corpus-multiline")), "facility_id", "name");
  }

  @Test
  void aQuotedLineBreakIsOneRecordAndTheRowsAfterItKeepTheirNumbers() {
    // The rows after it are records 3 to 5 (not file lines 4 to 6); the name keeps its break.
    assertThat(withQuotedLineBreak(1, null, "\n"))
        .containsExactly(
            "1 F1: 阳光幼儿园", "2 F5: 老百姓大药房\n(二号店)", "3 F2: 大药房", "4 F3: 实验小学", "5 F4: 便利店");
  }

  @Test
  void aGbkFileWithWindowsLineEndsAndAQuotedLineBreakKeepsItsTextAndNumbers() {
    // As a spreadsheet exports it: GBK, CRLF between records, a bare LF inside a quoted name.
    assertThat(withQuotedLineBreak(0, "GBK", "\r\n"))
        .containsExactly(
            "1 F5: 老百姓大药房\n(二号店)", "2 F1: 阳光幼儿园", "3 F2: 大药房", "4 F3: 实验小学", "5 F4: 便利店");
  }

  /**
   * A quarantined row keeps its source record as text: a CSV row's cells, a GeoJSON feature's
   * geometry and properties, a GeoParquet row's values with the geometry as WKT; a duplicate id's
   * later row too, although validation accepted it. The expected records are the fixtures' own
   * cells, written out by hand.
   */
  @Test
  void quarantinedRowsKeepTheirSourceRecord() throws IOException {
    String dupWkt =
        "POLYGON ((114.35 30.6, 114.3502 30.6, 114.3502 30.6002, 114.35 30.6002, 114.35 30.6))";
    List<String> csvRows = new ArrayList<>(BUILDINGS);
    csvRows.add("B1,residential,7,1996,\"" + dupWkt + "\"");
    csvRows.add("B6,castle,5,1990,\"" + dupWkt + "\"");
    Kind csv = buildingRows("csv", csvRows, Map.of("DUPLICATE_ID", 1L, "UNKNOWN_CODE", 1L));
    assertThat(rawRecords(check(csv, TestSpark.tempDir("raw-csv"))))
        .containsExactly(
            "{\"building_id\":\"B1\",\"use\":\"residential\",\"floors\":\"7\",\"year_built\":"
                + "\"1996\",\"wkt\":\""
                + dupWkt
                + "\"}",
            "{\"building_id\":\"B6\",\"use\":\"castle\",\"floors\":\"5\",\"year_built\":\"1990\","
                + "\"wkt\":\""
                + dupWkt
                + "\"}");

    String geometry =
        "{\"type\":\"Polygon\",\"coordinates\":[[[114.3,30.65],[114.31,30.65],"
            + "[114.31,30.66],[114.3,30.65]]]}";
    List<String> areas = new ArrayList<>(AREAS);
    areas.add(
        "{\"type\":\"Feature\",\"id\":\"a5\",\"properties\":{\"code\":\"990102005\","
            + "\"name\":\"城堡\",\"level\":\"castle\"},\"geometry\":"
            + geometry
            + "}");
    Kind geojson =
        new Kind(
            "geojson",
            "admin_areas",
            areas("areas.geojson"),
            text("areas.geojson", StandardCharsets.UTF_8, collection(areas)),
            Map.of("UNKNOWN_CODE", 1L),
            null);
    List<String> raw = rawRecords(check(geojson, TestSpark.tempDir("raw-geojson")));
    assertThat(raw).hasSize(1);
    ObjectMapper json = new ObjectMapper();
    JsonNode record = json.readTree(raw.get(0));
    assertThat(record.get("id").asText()).isEqualTo("a5");
    assertThat(json.readTree(record.get("geometry").asText())).isEqualTo(json.readTree(geometry));
    assertThat(record.get("properties"))
        .isEqualTo(json.readTree("{\"code\":\"990102005\",\"name\":\"城堡\",\"level\":\"castle\"}"));

    String outside =
        "POLYGON ((116.4 39.9, 116.4002 39.9, 116.4002 39.9002, 116.4 39.9002, 116.4 39.9))";
    Kind parquet =
        new Kind(
            "geoparquet",
            "buildings",
            buildingsParquet(),
            dir -> {
              Path target = dir.resolve("buildings.parquet");
              spark
                  .sql(
                      "SELECT concat('B', id) AS building_id, 'residential' AS use,"
                          + " CAST(id AS INT) AS floors, ST_GeomFromWKT(CASE WHEN id = 5 THEN '"
                          + outside
                          + "' ELSE '"
                          + square(114.30, 30.60)
                          + "' END) AS geometry FROM range(1, 6)")
                  .coalesce(1)
                  .write()
                  .format("geoparquet")
                  .save(target.toString());
              return target;
            },
            Map.of("OUTSIDE_BOUNDS", 1L),
            null);
    assertThat(rawRecords(check(parquet, TestSpark.tempDir("raw-parquet"))))
        .containsExactly(
            "{\"building_id\":\"B5\",\"use\":\"residential\",\"floors\":5,\"geometry\":\""
                + outside
                + "\"}");
  }

  /** The quarantined rows' source records as the quarantine table gets them, in source order. */
  static List<String> rawRecords(IngestStage.Checked c) {
    try {
      assertThat(c.rows().where("__reason IS NULL AND __raw IS NOT NULL").count())
          .as("accepted rows carry no source record")
          .isZero();
      return c.rejected().orderBy("source_row").select("__raw").collectAsList().stream()
          .map(r -> r.getString(0))
          .toList();
    } finally {
      c.held().unpersist();
    }
  }

  @Test
  void footprintsUnderOneSquareMetreNameRowColumnAndArea() {
    List<String> rows = new ArrayList<>(BUILDINGS);
    rows.add(
        "B5,residential,6,1995,\"POLYGON ((114.34 30.60, 114.3401 30.60, 114.3402 30.60,"
            + " 114.34 30.60))\"");
    rows.add(
        "B6,residential,6,1995,\"POLYGON ((114.34 30.60, 114.3401 30.60, 114.34 30.60,"
            + " 114.34 30.60))\"");
    rows.add(
        "B7,residential,6,1995,\"POLYGON ((114.34 30.60, 114.340005 30.60, 114.340005"
            + " 30.600005, 114.34 30.600005, 114.34 30.60))\"");
    Kind kind = buildingRows("small footprints", rows, Map.of("ABSURD_SIZE", 3L));
    assertThat(rowsOf(check(kind, TestSpark.tempDir("corpus-small")), "building_id", "use"))
        .endsWith(
            "5 B5: ABSURD_SIZE Cannot accept row 5 of dataset buildings: column 'geometry' area is"
                + " below 1.0 m2 (0.000)",
            "6 B6: ABSURD_SIZE Cannot accept row 6 of dataset buildings: column 'geometry' area is"
                + " below 1.0 m2 (0.000)",
            "7 B7: ABSURD_SIZE Cannot accept row 7 of dataset buildings: column 'geometry' area is"
                + " below 1.0 m2 (0.266)");
  }

  static Path truncatedCopy(Path parquetDir, Path target) throws IOException {
    Files.createDirectories(target);
    try (Stream<Path> s = Files.list(parquetDir)) {
      for (Path f : s.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList()) {
        byte[] all = Files.readAllBytes(f);
        Files.write(target.resolve(f.getFileName()), Arrays.copyOf(all, all.length / 2));
      }
    }
    return target;
  }

  static Path retypedParquet(Path target) {
    spark
        .sql(
            "SELECT 'B1' AS building_id, 'residential' AS use, true AS floors,"
                + " ST_GeomFromWKT('"
                + square(114.30, 30.60)
                + "') AS geometry")
        .write()
        .format("geoparquet")
        .save(target.toString());
    return target;
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
