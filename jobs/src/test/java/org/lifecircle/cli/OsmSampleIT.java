package org.lifecircle.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.lifecircle.common.CrsTransform;
import org.lifecircle.common.RunContext;
import org.lifecircle.io.DeltaTables;
import org.lifecircle.io.Tables;
import org.lifecircle.network.GraphBuilder;
import org.lifecircle.network.NetworkAccess;
import org.lifecircle.network.WalkGraph;
import org.lifecircle.osm.OsmSample;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.io.WKBReader;

/**
 * The nightly pipeline end to end on a city bootstrapped from OpenStreetMap (cities/osm-sample: the
 * hand-made extract of make_sample.py, the planners' boundaries and a two-cell population grid),
 * through the real command line, and the same run's ingest checked table by table.
 *
 * <p>The extract's design is written out, feature by feature, in cities/osm-sample/make_sample.py
 * (ids: ways 100-107 walk network, 200-202 land use, 300-309 buildings, 500-505 facility polygons;
 * relations 400-401); every expectation below follows from that design, not from a run: cell A's
 * 970 residents live in w300-w302, all in the west community; the kindergarten (30, 260) lies
 * within about 200 m walking of each of them (60 m to the road, along it, 35 m back); nothing in
 * the extract is a nursery.
 *
 * <p>One class for the ingest and the end-to-end checks, so one test JVM runs the pipeline once
 * ({@link OsmSample}): as two classes in two test forks, each fork ran it.
 */
class OsmSampleIT {
  private static final String WEST = "420106001001";
  private static SparkSession spark;
  private static Path warehouse;
  private static int exit;
  private static RunContext ctx;

  @BeforeAll
  static void runNightlyOnTheOsmSample() {
    spark = TestSpark.session();
    warehouse = OsmSample.warehouse();
    exit = OsmSample.exitCode();
    ctx = OsmSample.context();
  }

  private static Dataset<Row> table(String name) {
    return spark.read().format("delta").load(warehouse.resolve(name).toString());
  }

  @Test
  void everyStageSucceedsAndEverySourceReconciles() {
    assertThat(exit).isZero();
    RunLogChecks.everyStageSucceededAndEverySourceReconciles(table("run_log"), OsmSample.RUN_ID);
  }

  @Test
  void residentsLiveInTheThreeResidentialBuildingsOfTheWestCommunity() {
    Map<String, String> homes = new TreeMap<>();
    long residents = 0;
    for (Row r :
        table("building_population")
            .select("building_id", "community_code", "residents")
            .collectAsList()) {
      homes.put(r.getString(0), r.getString(1));
      residents += r.getLong(2);
    }
    assertThat(homes)
        .containsExactlyEntriesOf(new TreeMap<>(Map.of("w300", WEST, "w301", WEST, "w302", WEST)));
    assertThat(residents).isEqualTo(970);
  }

  @Test
  void coverageGapsAndReportAreWritten() throws IOException {
    Row kindergarten =
        table("community_coverage")
            .where("area_code = '" + WEST + "' AND category = 'kindergarten'")
            .select("target_residents", "coverage_rate", "distance_basis")
            .first();
    assertThat(kindergarten.getLong(0)).isEqualTo(40);
    assertThat(kindergarten.getDouble(1)).isEqualTo(1.0);
    assertThat(kindergarten.getString(2)).isEqualTo("network");
    Row nursery =
        table("coverage_gaps")
            .where(
                "community_code = '"
                    + WEST
                    + "' AND category = 'nursery' AND gap_kind = 'distance'")
            .select("target_residents", "target_residents_uncovered")
            .first();
    assertThat(nursery.getLong(0)).isEqualTo(30);
    assertThat(nursery.getLong(1)).isEqualTo(30);
    String html =
        Files.readString(
            warehouse.resolve("_reports/990201/2026-06-30.html"), StandardCharsets.UTF_8);
    assertThat(html).contains("<svg", "Coverage by district");
  }

  /**
   * What the extract holds, as every OSM source's run_log row reports it; counted independently by
   * osmium-tool (`osmium fileinfo -e cities/osm-sample/inputs/sample.osm.pbf`: 116 nodes, 27 ways,
   * 2 relations).
   */
  private static final String ELEMENTS =
      "\"osm_elements\":{\"nodes\":116,\"relations\":2,\"ways\":27},";

