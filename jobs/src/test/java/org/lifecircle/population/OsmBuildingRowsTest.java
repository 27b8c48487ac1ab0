package org.lifecircle.population;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.lifecircle.catalog.OsmTags;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.Contract;
import org.lifecircle.common.CrsTransform;
import org.lifecircle.common.DatasetSource;
import org.lifecircle.common.Yaml;
import org.lifecircle.ingest.RecordValidator;
import org.lifecircle.io.SourceReader;
import org.lifecircle.io.Tables;
import org.lifecircle.osm.OsmReader;
import org.lifecircle.osm.PbfWriter;
import org.lifecircle.osm.PbfWriter.Node;
import org.lifecircle.osm.PbfWriter.Way;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.WKBReader;

/**
 * OSM buildings from a hand-written .osm.pbf to the silver rows the ingest accepts (OsmReader, then
 * the ingest's RecordValidator) and the origins the population stage takes from them. Two 38 m x 44
 * m apartment blocks: w10 with two entrance nodes, n9 on its south wall (second in the way, after
 * the corner n1) and n5 on its east wall (later in the way, lower id); w11 with none, a historic
 * building from 1778. The expectations are the elements the test wrote.
 */
class OsmBuildingRowsTest {
  private static final String METRIC = "EPSG:4547";
  private static final Node ENTRANCE = new Node(9, 114.3002, 30.6000, Map.of("entrance", "main"));
  private static SparkSession spark;
  private static Dataset<Row> silver;

  @BeforeAll
  static void readTheExtract() throws Exception {
    spark = TestSpark.session();
    List<Node> nodes =
        List.of(
            new Node(1, 114.3000, 30.6000, Map.of()),
            new Node(2, 114.3004, 30.6000, Map.of()),
            new Node(3, 114.3004, 30.6004, Map.of()),
            new Node(4, 114.3000, 30.6004, Map.of()),
            new Node(5, 114.3004, 30.6002, Map.of("entrance", "service")),
            ENTRANCE,
            new Node(11, 114.3010, 30.6000, Map.of()),
            new Node(12, 114.3014, 30.6000, Map.of()),
            new Node(13, 114.3014, 30.6004, Map.of()),
            new Node(14, 114.3010, 30.6004, Map.of()));
    Path dir = TestSpark.tempDir("osm-buildings");
    Path pbf = dir.resolve("buildings.osm.pbf");
    try (OutputStream f = Files.newOutputStream(pbf);
        PbfWriter w = new PbfWriter(f)) {
      w.block(nodes, List.of(), List.of(), List.of());
      w.block(
          List.of(),
          List.of(),
          List.of(
              new Way(10, new long[] {1, 9, 2, 5, 3, 4, 1}, Map.of("building", "apartments")),
              new Way(
                  11,
                  new long[] {11, 12, 13, 14, 11},
                  Map.of("building", "apartments", "historic", "building", "start_date", "1778"))),
          List.of());
    }
    silver = silverRows(dir, pbf);
  }

  @Test
  void theFirstEntranceNodeOfABuildingIsItsOriginAndWithoutOneTheInteriorPoint() throws Exception {
    Map<String, Geometry> origins = new TreeMap<>();
    for (Row r :
        PopulationStage.residentialOrigins(silver.where("__reason IS NULL"))
            .selectExpr("building_id", "ST_AsBinary(origin)")
            .collectAsList()) {
      origins.put(r.getString(0), new WKBReader().read((byte[]) r.get(1)));
    }
    CrsTransform toMetric = new CrsTransform("EPSG:4326", METRIC);
    GeometryFactory gf = new GeometryFactory();
    Geometry expected =
        toMetric.toMetric(gf.createPoint(new Coordinate(ENTRANCE.lon(), ENTRANCE.lat())));
    assertThat(origins.keySet()).containsExactly("w10", "w11");
    assertThat(origins.get("w10").distance(expected))
        .as("metres from w10's origin to its first entrance node n9")
        .isLessThan(1e-6);
    // w11 has no entrance: the interior point of a near-square is its centre.
    Geometry centre = toMetric.toMetric(gf.createPoint(new Coordinate(114.3012, 30.6002)));
    assertThat(origins.get("w11").distance(centre))
        .as("metres from w11's origin to its centre")
        .isLessThan(0.5);
    // The test can tell the two rules apart: w10's interior point is metres from its entrance.
    Geometry w10 =
        toMetric.toMetric(
            gf.createPolygon(
                new Coordinate[] {
                  new Coordinate(114.3000, 30.6000),
                  new Coordinate(114.3004, 30.6000),
                  new Coordinate(114.3004, 30.6004),
                  new Coordinate(114.3000, 30.6004),
                  new Coordinate(114.3000, 30.6000)
                }));
    assertThat(w10.getInteriorPoint().distance(expected)).isGreaterThan(5.0);
  }

  /** Protection first (保护第一): an old building is kept and flagged, never dropped for its age. */
  @Test
  void aHistoricBuildingFrom1778IsAcceptedAndProtected() {
    Row w11 =
        silver
            .where("building_id = 'w11'")
            .selectExpr("__reason", "year_built", "heritage_status")
            .first();
    assertThat(w11.isNullAt(0)).as("w11 is accepted, not quarantined (%s)", w11.get(0)).isTrue();
    assertThat(w11.getInt(1)).isEqualTo(1778);
    assertThat(w11.getString(2)).isEqualTo("historic_building");
  }

  /** The buildings dataset of the extract, staged and validated as the ingest does. */
  private static Dataset<Row> silverRows(Path dir, Path pbf) {
    DatasetSource osm =
        new DatasetSource(pbf.toString(), "osm", null, null, null, null, null, null, null);
    DatasetSource csv =
        new DatasetSource("none.csv", "csv", "EPSG:4326", null, "wkt", null, null, null, null);
    CityConfig city =
        new CityConfig(
            "990102",
            "OSM 建筑测试市",
            METRIC,
            new CityConfig.Bounds(114.20, 30.50, 114.40, 30.70),
            Map.of(
                Tables.ADMIN_AREAS, csv,
                Tables.BUILDINGS, osm,
                Tables.POPULATION, csv,
                Tables.FACILITIES, csv),
            null,
            null,
            null,
            dir);
    Contract contract = Contract.of(Tables.BUILDINGS);
    OsmTags tags = Yaml.readResource(OsmTags.DEFAULT_RESOURCE, OsmTags.class, "tags");
    List<Row> rows = new ArrayList<>();
    try {
      SourceReader.Staged staged =
          OsmReader.read(spark, Tables.BUILDINGS, osm, pbf, contract, city, tags);
      RecordValidator validator =
          new RecordValidator(
              Tables.BUILDINGS,
              contract,
              osm.crs(),
              METRIC,
              city.bounds(),
              LocalDate.of(2026, 6, 30),
              Set.of(),
              staged.lonLat(),
              staged.sourceColumns());
      List<Row> stagedRows = staged.rows().collectAsList();
      for (int i = 0; i < stagedRows.size(); i++) {
        rows.add(validator.validate(stagedRows.get(i), i + 1));
      }
    } finally {
      OsmReader.release();
    }
    return spark.createDataFrame(
        rows, RecordValidator.outputSchema(contract, DataTypes.StringType));
  }
}
