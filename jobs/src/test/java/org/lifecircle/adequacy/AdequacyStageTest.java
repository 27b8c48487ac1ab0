package org.lifecircle.adequacy;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.lifecircle.SilverRows.point;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.SilverRows;
import org.lifecircle.SparkPlans;
import org.lifecircle.TestSpark;
import org.lifecircle.catalog.AgeBands;
import org.lifecircle.catalog.Catalogs;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.Yaml;
import org.lifecircle.coverage.CatalogFrame;
import org.lifecircle.coverage.Gaps;
import org.lifecircle.io.MemoryStageTables;
import org.lifecircle.io.Tables;

/**
 * Hand-worked E2SFCA on a line (x in metres from X0; all on one y), d0 = 300 m, straight line.
 * Buildings (P = target residents, residents = 10 P): B1 x=100 P=100, B2 x=200 P=50 (community C1);
 * B3 x=600 P=80, B4 x=720 P=40, B5 x=1500 P=30 (community C2). Pairs within 300 m: F/G1 x=0: B1
 * 100, B2 200; F/G2 x=450: B2 250, B3 150, B4 270; F/G3 x=1000: B4 280. B5 is out of every
 * catchment.
 *
 * <p>kindergarten (decay none, norm 400 per 1,000 target, level weight 1.0); F1 60, F2 30, F3 20
 * places, F4 capacity null (skipped, counted): R1 = 60/150 = 0.4, R2 = 30/(50+80+40) = 3/17 =
 * 0.176471, R3 = 20/40 = 0.5; A: B1 0.4, B2 0.4 + 3/17 = 0.576471, B3 3/17, B4 3/17 + 0.5 =
 * 0.676471, B5 0; sum A P = 40 + 28.8235 + 14.1176 + 27.0588 = 110 = 60 + 30 + 20 (conserved); C1:
 * reachable 68.8235, index 0.458824, required 0.4 x 150 = 60, shortfall 0; C2: reachable 360/17 +
 * 20 = 41.1765, index 0.274510, shortfall 60 - 41.1765 = 18.8235, uncovered ceil(150 x 18.8235 /
 * 60) = ceil(47.06) = 48, severity 48 x 1.0 = 48. nursery (gaussian, norm 4.5 per 1,000 ALL
 * residents, level weight 1.0); G1 3, G2 3, G3 2 places. w(d) = (exp(-(d/300)²/2) - e^-½) / (1 -
 * e^-½): w(100) = 0.862656, w(150) = 0.701367, w(200) = 0.493575, w(250) = 0.254448, w(270) =
 * 0.153624, w(280) = 0.102612; served G1 = 100 w(100) + 50 w(200) = 110.944395, R1 = 3/110.944395 =
 * 0.027040573; served G2 = 50 w(250) + 80 w(150) + 40 w(270) = 74.976684, R2 = 0.040012439; served
 * G3 = 40 w(280) = 4.104464, R3 = 0.487274377; A: B1 = w(100) R1 = 0.023326721, B2 = w(200) R1 +
 * w(250) R2 = 0.023527657, B3 = w(150) R2 = 0.028063387, B4 = w(270) R2 + w(280) R3 = 0.056146852,
 * B5 0; C1: reachable 3.509055, required 4.5/1000 x 1500 = 6.75, shortfall 3.240945, uncovered
 * ceil(150 x 3.240945 / 6.75) = ceil(72.02) = 73; C2: reachable 4.490945 (sum 8 = 3 + 3 + 2),
 * shortfall 2.259055, uncovered ceil(50.20) = 51. Capacity gaps ranked by severity (uncovered
 * target residents x level weight 1.0): C1 nursery 73, C2 nursery 51, C2 kindergarten 48.
 */
class AdequacyStageTest {
  private static final double X0 = 528_000;
  private static final double Y0 = 3_385_000;
  private static final double E = Math.exp(-0.5);
  private static SparkSession spark;
  private static RunContext ctx;
  private static MemoryStageTables tables;
  private static FacilityCatalog catalog;
  private static StageResult result;
  private static AdequacyStage.Result computed;