  /** The ingest's run_log row for one source: read, accepted, quarantined and drop counts. */
  private static String source(String name) {
    Row r =
        DeltaTables.readSnapshot(spark, ctx, "run_log")
            .where(
                "run_id = '"
                    + OsmSample.RUN_ID
                    + "' AND stage = 'ingest' AND source = '"
                    + name
                    + "'")
            .select("rows_in", "rows_out", "rows_quarantined", "metrics")
            .first();
    return "read "
        + r.getLong(0)
        + ", accepted "
        + r.getLong(1)
        + ", quarantined "
        + r.getLong(2)
        + (r.isNullAt(3) ? "" : ", " + r.getString(3));
  }

  @Test
  void facilitiesMapToCatalogCategoriesAndPolygonsBecomeCentroids() throws Exception {
    Map<String, Integer> byCategory = new TreeMap<>();
    Map<String, String> ways = new TreeMap<>();
    for (Row r :
        DeltaTables.readSnapshot(spark, ctx, "facilities")
            .select("facility_id", "category", "name")
            .collectAsList()) {
      byCategory.merge(r.getString(1), 1, Integer::sum);
      if (r.getString(0).startsWith("w")) {
        ways.put(r.getString(0), r.getString(1));
      }
    }
    // 21 mapped: two supermarket/greengrocer, two clinic/doctors, two post office/parcel locker,
    // pitch and sports centre; one of each other kind.
    assertThat(byCategory)
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.ofEntries(
                    Map.entry("bus_stop", 1),
                    Map.entry("convenience_store", 1),
                    Map.entry("elderly_day_care", 1),
                    Map.entry("elderly_home", 1),
                    Map.entry("ev_charging", 1),
                    Map.entry("fitness_ground", 1),
                    Map.entry("food_market", 2),
                    Map.entry("health_station", 2),
                    Map.entry("kindergarten", 1),
                    Map.entry("middle_school", 1),
                    Map.entry("park", 1),
                    Map.entry("pharmacy", 1),
                    Map.entry("pocket_park", 1),
                    Map.entry("post_parcel", 2),
                    Map.entry("primary_school", 1),
                    Map.entry("public_toilet", 1),
                    Map.entry("sports_field", 2))));
    // By area: 10,000 m2 park, 3,600 m2 garden; the 900 m2 park (w503) and the senior high school
    // (w500) are unmapped.
    assertThat(ways)
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.of(
                    "w501",
                    "park",
                    "w502",
                    "pocket_park",
                    "w504",
                    "sports_field",
                    "w505",
                    "sports_field")));
    assertThat(source("facilities"))
        .isEqualTo(
            "read 21, accepted 21, quarantined 0, {" + ELEMENTS + "\"dropped\":{\"unmapped\":3}}");

    // The park is the square x 20..120 m, y 20..120 m: its centroid is (70, 70) m from the origin.
    Row park =
        DeltaTables.readSnapshot(spark, ctx, "facilities")
            .where("facility_id = 'w501'")
            .select("geometry")
            .first();
    Geometry p = new WKBReader().read((byte[]) park.get(0));
    Geometry expected =
        new CrsTransform("EPSG:4326", "EPSG:4547")
            .toMetric(
                new GeometryFactory()
                    .createPoint(new Coordinate(114.300 + 70 / 95_899.0, 30.600 + 70 / 110_862.0)));
    assertThat(p.getGeometryType()).isEqualTo("Point");
    assertThat(p.distance(expected)).isLessThan(0.5);
  }

  @Test
  void buildingsCarryUseLevelsAndStartYear() throws Exception {
    Map<String, String> got = new TreeMap<>();
    for (Row r :
        DeltaTables.readSnapshot(spark, ctx, "buildings")
            .selectExpr("building_id", "use", "floors", "year_built")
            .collectAsList()) {
      got.put(r.getString(0), r.getString(1) + " " + r.getInt(2) + " " + r.get(3));
    }
    assertThat(got)
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.of(
                    "w300", "residential 18 2005", // apartments, levels 18, start_date 2005
                    "w301", "residential 6 1998", // residential, start_date 1998-05
                    "w302",
                        "residential 1 null", // building=yes on landuse=residential, default levels
                    "w303", "commercial 1 null", // building=yes on no land use: fallback use
                    "w304", "commercial 2 1990", // retail, start_date ~1990
                    "w305", "public 4 null", // school
                    "r400", "office 10 null"))); // multipolygon relation with a courtyard
    // 60 m square less its 20 m courtyard.
    Row office =
        DeltaTables.readSnapshot(spark, ctx, "buildings")
            .where("building_id = 'r400'")
            .select("geometry")
            .first();
    Geometry g = new WKBReader().read((byte[]) office.get(0));
    assertThat(g.getArea()).isCloseTo(3600 - 400, within(40.0));
    assertThat(((Polygon) g).getNumInteriorRing()).isEqualTo(1);
  }

  @Test
  void aBadTagGoesThroughTheSameQuarantineAndDropsAreCounted() {
    // w306 (start_date 2031) is the 8th building by id (r400, w300..w306).
    Row q =
        DeltaTables.readSnapshot(spark, ctx, "quarantine")
            .where("stage = 'ingest' AND source = 'buildings'")
            .select("record_id", "reason_code", "message")
            .first();
    assertThat(q.getString(0)).isEqualTo("w306");
    assertThat(q.getString(1)).isEqualTo("FUTURE_DATE");
    assertThat(q.getString(2))
        .isEqualTo(
            "Cannot accept row 8 of dataset buildings:"
                + " column 'start_date' is after the snapshot date 2026-06-30 (2031)");
    // w307 lacks a corner node; r401's only member way is not in the file.
    assertThat(source("buildings"))
        .isEqualTo(
            "read 8, accepted 7, quarantined 1,"
                + " {"
                + ELEMENTS
                + "\"dropped\":{\"relations_unassembled\":1,\"ways_too_few_nodes\":1}}");
    assertThat(source("compounds"))
        .isEqualTo("read 1, accepted 1, quarantined 0, {" + ELEMENTS.replaceAll(",$", "") + "}");
    // Farmland (w202) has no land-use code in the tag catalog.
    assertThat(source("parcels"))
        .isEqualTo(
            "read 2, accepted 2, quarantined 0, {" + ELEMENTS + "\"dropped\":{\"unmapped\":1}}");
  }

  @Test
  void walkNetworkIsSplitAtSharedNodesIntoTenEdges() {
    Map<String, String> edges = new TreeMap<>();
    for (Row r :
        DeltaTables.readSnapshot(spark, ctx, "walk_network")
            .select("edge_id", "from_node", "to_node")
            .collectAsList()) {
      edges.put(r.getString(0), r.getString(1) + "-" + r.getString(2));
    }
    // Nodes are numbered in the order make_sample.py creates them: N1..N7 = n1..n7 along the
    // residential road; the footway is n8, n9, n3, n10, n11; the service road n5, n12, n13; the
    // steps n6, n14 (n15 lies outside the bounds); w106 has n19 and two missing ids (n20, n21);
    // the track n22, n23, [n24 missing], n25, n26.
    assertThat(edges)
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.ofEntries(
                    Map.entry("w100-0", "n1-n3"),
                    Map.entry("w100-1", "n3-n5"),
                    Map.entry("w100-2", "n5-n6"),
                    Map.entry("w100-3", "n6-n7"),
                    Map.entry("w101-0", "n8-n3"),
                    Map.entry("w101-1", "n3-n11"),
                    Map.entry("w102-0", "n5-n13"),
                    Map.entry("w103-0", "n6-n14"),
                    Map.entry("w107-0", "n22-n23"),
                    Map.entry("w107-1", "n25-n26"))));
    // w106 keeps one node of three.
    assertThat(source("walk_network"))
        .isEqualTo(
            "read 10, accepted 10, quarantined 0, {"
                + ELEMENTS
                + "\"dropped\":{\"ways_too_few_nodes\":1}}");
    WalkGraph graph =
        GraphBuilder.build(
            NetworkAccess.readWays(DeltaTables.readSnapshot(spark, ctx, Tables.WALK_NETWORK)),
            GraphBuilder.MERGE_TOLERANCE_M,
            GraphBuilder.IslandRule.DEFAULT);
    // 13 distinct end nodes: n1 n3 n5 n6 n7 n8 n11 n13 n14 n22 n23 n25 n26.
    assertThat(graph.summary().edges()).isEqualTo(10);
    assertThat(graph.summary().nodes()).isEqualTo(13);
  }
}
