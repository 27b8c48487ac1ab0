package org.lifecircle.population;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lifecircle.SilverRows.box;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.SilverRows;
import org.lifecircle.SparkPlans;
import org.lifecircle.TestSpark;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.RunContext;
import org.lifecircle.io.DeltaTables;

/**
 * A hand-worked city (metric coordinates): two communities, five grid cells. Cell X holds b1 (1,000
 * m2) and b2 (3,000 m2) with 7 residents aged 15-59 and 2 aged 0-2: quotas 1.75/5.25 and 0.5/1.5,
 * so by largest remainder b1 gets 2 and 1, b2 gets 5 and 1. Cell Y's 3 older residents all go to
 * b3; cell Z's 4 go to b4, which lies in no community (quarantined); cell W has 5 people and no
 * home (quarantined); cell V is empty.
 */
class PopulationStageTest {
  private static final double X0 = 528_000;
  private static final double Y0 = 3_385_000;
  private static SparkSession spark;
  private static RunContext ctx;

  @BeforeAll
  static void handWorkedCity() {
    spark = TestSpark.session();
    CityConfig city = CityConfig.load(Path.of("src/test/resources/ingest/city.yaml"));
    ctx = new RunContext("pop-test", city, LocalDate.of(2026, 6, 30),
        TestSpark.tempDir("population").resolve("warehouse"));
    SilverRows.write(spark, ctx, "admin_areas", List.of(
        area("D1", "district", null, box(X0, Y0, X0 + 400, Y0 + 200), 1),
        area("S1", "street", "D1", box(X0, Y0, X0 + 400, Y0 + 200), 2),
        area("C1", "community", "S1", box(X0, Y0, X0 + 200, Y0 + 200), 3),
        area("C2", "community", "S1", box(X0 + 200, Y0, X0 + 400, Y0 + 200), 4)));
    SilverRows.write(spark, ctx, "buildings", List.of(
        building("b1", "residential", 50, 50, 1000.0, 1),
        building("b2", "residential", 150, 50, 3000.0, 2),
        building("b3", "residential", 250, 50, 500.0, 3),
        building("b4", "residential", 500, 50, 800.0, 4),
        building("c1", "commercial", 350, 50, 9000.0, 5)));
    SilverRows.write(spark, ctx, "population", List.of(
        cell("X", 0, Map.of("pop_15_59", 7L, "pop_0_2", 2L), 1),
        cell("Y", 200, Map.of("pop_60_64", 3L), 2),
        cell("Z", 400, Map.of("pop_15_59", 4L), 3),
        cell("W", 600, Map.of("pop_15_59", 5L), 4),
        cell("V", 800, Map.of(), 5)));
    new PopulationStage().run(spark, ctx);
  }

  @Test
  void largestRemainderPreservesTotalsAndBreaksTiesByIndex() {
    assertThat(Dasymetric.largestRemainder(10, new double[] {1, 1, 1})).containsExactly(4, 3, 3);
    assertThat(Dasymetric.largestRemainder(7, new double[] {0.5, 0.3, 0.2})).containsExactly(4, 2, 1);
    assertThat(Dasymetric.largestRemainder(5, new double[] {0, 0})).containsExactly(3, 2);
    assertThat(Dasymetric.largestRemainder(0, new double[] {2, 3})).containsExactly(0, 0);
  }

  @Test
  void residentsAreAllocatedByFloorAreaExactly() {
    Map<String, List<Object>> got = new TreeMap<>();
    for (Row r : DeltaTables.readSnapshot(spark, ctx, "building_population")
        .select("building_id", "community_code", "street_code", "district_code", "pop_0_2",
            "pop_15_59", "pop_60_64", "residents", "allocation").collectAsList()) {
      got.put(r.getString(0), List.of(r.getString(1), r.getString(2), r.getString(3), r.getLong(4),
          r.getLong(5), r.getLong(6), r.getLong(7), r.getString(8)));
    }
    assertThat(got).containsExactlyEntriesOf(new TreeMap<>(Map.of(
        "b1", List.of("C1", "S1", "D1", 1L, 2L, 0L, 3L, "cell"),
        "b2", List.of("C1", "S1", "D1", 1L, 5L, 0L, 6L, "cell"),
        "b3", List.of("C2", "S1", "D1", 0L, 0L, 3L, 3L, "cell"))));
  }

  @Test
  void unplacedPeopleAndBuildingsAreQuarantinedWithReasons() {
    Map<String, String> q = new TreeMap<>();
    for (Row r : DeltaTables.readSnapshot(spark, ctx, "quarantine").where("stage = 'population'")
        .select("record_id", "reason_code").collectAsList()) {
      q.put(r.getString(0), r.getString(1));
    }
    assertThat(q).containsExactlyEntriesOf(new TreeMap<>(Map.of(
        "W", "NO_RESIDENTIAL_BUILDING", "b4", "NO_COMMUNITY")));
  }

  @Test
  void spatialJoinsPlanAsSedonaJoins() {
    Dataset<Row> homes = PopulationStage.residentialOrigins(
        DeltaTables.readSnapshot(spark, ctx, "buildings"));
    SparkPlans.assertSedonaSpatialJoin(
        Communities.place(homes, DeltaTables.readSnapshot(spark, ctx, "admin_areas")));
    SparkPlans.assertSedonaSpatialJoin(Dasymetric.homesInCells(
        DeltaTables.readSnapshot(spark, ctx, "population"), homes));
  }

  private static Map<String, Object> area(String code, String level, String parent,
      org.locationtech.jts.geom.Geometry g, long row) {
    Map<String, Object> m = new HashMap<>();
    m.put("source_row", row);
    m.put("area_code", code);
    m.put("level", level);
    m.put("parent_code", parent);
    m.put("geometry", g);
    return m;
  }

  private static Map<String, Object> building(String id, String use, double cx, double cy,
      double gfa, long row) {
    Map<String, Object> m = new HashMap<>();
    m.put("source_row", row);
    m.put("building_id", id);
    m.put("use", use);
    m.put("floors", 6);
    m.put("gross_floor_area_m2", gfa);
    m.put("geometry", box(X0 + cx - 5, Y0 + cy - 5, X0 + cx + 5, Y0 + cy + 5));
    return m;
  }

  private static Map<String, Object> cell(String id, double x, Map<String, Long> bands, long row) {
    Map<String, Object> m = new HashMap<>();
    m.put("source_row", row);
    m.put("unit_id", id);
    m.put("unit_kind", "cell");
    for (String b : PopulationStage.BANDS) {
      m.put(b, bands.getOrDefault(b, 0L));
    }
    m.put("geometry", box(X0 + x, Y0, X0 + x + 200, Y0 + 200));
    return m;
  }

}