  @BeforeAll
  static void handWorkedCity() {
    spark = TestSpark.session();
    Path catalogFile = Path.of("src/test/resources/adequacy/catalog.yaml").toAbsolutePath();
    CityConfig base = CityConfig.load(Path.of("src/test/resources/ingest/city.yaml"));
    CityConfig city =
        new CityConfig(
            base.code(),
            base.name(),
            base.metricCrs(),
            base.bounds(),
            base.datasets(),
            new CityConfig.Catalogs(catalogFile.toString(), null, null, null),
            base.limits(),
            base.sample(),
            base.configDir());
    catalog = Yaml.read(catalogFile, FacilityCatalog.class, "test catalog");
    // The hand-worked catalog holds three categories: the other catalogs stay the defaults,
    // unchecked against it (the default indicators name categories it lacks, and this stage reads
    // none of them). The tables are in memory: no warehouse is written.
    Catalogs defaults = Catalogs.load(base);
    ctx =
        new RunContext(
            "adequacy-test",
            city,
            LocalDate.of(2026, 6, 30),
            TestSpark.tempDir("adequacy").resolve("unused-warehouse"),
            new Catalogs(
                catalog,
                defaults.idleRules(),
                defaults.indicators(),
                defaults.osmTags(),
                defaults.ageBands()));
    tables = MemoryStageTables.of(spark, ctx);
    List<Map<String, Object>> facilities = new ArrayList<>();
    double[][] sites = {{0, 60, 3}, {450, 30, 3}, {1000, 20, 2}};
    for (int j = 0; j < 3; j++) {
      facilities.add(facility("F" + (j + 1), "kindergarten", sites[j][0], sites[j][1], j + 1));
      facilities.add(facility("G" + (j + 1), "nursery", sites[j][0], sites[j][2], j + 4));
    }
    facilities.add(facility("F4", "kindergarten", 300, null, 7));
    facilities.add(facility("P1", "pharmacy", 300, 99.0, 8));
    SilverRows.write(spark, tables, "facilities", facilities);
    Object[][] homes = {
      {"B1", 100.0, 100L, "C1"},
      {"B2", 200.0, 50L, "C1"},
      {"B3", 600.0, 80L, "C2"},
      {"B4", 720.0, 40L, "C2"},
      {"B5", 1500.0, 30L, "C2"}
    };
    List<Map<String, Object>> population = new ArrayList<>();
    List<Map<String, Object>> access = new ArrayList<>();
    for (Object[] h : homes) {
      population.add(home((String) h[0], (String) h[3], (double) h[1], 10 * (long) h[2]));
      for (String category : List.of("kindergarten", "nursery", "pharmacy")) {
        long target = "pharmacy".equals(category) ? 10 * (long) h[2] : (long) h[2];
        access.add(
            access(
                (String) h[0],
                (String) h[3],
                (double) h[1],
                category,
                10 * (long) h[2],
                target,
                "straight_line"));
      }
    }
    SilverRows.write(spark, tables, "building_population", population);
    SilverRows.write(spark, tables, "building_access", access);
    result = new AdequacyStage().run(spark, ctx, tables);
    // Each building its own community: a community's accessibility index is the building's A_i.
    computed =
        AdequacyStage.compute(
            spark,
            catalog,
            read("facilities"),
            read("building_population"),
            read("building_access").withColumn("community_code", col("building_id")),
            1.3,
            null);
  }

  private static Dataset<Row> read(String table) {
    return tables.snapshot(table);
  }

