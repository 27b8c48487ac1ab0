package org.lifecircle.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.SilverRows;
import org.lifecircle.TestSpark;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageResult;
import org.lifecircle.io.RunLog;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.proj4j.CRSFactory;
import org.locationtech.proj4j.CoordinateTransformFactory;
import org.locationtech.proj4j.ProjCoordinate;

/**
 * Each export format is ONE file that a reader other than Spark opens: the Parquet footer (parquet
 * -mr) with GeoParquet 1.1 metadata and its bbox covering, a FeatureCollection (Jackson), a
 * GeoPackage (SQLite: header pragmas, required tables, GP binary geometries). Coordinates are
 * checked against proj4j's own EPSG:4547 -> WGS84 transform of the community corners.
 *
 * <p>Two communities in EPSG:4547 near (528,000, 3,385,000): C1 [0, 1000] x [0, 1000] m and C2
 * [1000, 2000] x [0, 1000] m from there; three coverage_gaps rows (C1 twice, C2 once); one
 * gap_fill_candidates row whose site is the point (1500, 500) in C2.
 */
class ExporterIT {
  private static final double X0 = 528_000;
  private static final double Y0 = 3_385_000;
  private static SparkSession spark;
  private static RunContext ctx;
  private static Path out;

  @BeforeAll
  static void warehouse() {
    spark = TestSpark.session();
    CityConfig city = CityConfig.load(Path.of("src/test/resources/ingest/city.yaml"));
    Path dir = TestSpark.tempDir("export");
    ctx = new RunContext("export-test", city, LocalDate.of(2026, 6, 30), dir.resolve("warehouse"));
    out = dir.resolve("exports");
    SilverRows.write(
        spark,
        ctx,
        "admin_areas",
        List.of(
            area("C1", SilverRows.box(X0, Y0, X0 + 1000, Y0 + 1000)),
            area("C2", SilverRows.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000))));
    SilverRows.write(
        spark,
        ctx,
        "coverage_gaps",
        List.of(
            gap("C1", "health_station", 1),
            gap("C1", "kindergarten", 2),
            gap("C2", "health_station", 3)));
    Map<String, Object> pick = new HashMap<>();
    pick.putAll(
        Map.of(
            "category",
            "health_station",
            "rank",
            1,
            "asset_id",
            "B:a1",
            "kind",
            "building",
            "community_code",
            "C2",
            "reason_codes",
            "VACANT_BUILDING",
            "newly_covered_target_residents",
            10L,
            "newly_covered_buildings",
            1,
            "cumulative_covered",
            10L,
            "remaining_uncovered",
            0L));
    pick.putAll(
        Map.of(
            "threshold_m",
            300.0,
            "distance_basis",
            "straight_line",
            "protected_heritage",
            false,
            "in_historic_district",
            false,
            "dangerous",
            false,
            "old_compound",
            false,
            "usable_area_m2",
            800.0,
            "usable_area_kind",
            "floor",
            "site",
            SilverRows.point(X0 + 1500, Y0 + 500)));
    SilverRows.write(spark, ctx, "gap_fill_candidates", List.of(pick));
    for (String format : List.of("geoparquet", "geojson", "gpkg")) {
      Exporter.export(spark, ctx, "coverage_gaps", "coverage", format, out);
    }
    Exporter.export(spark, ctx, "gap_fill_candidates", "recommend", "gpkg", out);
  }

  @Test
  void everyFormatCreatesTheFolderItWritesInto() {
    // A fresh clone has no exports/ folder; the README's example export is a GeoPackage.
    for (String format : List.of("gpkg", "geojson", "geoparquet")) {
      Path fresh = out.resolveSibling("fresh-" + format).resolve("exports");
      assertThat(Exporter.export(spark, ctx, "coverage_gaps", "coverage", format, fresh))
          .isRegularFile()
          .hasParent(fresh);
    }
  }

  @Test
  void eachFormatIsOneFileAndNothingElseIsLeftBeside() throws Exception {
    List<String> names;
    try (Stream<Path> s = Files.list(out)) {
      names = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(names)
        .containsExactly(
            "coverage_gaps_990102_2026-06-30.geojson",
            "coverage_gaps_990102_2026-06-30.gpkg",
            "coverage_gaps_990102_2026-06-30.parquet",
            "gap_fill_candidates_990102_2026-06-30.gpkg");
    for (String n : names) {
      assertThat(out.resolve(n)).isRegularFile();
    }
  }

  @Test
  void geoParquetCarriesVersionCrsAndTheBboxCovering() throws Exception {
    Path file = out.resolve("coverage_gaps_990102_2026-06-30.parquet");
    Map<String, String> kv;
    long rows;
    try (ParquetFileReader r =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                // fqn: Hadoop's Path, beside the java.nio.file.Path the test uses throughout
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
      kv = r.getFooter().getFileMetaData().getKeyValueMetaData();
      rows = r.getRecordCount();
    }
    assertThat(rows).isEqualTo(3);
    JsonNode geo = new ObjectMapper().readTree(kv.get("geo"));
    assertThat(geo.path("version").asText()).isEqualTo("1.1.0");
    assertThat(geo.path("primary_column").asText()).isEqualTo("geometry");
    JsonNode column = geo.path("columns").path("geometry");
    assertThat(column.path("crs").path("id").path("code").asText()).isEqualTo("CRS84");
    JsonNode bbox = column.path("covering").path("bbox");
    assertThat(bbox.path("xmin").toString()).isEqualTo("[\"bbox\",\"xmin\"]");
    assertThat(bbox.path("ymax").toString()).isEqualTo("[\"bbox\",\"ymax\"]");
    double[] c1 = lonLat(X0, Y0);
    double[] c2 = lonLat(X0 + 2000, Y0 + 1000);
    JsonNode total = column.path("bbox");
    assertThat(total.get(0).asDouble()).isCloseTo(c1[0], within(1e-3));
    assertThat(total.get(3).asDouble()).isCloseTo(c2[1], within(1e-3));
  }

  @Test
  void geoJsonIsOneFeatureCollectionInLonLat() throws Exception {
    JsonNode fc =
        new ObjectMapper()
            .readTree(out.resolve("coverage_gaps_990102_2026-06-30.geojson").toFile());
    assertThat(fc.path("type").asText()).isEqualTo("FeatureCollection");
    assertThat(fc.path("features")).hasSize(3);
    double[] corner = lonLat(X0 + 1000, Y0 + 1000);
    boolean found = false;
    for (JsonNode f : fc.path("features")) {
      assertThat(f.path("type").asText()).isEqualTo("Feature");
      assertThat(f.path("geometry").path("type").asText()).isEqualTo("Polygon");
      if ("C2".equals(f.path("properties").path("community_code").asText())) {
        for (JsonNode p : f.path("geometry").path("coordinates").get(0)) {
          found |=
              Math.abs(p.get(0).asDouble() - corner[0]) < 1e-7
                  && Math.abs(p.get(1).asDouble() - corner[1]) < 1e-7;
        }
      }
    }
    assertThat(found)
        .as("C2's corner (1000, 1000) at proj4j's %s", Arrays.toString(corner))
        .isTrue();
  }

  @Test
  void geoPackageHasTheRequiredTablesAndGeoPackageBinaryGeometries() throws Exception {
    Path file = out.resolve("coverage_gaps_990102_2026-06-30.gpkg");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      assertThat(one(s, "PRAGMA application_id")).isEqualTo(0x47504B47L);
      assertThat(one(s, "PRAGMA user_version")).isEqualTo(10300L);
      assertThat(one(s, "SELECT count(*) FROM gpkg_spatial_ref_sys WHERE srs_id IN (-1, 0, 4326)"))
          .isEqualTo(3L);
      try (ResultSet r =
          s.executeQuery(
              "SELECT data_type, srs_id, min_x, max_y FROM gpkg_contents"
                  + " WHERE table_name = 'coverage_gaps'")) {
        assertThat(r.next()).isTrue();
        assertThat(r.getString(1)).isEqualTo("features");
        assertThat(r.getInt(2)).isEqualTo(4326);
        assertThat(r.getDouble(3)).isCloseTo(lonLat(X0, Y0)[0], within(1e-3));
        assertThat(r.getDouble(4)).isCloseTo(lonLat(X0 + 2000, Y0 + 1000)[1], within(1e-3));
      }
      try (ResultSet r =
          s.executeQuery(
              "SELECT column_name, geometry_type_name, srs_id"
                  + " FROM gpkg_geometry_columns WHERE table_name = 'coverage_gaps'")) {
        assertThat(r.next()).isTrue();
        assertThat(r.getString(1) + " " + r.getString(2) + " " + r.getInt(3))
            .isEqualTo("geom POLYGON 4326");
      }
      List<String> got = new ArrayList<>();
      try (ResultSet r =
          s.executeQuery(
              "SELECT fid, community_code, category, geom FROM coverage_gaps ORDER BY fid")) {
        while (r.next()) {
          Geometry g = fromGpkg(r.getBytes(4));
          assertThat(g.getGeometryType()).isEqualTo("Polygon");
          got.add(r.getLong(1) + " " + r.getString(2) + " " + r.getString(3));
        }
      }
      assertThat(got).hasSize(3).allMatch(l -> l.matches("[123] C[12] \\w+"));
    }
  }

  @Test
  void gapFillCandidatesAreDrawnByTheirSitePoints() throws Exception {
    Path file = out.resolve("gap_fill_candidates_990102_2026-06-30.gpkg");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT geom, usable_area_m2, usable_area_kind FROM gap_fill_candidates")) {
      assertThat(r.next()).isTrue();
      Geometry g = fromGpkg(r.getBytes(1));
      double[] site = lonLat(X0 + 1500, Y0 + 500);
      assertThat(g.getGeometryType()).isEqualTo("Point");
      assertThat(g.getCoordinate().x).isCloseTo(site[0], within(1e-9));
      assertThat(g.getCoordinate().y).isCloseTo(site[1], within(1e-9));
      assertThat(r.getDouble(2) + " " + r.getString(3)).isEqualTo("800.0 floor");
      assertThat(r.next()).isFalse();
    }
  }

  @Test
  void anUnknownFormatIsRefusedByName() {
    assertThat(
            catchThrowable(
                () -> Exporter.export(spark, ctx, "coverage_gaps", "coverage", "shapefile", out)))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot export table coverage_gaps: format must be geoparquet, geojson or gpkg"
                + " (shapefile)");
  }

  /**
   * A date whose recommend stage found nothing (Helsinki has no idle asset): each format is a valid
   * empty layer. The same empty snapshot before the stage ran for that date is refused, naming it.
   */
  @Test
  void anEmptySnapshotIsAnEmptyLayerOnlyOnceItsStageRan() throws Exception {
    RunContext later =
        new RunContext("export-empty", ctx.city(), LocalDate.of(2026, 7, 1), ctx.warehouse());
    Path empty = out.resolveSibling("exports-empty");
    assertThat(
            catchThrowable(
                () ->
                    Exporter.export(
                        spark, later, "gap_fill_candidates", "recommend", "geojson", empty)))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot export table gap_fill_candidates: it has no rows for city 990102 on"
                + " 2026-07-01 and stage recommend has not run for that date; run it first ("
                + later.tablePath("gap_fill_candidates")
                + ")");
    Instant now = Instant.now();
    RunLog.succeeded(
        spark,
        later,
        "recommend",
        now,
        now,
        new StageResult(0, 0, 0, Map.of(), List.of(), Map.of(), List.of()),
        "{}");
    Path geojson =
        Exporter.export(spark, later, "gap_fill_candidates", "recommend", "geojson", empty);
    JsonNode collection = new ObjectMapper().readTree(geojson.toFile());
    assertThat(collection.get("type").asText()).isEqualTo("FeatureCollection");
    assertThat(collection.get("features")).isEmpty();
    Path gpkg = Exporter.export(spark, later, "gap_fill_candidates", "recommend", "gpkg", empty);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gpkg);
        Statement st = c.createStatement()) {
      assertThat(one(st, "SELECT count(*) FROM gap_fill_candidates")).isZero();
      assertThat(
              one(
                  st,
                  "SELECT count(*) FROM gpkg_geometry_columns"
                      + " WHERE table_name = 'gap_fill_candidates'"))
          .isEqualTo(1L);
    }
    Path parquet =
        Exporter.export(spark, later, "gap_fill_candidates", "recommend", "geoparquet", empty);
    try (ParquetFileReader r =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                // fqn: Hadoop's Path, beside the java.nio.file.Path the test uses throughout
                new org.apache.hadoop.fs.Path(parquet.toUri()), new Configuration()))) {
      assertThat(r.getRecordCount()).isZero();
      assertThat(r.getFileMetaData().getKeyValueMetaData()).containsKey("geo");
    }
    try (Stream<Path> files = Files.list(empty)) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted().toList())
          .containsExactly(
              "gap_fill_candidates_990102_2026-07-01.geojson",
              "gap_fill_candidates_990102_2026-07-01.gpkg",
              "gap_fill_candidates_990102_2026-07-01.parquet");
    }
  }

  /**
   * A GeoPackage binary geometry read by the spec: 'GP', version 0, flags (envelope code, byte
   * order), srs_id, envelope, WKB; the header's envelope must be the geometry's.
   */
  private static Geometry fromGpkg(byte[] b) throws Exception {
    assertThat(new String(b, 0, 2, StandardCharsets.US_ASCII)).isEqualTo("GP");
    assertThat(b[2]).isEqualTo((byte) 0);
    int flags = b[3];
    ByteBuffer buf =
        ByteBuffer.wrap(b).order((flags & 1) == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    assertThat(buf.getInt(4)).isEqualTo(4326);
    int envelope = (flags >> 1) & 0b111;
    assertThat(envelope).isEqualTo(1);
    Envelope header =
        new Envelope(buf.getDouble(8), buf.getDouble(16), buf.getDouble(24), buf.getDouble(32));
    Geometry g = new WKBReader().read(Arrays.copyOfRange(b, 40, b.length));
    assertThat(header).isEqualTo(g.getEnvelopeInternal());
    return g;
  }

  private static long one(Statement s, String sql) throws Exception {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** proj4j's own EPSG:4547 to WGS84, the oracle for the exported coordinates. */
  private static double[] lonLat(double x, double y) {
    CRSFactory f = new CRSFactory();
    ProjCoordinate p = new ProjCoordinate();
    new CoordinateTransformFactory()
        .createTransform(f.createFromName("EPSG:4547"), f.createFromName("EPSG:4326"))
        .transform(new ProjCoordinate(x, y), p);
    return new double[] {p.x, p.y};
  }

  private static Map<String, Object> area(String code, Geometry g) {
    return new HashMap<>(
        Map.of(
            "source_row",
            1L,
            "area_code",
            code,
            "level",
            "community",
            "parent_code",
            "S1",
            "geometry",
            g));
  }

  /** A distance gap of 100 uncovered residents (coverage_gaps' required columns). */
  private static Map<String, Object> gap(String community, String category, int rank) {
    return new HashMap<>(
        Map.of(
            "community_code",
            community,
            "category",
            category,
            "rank",
            rank,
            "gap_kind",
            "distance",
            "target_residents",
            100L,
            "target_residents_uncovered",
            100L,
            "threshold_m",
            300.0,
            "severity",
            100.0,
            "distance_basis",
            "straight_line"));
  }
}
