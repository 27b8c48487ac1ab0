package org.lifecircle.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.lifecircle.access.AccessStage;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.DatasetSource;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageResult;
import org.lifecircle.io.MemoryStageTables;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBWriter;
import org.locationtech.jts.io.WKTReader;

/**
 * The access stage on a fixture warehouse with a walk network (the {@link NetworkFixture} grid,
 * four homes, four facilities): building_access written once on the network basis, and
 * network_stats.
 */
class NetworkAccessTest {
  private static final LocalDate DATE = LocalDate.of(2026, 6, 30);
  private static final GeometryFactory GF = new GeometryFactory();
  private static SparkSession spark;
  private static RunContext ctx;
  private static MemoryStageTables tables;
  private static StageResult result;

  @BeforeAll
  static void runAccess() {
    spark = TestSpark.session();
    ctx = context(true);
    tables = fixture(ctx);
    result = new AccessStage().run(spark, ctx, tables);
  }

  static RunContext context(boolean withNetwork) {
    Map<String, DatasetSource> ds = new TreeMap<>();
    for (String d : List.of("admin_areas", "buildings", "population", "facilities")) {
      ds.put(
          d,
          new DatasetSource(d + ".csv", "csv", "EPSG:4547", null, "wkt", null, null, null, null));
    }
    if (withNetwork) {
      ds.put(
          "walk_network",
          new DatasetSource("walk.csv", "csv", "EPSG:4547", null, "wkt", null, null, null, null));
    }
    CityConfig city =
        new CityConfig(
            "990104",
            "Network fixture",
            "EPSG:4547",
            new CityConfig.Bounds(114.2, 30.5, 114.4, 30.7),
            ds,
            null,
            null,
            null,
            null);
    return new RunContext(
        "test-network",
        city,
        DATE,
        TestSpark.tempDir("network-unused-warehouse").resolve("warehouse"));
  }

  private static byte[] point(double x, double y) {
    return new WKBWriter().write(GF.createPoint(new Coordinate(x, y)));
  }

  static MemoryStageTables fixture(RunContext c) {
    MemoryStageTables t = MemoryStageTables.of(spark, c);
    List<Row> homes =
        List.of(
            home("H1", "D1", 150, 103), // kindergarten K1 106 m along the network
            home("H2", "D1", 5, 290), // K2 is 120 m away across the river, 1130 m by the bridge
            home("H3", "D2", -500, -500), // beyond the snap limit
            home("H4", "D2", 450, 3)); // primary school P1 on the same street, 35 m
    t.put("building_population", homes);
    t.put(
        "facilities",
        List.of(
            facility(1, "K1", "kindergarten", 97, 50),
            facility(2, "K2", "kindergarten", 5, 410),
            facility(3, "P1", "primary_school", 480, -2),
            facility(4, "P2", "primary_school", 2030, 40))); // next to the island only: unsnapped
    if (c.city().has("walk_network")) {
      List<Row> edges = new ArrayList<>();
      List<double[]> lines = NetworkFixture.lines();
      WKTReader wkt = new WKTReader();
      for (int k = 0; k < lines.size(); k++) {
        try {
          edges.add(
              RowFactory.create(
                  (long) k + 1,
                  String.format("E%04d", k),
                  null,
                  null,
                  "street",
                  new WKBWriter().write(wkt.read(NetworkFixture.wkt(lines.get(k))))));
        } catch (ParseException e) {
          throw new IllegalStateException(e);
        }
      }
      t.put("walk_network", edges);
    }
    return t;
  }

  private static Row home(String id, String district, double x, double y) {
    return RowFactory.create(
        id,
        "C" + district,
        "S" + district,
        district,
        null,
        point(x, y),
        1000.0,
        "building",
        5L,
        10L,
        10L,
        5L,
        50L,
        10L,
        5L,
        5L,
        100L);
  }

  private static Row facility(long row, String id, String category, double x, double y) {
    return RowFactory.create(row, id, category, id, null, null, "public", point(x, y));
  }