  /**
   * A community's demand is summed by hash with the least of its homes' bases, as text: an
   * aggregate holding the text itself ran sort-based over SF 1's ten million demand rows.
   */
  @Test
  void demandCellsAreSummedByHashWithTheLeastBasis() {
    StructType schema =
        new StructType()
            .add("community_code", "string")
            .add("category", "string")
            .add("target_residents", "long")
            .add("residents", "long")
            .add("distance_basis", "string");
    List<Row> rows =
        List.of(
            RowFactory.create("C1", "pharmacy", 3L, 5L, "straight_line_detour"),
            RowFactory.create("C1", "pharmacy", 4L, 6L, "straight_line"),
            RowFactory.create("C2", "pharmacy", 1L, 1L, "straight_line_detour"),
            RowFactory.create("C3", "pharmacy", 2L, 2L, "straight_line"),
            RowFactory.create("C3", "pharmacy", 2L, 2L, "network"));
    Dataset<Row> cells =
        TwoStepCatchment.demandCells(TestSpark.session().createDataFrame(rows, schema));
    assertThat(cells.queryExecution().executedPlan().toString())
        .contains("HashAggregate")
        .doesNotContain("SortAggregate");
    Map<String, String> got = new TreeMap<>();
    for (Row r :
        cells
            .select("community_code", "target_residents", "residents", "distance_basis")
            .collectAsList()) {
      got.put(r.getString(0), r.getLong(1) + " " + r.getLong(2) + " " + r.getString(3));
    }
    assertThat(got)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "C1", "7 11 straight_line",
                "C2", "1 1 straight_line_detour",
                "C3", "4 4 network"));
  }

  @Test
  void noDecaySupplyRatiosAndAccessibilityAreTheWorkedOnes() {
    Map<String, Double> r = facilityColumn("kindergarten", "supply_ratio");
    assertThat(r).containsOnlyKeys("F1", "F2", "F3");
    assertThat(r.get("F1")).isCloseTo(0.4, within(1e-12));
    assertThat(r.get("F2")).isCloseTo(3.0 / 17, within(1e-12));
    assertThat(r.get("F3")).isCloseTo(0.5, within(1e-12));
    Map<String, Double> served = facilityColumn("kindergarten", "target_residents_served");
    assertThat(served)
        .containsExactlyEntriesOf(new TreeMap<>(Map.of("F1", 150.0, "F2", 170.0, "F3", 40.0)));
    Map<String, Double> a = accessibility("kindergarten");
    assertThat(a.get("B1")).isCloseTo(0.4, within(1e-12));
    assertThat(a.get("B2")).isCloseTo(0.4 + 3.0 / 17, within(1e-12));
    assertThat(a.get("B3")).isCloseTo(3.0 / 17, within(1e-12));
    assertThat(a.get("B4")).isCloseTo(3.0 / 17 + 0.5, within(1e-12));
    assertThat(a.get("B5")).isEqualTo(0.0);
    assertThat(result.metrics()).containsEntry("facilities_without_capacity", 1L);
  }

  @Test
  void gaussianDecaySupplyRatiosAndAccessibilityAreTheWorkedOnes() {
    Map<String, Double> r = facilityColumn("nursery", "supply_ratio");
    assertThat(r.get("G1")).isCloseTo(0.027040573, within(1e-9));
    assertThat(r.get("G2")).isCloseTo(0.040012439, within(1e-9));
    assertThat(r.get("G3")).isCloseTo(0.487274377, within(1e-9));
    // The same from the formula, independently of the Column expression.
    assertThat(r.get("G1")).isCloseTo(3 / (100 * w(100) + 50 * w(200)), within(1e-12));
    Map<String, Double> a = accessibility("nursery");
    assertThat(a.get("B1")).isCloseTo(0.023326721, within(1e-9));
    assertThat(a.get("B2")).isCloseTo(0.023527657, within(1e-9));
    assertThat(a.get("B3")).isCloseTo(0.028063387, within(1e-9));
    assertThat(a.get("B4")).isCloseTo(0.056146852, within(1e-9));
    assertThat(a.get("B5")).isEqualTo(0.0);
  }

  @Test
  void communityRowsHaveIndexAndShortfallAsDefined() {
    Map<String, Row> c = new TreeMap<>();
    for (Row row :
        read(Tables.FACILITY_ADEQUACY)
            .where(col("level").equalTo("community"))
            .select(
                "category",
                "community_code",
                "target_residents",
                "residents",
                "accessibility_index",
                "places_per_1000_target",
                "reachable_places",
                "basis_population",
                "shortfall_places",
                "norm_per_1000")
            .collectAsList()) {
      c.put(row.getString(0) + "/" + row.getString(1), row);
    }
    assertThat(c)
        .containsOnlyKeys("kindergarten/C1", "kindergarten/C2", "nursery/C1", "nursery/C2");
    Row k1 = c.get("kindergarten/C1");
    assertThat(k1.getLong(2)).isEqualTo(150);
    assertThat(k1.getDouble(4)).isCloseTo(68.8235294 / 150, within(1e-7));
    assertThat(k1.getDouble(5)).isCloseTo(458.823529, within(1e-6));
    assertThat(k1.getLong(7)).isEqualTo(150);
    assertThat(k1.getDouble(8)).isEqualTo(0.0);
    Row k2 = c.get("kindergarten/C2");
    assertThat(k2.getDouble(6)).isCloseTo(360.0 / 17 + 20, within(1e-9));
    assertThat(k2.getDouble(8)).isCloseTo(60 - (360.0 / 17 + 20), within(1e-9));
    Row n1 = c.get("nursery/C1");
    assertThat(n1.getLong(3)).isEqualTo(1500);
    assertThat(n1.getLong(7)).isEqualTo(1500); // norm_basis all: all residents
    assertThat(n1.getDouble(8)).isCloseTo(3.240945077, within(1e-9));
    assertThat(c.get("nursery/C2").getDouble(8)).isCloseTo(2.259054923, within(1e-9));
  }

  @Test
  void communitiesUnderTheNormAreCapacityGaps() {
    // What the coverage stage makes of the stage's community rows (the ledger's capacity kind).
    List<Row> g =
        Gaps.ranked(
                Gaps.capacityGaps(read("facility_adequacy"), CatalogFrame.of(spark, catalog)),
                ctx.cityCode(),
                ctx.snapshotDate())
            .orderBy("rank")
            .select(
                "community_code",
                "category",
                "target_residents",
                "target_residents_uncovered",
                "shortfall_places",
                "severity",
                "threshold_m",
                "nearest_distance_m",
                "excess_m",
                "distance_basis",
                "rank")
            .collectAsList();
    assertThat(g)
        .extracting(r -> r.getString(0) + "/" + r.getString(1))
        .containsExactly("C1/nursery", "C2/nursery", "C2/kindergarten");
    assertThat(g).extracting(r -> r.getLong(3)).containsExactly(73L, 51L, 48L);
    assertThat(g).extracting(r -> r.getDouble(5)).containsExactly(73.0, 51.0, 48.0);
    assertThat(g).extracting(r -> r.getInt(10)).containsExactly(1, 2, 3);
    Row kindergarten = g.get(2);
    assertThat(kindergarten.getDouble(4)).isCloseTo(18.823529412, within(1e-9));
    assertThat(kindergarten.getLong(2)).isEqualTo(150);
    assertThat(kindergarten.getDouble(6)).isEqualTo(300.0);
    assertThat(kindergarten.isNullAt(7)).isTrue();
    assertThat(kindergarten.isNullAt(8)).isTrue();
    assertThat(kindergarten.getString(9)).isEqualTo("straight_line");
    assertThat(result.tablesWritten())
        .containsOnlyKeys(Tables.FACILITY_ADEQUACY)
        .containsEntry(
            Tables.FACILITY_ADEQUACY, 6L + 4L); // 6 facilities with capacity, 4 communities
  }

  @Test
  void supplyIsConservedWhenEveryFacilityServesSomeone() {
    for (String category : List.of("kindergarten", "nursery")) {
      double total =
          computed
              .communities()
              .where(col("category").equalTo(category))
              .selectExpr("sum(reachable_places)")
              .first()
              .getDouble(0);
      assertThat(total).isCloseTo("kindergarten".equals(category) ? 110.0 : 8.0, within(1e-9));
    }
  }

  @Test
  void supplyIsConservedOnARandomCityWhereEveryResidentIsInACatchment() {
    // 40 buildings in a 600 m square, 4 kindergartens at its quarter points: every building is
    // within 300 m of one (the farthest corner is 212 m away) and every kindergarten serves some.
    Random rnd = new Random(7);
    List<Row> homes = new ArrayList<>();
    List<Row> access = new ArrayList<>();
    long residents = 0;
    for (int i = 0; i < 40; i++) {
      double x = rnd.nextDouble() * 600;
      double y = rnd.nextDouble() * 600;
      long p = 1 + rnd.nextInt(50);
      residents += p;
      homes.add(RowFactory.create("R" + i, SilverRows.wkb(point(X0 + x, Y0 + y))));
      access.add(RowFactory.create("R" + i, "R" + i, "kindergarten", 10 * p, p, "straight_line"));
    }
    List<Row> facilities = new ArrayList<>();
    double[] caps = {35, 50, 12, 80};
    for (int j = 0; j < 4; j++) {
      facilities.add(
          RowFactory.create(
              "K" + j,
              "kindergarten",
              caps[j],
              SilverRows.wkb(point(X0 + 150 + 300 * (j % 2), Y0 + 150 + 300 * (j / 2)))));
    }
    AdequacyStage.Result r =
        AdequacyStage.compute(
            spark,
            catalog,
            spark.createDataFrame(
                facilities,
                StructType.fromDDL(
                    "facility_id STRING, category STRING, capacity DOUBLE, geometry BINARY")),
            spark.createDataFrame(homes, StructType.fromDDL("building_id STRING, origin BINARY")),
            spark.createDataFrame(
                access,
                StructType.fromDDL(
                    "building_id STRING, community_code STRING,"
                        + " category STRING, residents LONG, target_residents LONG, distance_basis STRING")),
            1.3,
            null);
    // Each building its own community: every one of them reaches some place.
    assertThat(r.communities().where(col("reachable_places").gt(0)).count()).isEqualTo(40);
    assertThat(r.facilities().where(col("supply_ratio").isNull()).count()).isZero();
    Row sums = r.communities().selectExpr("sum(reachable_places)", "sum(target_residents)").first();
    assertThat(sums.getLong(1)).isEqualTo(residents);
    assertThat(sums.getDouble(0)).isCloseTo(35 + 50 + 12 + 80, within(1e-9));
  }

  @Test
  void detourBasisShrinksTheCatchment() {
    // straight line x 1.3 <= 300 keeps pairs up to 230.8 m: F1-B1 100, F1-B2 200, F2-B3 150.
    Dataset<Row> detour =
        read("building_access").withColumn("distance_basis", lit("straight_line_detour"));
    AdequacyStage.Result r =
        AdequacyStage.compute(
            spark, catalog, read("facilities"), read("building_population"), detour, 1.3, null);
    Map<String, Double> ratio = new TreeMap<>();
    for (Row row :
        r.facilities()
            .where(col("category").equalTo("kindergarten"))
            .select("facility_id", "supply_ratio")
            .collectAsList()) {
      ratio.put(row.getString(0), row.isNullAt(1) ? null : row.getDouble(1));
    }
    assertThat(ratio.get("F1")).isCloseTo(0.4, within(1e-12));
    assertThat(ratio.get("F2")).isCloseTo(30.0 / 80, within(1e-12));
    assertThat(ratio).containsEntry("F3", null);
  }

  @Test
  void steppedWeightTakesTheFirstStepThatReachesTheDistance() {
    // primary_school: d0 = 500, steps [[0.5, 1.0], [1.0, 0.6]] (listed out of order in the file).
    Dataset<Row> d =
        spark.createDataFrame(
            List.of(
                RowFactory.create(0.0),
                RowFactory.create(250.0),
                RowFactory.create(250.1),
                RowFactory.create(500.0)),
            StructType.fromDDL("d DOUBLE"));
    List<Double> w =
        d
            .select(CapacityFrame.weight(catalog, lit("primary_school"), col("d"), lit(500.0)))
            .collectAsList()
            .stream()
            .map(r -> r.getDouble(0))
            .toList();
    assertThat(w).containsExactly(1.0, 1.0, 0.6, 0.6);
    List<Double> g =
        d
            .select(CapacityFrame.weight(catalog, lit("nursery"), col("d"), lit(500.0)))
            .collectAsList()
            .stream()
            .map(r -> r.getDouble(0))
            .toList();
    assertThat(g.get(0)).isCloseTo(1.0, within(1e-12));
    assertThat(g.get(3)).isCloseTo(0.0, within(1e-12));
  }

  @Test
  void theWalkingSearchesWeighAPairAsTheColumnDoesToTheLastBit() {
    List<Row> ds = new ArrayList<>();
    for (int i = 0; i <= 1000; i++) {
      ds.add(RowFactory.create(i * 0.5003));
    }
    Dataset<Row> d = spark.createDataFrame(ds, StructType.fromDDL("d DOUBLE"));
    for (FacilityCatalog.Category c : CapacityFrame.categories(catalog)) {
      double d0 = c.reachM();
      Decay decay = Decay.of(c);
      List<Row> rows =
          d.select(col("d"), CapacityFrame.weight(catalog, lit(c.code()), col("d"), lit(d0)))
              .collectAsList();
      for (Row r : rows) {
        assertThat(decay.weight(r.getDouble(0), d0))
            .as(c.code() + " at " + r.getDouble(0))
            .isEqualTo(r.getDouble(1));
      }
    }
  }

  @Test
  void pairSearchPlansAsASedonaDistanceJoin() {
    Dataset<Row> cap = CapacityFrame.of(spark, catalog);
    SparkPlans.assertSedonaSpatialJoin(
        TwoStepCatchment.candidatePairs(
            read("facilities").where(col("capacity").isNotNull()),
            read("building_population"),
            cap));
  }

  private static double w(double d) {
    return (Math.exp(-0.5 * (d / 300) * (d / 300)) - E) / (1 - E);
  }

  private static Map<String, Double> facilityColumn(String category, String column) {
    Map<String, Double> out = new TreeMap<>();
    for (Row r :
        read(Tables.FACILITY_ADEQUACY)
            .where(col("level").equalTo("facility").and(col("category").equalTo(category)))
            .select("facility_id", column)
            .collectAsList()) {
      out.put(r.getString(0), r.isNullAt(1) ? null : r.getDouble(1));
    }
    return out;
  }

  private static Map<String, Double> accessibility(String category) {
    Map<String, Double> out = new TreeMap<>();
    for (Row r :
        computed
            .communities()
            .where(col("category").equalTo(category))
            .select("community_code", "accessibility_index")
            .collectAsList()) {
      out.put(r.getString(0), r.getDouble(1));
    }
    return out;
  }

  private static Map<String, Object> facility(
      String id, String category, double x, Double capacity, long row) {
    Map<String, Object> m = new HashMap<>();
    m.put("source_row", row);
    m.put("facility_id", id);
    m.put("category", category);
    m.put("capacity", capacity);
    m.put("geometry", point(X0 + x, Y0));
    return m;
  }

  private static Map<String, Object> home(String id, String community, double x, long residents) {
    Map<String, Object> m = new HashMap<>();
    m.put("building_id", id);
    m.put("community_code", community);
    m.put("origin", point(X0 + x, Y0));
    m.put("residential_floor_area_m2", 1000.0);
    m.put("allocation", "building");
    for (String band : AgeBands.COLUMNS) {
      m.put(band, 0L);
    }
    m.put("pop_15_59", residents);
    m.put("residents", residents);
    return m;
  }

  static Map<String, Object> access(
      String id,
      String community,
      double x,
      String category,
      long residents,
      long target,
      String basis) {
    Map<String, Object> m = new HashMap<>();
    m.put("building_id", id);
    m.put("community_code", community);
    m.put("origin", point(X0 + x, Y0));
    m.put("category", category);
    m.put("threshold_m", 300.0);
    m.put("walker", "average");
    m.put("threshold_min", 5.0);
    m.put("within_threshold", false);
    m.put("covered", false);
    m.put("distance_basis", basis);
    m.put("residents", residents);
    m.put("target_residents", target);
    return m;
  }
}
