package org.lifecircle.assets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lifecircle.assets.AssetsFixture.at;
import static org.lifecircle.assets.AssetsFixture.building;
import static org.lifecircle.assets.AssetsFixture.community;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.SilverRows;
import org.lifecircle.SparkPlans;
import org.lifecircle.TestSpark;
import org.lifecircle.access.FacilityCatalog;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageResult;
import org.lifecircle.io.DeltaTables;

/**
 * Hand-worked recommendations (default catalog; basis straight_line_detour, factor 1.3, so 300 m
 * thresholds reach 230.8 m of straight line). Idle (0 kWh) commercial buildings on y = 500:
 * a1 x=100 (2,000 m2), a2 x=1100 (2,000 m2, historic building), a4 x=1200 (1,500 m2), a3 x=1700
 * (500 m2, rated C); a5 x=100, y=900 is in use. Uncovered homes: h1 x=200, h2 x=350 (250 m from
 * a1: 325 m with the detour, out), h3 x=1150, h4 x=1800; h5 is covered and does not count.
 *   health_station (heritage ok, >= 120 m2): 100 + 50 + 80 + 60 = 290 uncovered, first.
 *     a1 covers h1 (100), a2 and a4 cover h3 (80, tie: a2 is the smaller id), a3 covers h4 (60):
 *     picks a1 100 (190 left), a2 80 (110 left), a3 60 (50 left); a4 then adds nothing.
 *   bus_stop: 100 uncovered, no host block: no candidates.
 *   kindergarten (no heritage, >= 1,200 m2): 65 uncovered. a1 is taken by health_station, a2 is
 *     protected, a3 too small: a4 covers h3 (30), 35 left.
 *   pharmacy has uncovered residents but no gap row: not planned.
 */
class RecommendStageTest {
  private static final LocalDate DAY = LocalDate.of(2026, 6, 30);
  private static SparkSession spark;
  private static RunContext ctx;
  private static StageResult result;

  @BeforeAll
  static void handWorkedCity() {
    spark = TestSpark.session();
    CityConfig city = CityConfig.load(Path.of("src/test/resources/ingest/city.yaml"));
    ctx = new RunContext("recommend-test", city, DAY, TestSpark.tempDir("recommend").resolve("warehouse"));
    SilverRows.write(spark, ctx, "admin_areas", List.of(community("C1", 0, 1000),
        community("C2", 1000, 2000)));
    SilverRows.write(spark, ctx, "buildings", List.of(
        building("a1", "commercial", 100, 500, Map.of("annual_kwh", 0.0, "gross_floor_area_m2", 2000.0)),
        building("a2", "commercial", 1100, 500, Map.of("annual_kwh", 0.0, "gross_floor_area_m2", 2000.0,
            "heritage_status", "historic_building")),
        building("a4", "commercial", 1200, 500, Map.of("annual_kwh", 0.0, "gross_floor_area_m2", 1500.0)),
        building("a3", "commercial", 1700, 500, Map.of("annual_kwh", 0.0, "gross_floor_area_m2", 500.0,
            "safety_rating", "C")),
        building("a5", "commercial", 100, 900, Map.of("annual_kwh", 3000.0, "gross_floor_area_m2", 5000.0))));
    new AssetsStage().run(spark, ctx);
    List<Map<String, Object>> access = new ArrayList<>();
    for (Object[] h : new Object[][] {{"h1", 200.0, 100L, 20L}, {"h2", 350.0, 50L, 5L},
        {"h3", 1150.0, 80L, 30L}, {"h4", 1800.0, 60L, 10L}}) {
      String id = (String) h[0];
      double x = (Double) h[1];
      access.add(access(id, x, "health_station", false, (Long) h[2]));
      access.add(access(id, x, "kindergarten", false, (Long) h[3]));
    }
    access.add(access("h5", 150.0, "health_station", true, 200L));
    access.add(access("h1", 200.0, "pharmacy", false, 100L));
    access.add(access("h1", 200.0, "bus_stop", false, 100L));
    SilverRows.write(spark, ctx, "building_access", access);
    SilverRows.write(spark, ctx, "coverage_gaps", List.of(gap("C1", "health_station", 1),
        gap("C2", "health_station", 2), gap("C1", "kindergarten", 3), gap("C1", "bus_stop", 4)));
    result = new RecommendStage().run(spark, ctx);
  }

  @Test
  void greedyPicksPerCategoryAreTheHandWorkedOnes() {
    List<String> got = new ArrayList<>();
    for (Row r : DeltaTables.readSnapshot(spark, ctx, RecommendStage.TABLE)
        .orderBy("category", "rank")
        .select("category", "rank", "asset_id", "kind", "community_code", "floor_area_m2",
            "newly_covered_target_residents", "newly_covered_buildings", "cumulative_covered",
            "remaining_uncovered", "protected_heritage", "dangerous", "distance_basis", "threshold_m")
        .collectAsList()) {
      got.add(r.mkString(" "));
    }
    assertThat(got).containsExactly(
        "health_station 1 B:a1 building C1 2000.0 100 1 100 190 false false straight_line_detour 300.0",
        "health_station 2 B:a2 building C2 2000.0 80 1 180 110 true false straight_line_detour 300.0",
        "health_station 3 B:a3 building C2 500.0 60 1 240 50 false true straight_line_detour 300.0",
        "kindergarten 1 B:a4 building C2 1500.0 30 1 30 35 false false straight_line_detour 300.0");
  }

  @Test
  void headlinesNameTheTopSitesPerCategory() {
    assertThat(result.tablesWritten()).containsEntry(RecommendStage.TABLE, 4L);
    assertThat(String.join("\n", result.headlines()))
        .contains("health_station", "#1 B:a1", "+100 residents, 190 left",
            "[heritage: reuse only]", "[dangerous: repair first]",
            "bus_stop", "no idle asset can host it nearby");
  }

  @Test
  void candidatePairsComeFromASedonaDistanceJoin() {
    FacilityCatalog catalog = FacilityCatalog.load(ctx.city());
    Dataset<Row> assets = RecommendStage.openAssets(spark, ctx);
    Dataset<Row> candidates = Candidates.candidates(assets,
        Candidates.hosts(spark, catalog, List.of("health_station", "kindergarten")));
    Dataset<Row> uncovered = DeltaTables.readSnapshot(spark, ctx, "building_access")
        .where("NOT covered");
    SparkPlans.assertSedonaSpatialJoin(Candidates.pairs(assets, candidates, uncovered, 1.3, "kindergarten"));
  }

  private static Map<String, Object> access(String id, double x, String category, boolean covered,
      long target) {
    Map<String, Object> m = new HashMap<>();
    m.put("building_id", id);
    m.put("community_code", x < 1000 ? "C1" : "C2");
    m.put("origin", at(x, 500));
    m.put("category", category);
    m.put("threshold_m", 300.0);
    m.put("within_threshold", covered);
    m.put("distance_basis", "straight_line_detour");
    m.put("covered", covered);
    m.put("residents", target);
    m.put("target_residents", target);
    return m;
  }

  private static Map<String, Object> gap(String community, String category, int rank) {
    Map<String, Object> m = new HashMap<>();
    m.put("community_code", community);
    m.put("category", category);
    m.put("gap_kind", "distance");
    m.put("target_residents", 100L);
    m.put("target_residents_uncovered", 100L);
    m.put("threshold_m", 300.0);
    m.put("severity", 100.0);
    m.put("rank", rank);
    m.put("distance_basis", "straight_line_detour");
    return m;
  }
}