  private static Row access(String building, String category) {
    return tables
        .snapshot("building_access")
        .where("building_id = '" + building + "' AND category = '" + category + "'")
        .select(
            "network_distance_m",
            "network_facility_id",
            "within_threshold_network",
            "snapped",
            "distance_basis",
            "covered",
            "within_threshold",
            "distance_m")
        .first();
  }

  private static Map<String, Double> stats(String district) {
    Map<String, Double> out = new TreeMap<>();
    for (Row r :
        tables
            .snapshot("network_stats")
            .where("district_code = '" + district + "'")
            .select("metric", "value")
            .collectAsList()) {
      out.put(r.getString(0), r.getDouble(1));
    }
    return out;
  }

  @Test
  void buildingAccessCarriesNetworkDistancesAndCoverage() {
    int categories = ctx.catalogs().facilities().categories().size();
    assertThat(result.tablesWritten()).containsEntry("building_access", 4L * categories);
    assertThat(
            tables
                .snapshot("building_access")
                .where("distance_basis <> 'network' OR covered <> within_threshold_network")
                .count())
        .isZero();

    Row h1 = access("H1", "kindergarten");
    assertThat(h1.getDouble(0)).isCloseTo(106.0, within(1e-9));
    assertThat(h1.getString(1)).isEqualTo("K1");
    assertThat(h1.getBoolean(2)).isTrue();
    assertThat(h1.getBoolean(3)).isTrue();
    assertThat(h1.getBoolean(5)).isTrue();
    assertThat(h1.getDouble(0)).isGreaterThanOrEqualTo(h1.getDouble(7));

    // Covered by straight line (K2, 120 m), not along the network (K1, 348 m > 300 m).
    Row h2 = access("H2", "kindergarten");
    assertThat(h2.getBoolean(6)).isTrue();
    assertThat(h2.getDouble(0)).isCloseTo(348.0, within(1e-9));
    assertThat(h2.getString(1)).isEqualTo("K1");
    assertThat(h2.getBoolean(2)).isFalse();
    assertThat(h2.getBoolean(5)).isFalse();

    Row h4 = access("H4", "primary_school");
    assertThat(h4.getDouble(0)).isCloseTo(35.0, within(1e-9));
    assertThat(h4.getString(1)).isEqualTo("P1");
  }

  @Test
  void unsnappedBuildingsAndEmptyCategoriesGetNullNotZero() {
    List<Row> rows =
        tables
            .snapshot("building_access")
            .where("building_id = 'H3'")
            .select("network_distance_m", "snapped", "covered", "within_threshold_network")
            .collectAsList();
    assertThat(rows).isNotEmpty();
    for (Row r : rows) {
      assertThat(r.isNullAt(0)).isTrue();
      assertThat(r.getBoolean(1)).isFalse();
      assertThat(r.getBoolean(2)).isFalse();
      assertThat(r.getBoolean(3)).isFalse();
    }
    assertThat(
            tables
                .snapshot("building_access")
                .where("category = 'pharmacy' AND network_distance_m IS NOT NULL")
                .count())
        .isZero();
    assertThat(
            tables
                .snapshot("building_access")
                .where("network_distance_m IS NOT NULL AND network_distance_m < distance_m")
                .count())
        .isZero();
  }

  @Test
  void statsCountTheGraphSnapsAndDetours() {
    Map<String, Double> city = stats("city");
    assertThat(city)
        .containsEntry("nodes", 68.0)
        .containsEntry("edges", 109.0)
        .containsEntry("components", 2.0)
        .containsEntry("islands", 1.0)
        .containsEntry("island_length_m", 200.0)
        .containsEntry("buildings_snapped", 3.0)
        .containsEntry("buildings_unsnapped", 1.0)
        .containsEntry("facilities_snapped", 3.0)
        .containsEntry("facilities_unsnapped", 1.0);
    List<Row> pairs = detourPairs(null);
    assertThat(pairs).hasSizeGreaterThan(3);
    assertDetours(city, pairs);
    Map<String, Double> d1 = stats("D1");
    assertThat(d1).containsEntry("buildings_snapped", 2.0);
    // A district's ratios are its own homes' pairs, not the city's.
    List<Row> d1Pairs = detourPairs("D1");
    assertThat(d1Pairs).isNotEmpty().hasSizeLessThan(pairs.size());
    assertDetours(d1, d1Pairs);
    assertThat(stats("D2")).containsEntry("buildings_unsnapped", 1.0);
  }

  /**
   * Oracle for a district's (or the city's) detour statistics: the pairs counted, their ratios
   * rounded to 1e-4, sorted, interpolated at rank p * (n - 1), and the plain mean of the unrounded
   * ratios (the stage's is over ratios in millionths).
   */
  private static void assertDetours(Map<String, Double> stats, List<Row> pairs) {
    assertThat(stats.get("detour_pairs")).isEqualTo((double) pairs.size());
    double[] ratios =
        pairs.stream()
            .mapToDouble(r -> Math.round(r.getDouble(0) / r.getDouble(1) * 1e4) / 1e4)
            .sorted()
            .toArray();
    assertThat(ratios[ratios.length - 1]).isGreaterThan(ratios[0]);
    for (double p : new double[] {0.1, 0.5, 0.9}) {
      double rank = p * (ratios.length - 1);
      int lo = (int) Math.floor(rank);
      int hi = (int) Math.ceil(rank);
      double expected = ratios[lo] + (rank - lo) * (ratios[hi] - ratios[lo]);
      assertThat(stats.get("detour_ratio_p" + Math.round(p * 100)))
          .as("p%.0f", p * 100)
          .isCloseTo(expected, within(1e-12));
    }
    double mean =
        pairs.stream().mapToDouble(r -> r.getDouble(0) / r.getDouble(1)).average().orElseThrow();
    assertThat(stats.get("detour_ratio_mean")).isCloseTo(mean, within(1e-6));
  }

  /**
   * (network_distance_m, distance_m) of the pairs the detour ratios are taken over: the homes of
   * {@code district}, or every home when null.
   */
  private static List<Row> detourPairs(String district) {
    Dataset<Row> pairs =
        tables
            .snapshot("building_access")
            .where("network_distance_m IS NOT NULL AND distance_m >= 1.0");
    if (district != null) {
      pairs =
          pairs.join(
              tables
                  .snapshot("building_population")
                  .where("district_code = '" + district + "'")
                  .select("building_id"),
              "building_id");
    }
    return pairs.select("network_distance_m", "distance_m").collectAsList();
  }

  @Test
  void headlinesReportTheFlipShare() {
    // Kindergarten: 40 children aged 3-5 in four homes; H2's 10 lose coverage on the network.
    assertThat(result.metrics()).containsEntry("flip_share.kindergarten", 0.25);
    assertThat(result.headlines())
        .anySatisfy(
            h ->
                assertThat(h)
                    .contains("kindergarten")
                    .contains("25.0% of 40 flip (10 lose coverage, 0 gain)"));
    assertThat(result.headlines())
        .anySatisfy(h -> assertThat(h).startsWith("  walk network: 68 nodes"));
  }

  @Test
  void aCityWithoutWalkNetworkGetsTheDetourBasisAndNoNetworkStats() {
    RunContext plain = context(false);
    MemoryStageTables plainTables = fixture(plain);
    StageResult r = new AccessStage().run(spark, plain, plainTables);
    int categories = plain.catalogs().facilities().categories().size();
    assertThat(r.tablesWritten()).containsOnlyKeys("building_access");
    assertThat(r.headlines())
        .anySatisfy(h -> assertThat(h).contains("no walk network").contains("detour factor 1.3"));
    Dataset<Row> rows = plainTables.snapshot("building_access");
    assertThat(rows.count()).isEqualTo(4L * categories);
    assertThat(rows.where("distance_basis <> 'straight_line_detour'").count()).isZero();
    assertThat(rows.where("network_distance_m IS NOT NULL").count()).isZero();
    assertThat(plainTables.exists("network_stats")).isFalse();
  }
}
