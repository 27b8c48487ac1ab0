package org.lifecircle.coverage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.lifecircle.SilverRows.box;
import static org.lifecircle.SilverRows.point;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.SilverRows;
import org.lifecircle.TestSpark;
import org.lifecircle.catalog.AgeBands;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageResult;
import org.lifecircle.io.MemoryStageTables;

/**
 * The coverage stage's logic on tables in memory: it writes the whole gap ledger once, distance
 * gaps from building_access and capacity gaps from the adequacy stage's community shortfalls, in
 * one ranking. Hand-worked (default catalog: kindergarten 5 minutes, walked by a child with a carer
 * at 48 m/min, so 240 m; kindergarten and nursery both level 5, weight 1.0; gap share 0.8):
 *
 * <p>Community C1 holds B1 (kindergarten target 10, covered on the network at 120 m) and B2 (target
 * 30, not covered, 450 m on the network). C1 kindergarten: 10 of 40 covered, rate 0.25 < 0.8, a
 * distance gap: 30 uncovered at 450 m, excess 450 - 240 = 210 m, severity 30 x 1.0 x (1 + 210 /
 * 240) = 56.25 (an average walker's 300 m would have given 45).
 *
 * <p>facility_adequacy, community rows: C1 nursery, target 150, basis population 1,500 (norm 4.5
 * per 1,000 of all residents: 6.75 places required), shortfall 3.240945: uncovered ceil(150 x
 * 3.240945 / 6.75) = ceil(72.02) = 73, severity 73 x 1.0 = 73. C2 nursery has no shortfall, C3
 * nursery no target residents: neither is a gap. The facility row is not a community: not a gap.
 *
 * <p>Ledger: 1 capacity C1 nursery 73; 2 distance C1 kindergarten 56.25.
 */
class CoverageStageTest {
  private static SparkSession spark;
  private static MemoryStageTables tables;
  private static StageResult result;

  @BeforeAll
  static void runOnHandWrittenRows() {
    spark = TestSpark.session();
    CityConfig city = CityConfig.load(Path.of("src/test/resources/ingest/city.yaml"));
    RunContext ctx =
        new RunContext(
            "coverage-memory",
            city,
            LocalDate.of(2026, 6, 30),
            TestSpark.tempDir("coverage-memory").resolve("unused-warehouse"));
    tables = MemoryStageTables.of(spark, ctx);
    SilverRows.write(
        spark,
        tables,
        "admin_areas",
        List.of(
            area(1, "C1", "community"),
            area(2, "C2", "community"),
            area(3, "S1", "street"),
            area(4, "D1", "district")));
    SilverRows.write(
        spark, tables, "building_population", List.of(home("B1", 100), home("B2", 200)));
    SilverRows.write(
        spark,
        tables,
        "building_access",
        List.of(access("B1", 100, 10, 120.0, true), access("B2", 200, 30, 450.0, false)));
    SilverRows.write(
        spark,
        tables,
        "facility_adequacy",
        List.of(
            adequacy("community", "C1", 150L, 1500L, 3.240945),
            adequacy("community", "C2", 150L, 1500L, 0.0),
            adequacy("community", "C3", 0L, 0L, 0.0),
            adequacy("facility", null, null, null, null)));
    result = new CoverageStage().run(spark, ctx, tables);
  }

  @Test
  void theLedgerRanksBothKindsTogether() {
    List<Row> ledger =
        tables
            .snapshot("coverage_gaps")
            .orderBy("rank")
            .select(
                "rank",
                "gap_kind",
                "community_code",
                "category",
                "target_residents_uncovered",
                "severity",
                "nearest_distance_m",
                "excess_m",
                "shortfall_places")
            .collectAsList();
    assertThat(ledger).hasSize(2);
    Row capacity = ledger.get(0);
    assertThat(capacity.getInt(0)).isEqualTo(1);
    assertThat(capacity.getString(1)).isEqualTo("capacity");
    assertThat(capacity.getString(2) + "/" + capacity.getString(3)).isEqualTo("C1/nursery");
    assertThat(capacity.getLong(4)).isEqualTo(73);
    assertThat(capacity.getDouble(5)).isEqualTo(73.0);
    assertThat(capacity.isNullAt(6)).isTrue();
    assertThat(capacity.getDouble(8)).isEqualTo(3.240945);
    Row distance = ledger.get(1);
    assertThat(distance.getInt(0)).isEqualTo(2);
    assertThat(distance.getString(1)).isEqualTo("distance");
    assertThat(distance.getString(2) + "/" + distance.getString(3)).isEqualTo("C1/kindergarten");
    assertThat(distance.getLong(4)).isEqualTo(30);
    assertThat(distance.getDouble(5)).isCloseTo(56.25, within(1e-9));
    assertThat(distance.getDouble(6)).isCloseTo(450.0, within(1e-9));
    assertThat(distance.getDouble(7)).isCloseTo(210.0, within(1e-9));
  }

  @Test
  void itWritesItsTwoTablesAndNothingElse() {
    assertThat(result.tablesWritten())
        .containsOnlyKeys("community_coverage", "coverage_gaps")
        .containsEntry("coverage_gaps", 2L);
    Row c1 =
        tables
            .snapshot("community_coverage")
            .where("area_level = 'community' AND area_code = 'C1' AND category = 'kindergarten'")
            .select("target_residents", "covered_target_residents", "coverage_rate")
            .first();
    assertThat(c1.getLong(0)).isEqualTo(40);
    assertThat(c1.getLong(1)).isEqualTo(10);
    assertThat(c1.getDouble(2)).isCloseTo(0.25, within(1e-12));
  }

  private static Map<String, Object> area(long row, String code, String level) {
    Map<String, Object> m = new HashMap<>();
    m.put("source_row", row);
    m.put("area_code", code);
    m.put("level", level);
    m.put("geometry", box(0, 0, 1000, 1000));
    return m;
  }

  private static Map<String, Object> home(String id, long residents) {
    Map<String, Object> m = new HashMap<>();
    m.put("building_id", id);
    m.put("community_code", "C1");
    m.put("street_code", "S1");
    m.put("district_code", "D1");
    m.put("origin", point(100, 100));
    m.put("residential_floor_area_m2", 1000.0);
    m.put("allocation", "building");
    for (String band : AgeBands.COLUMNS) {
      m.put(band, 0L);
    }
    m.put("residents", residents);
    return m;
  }

  private static Map<String, Object> access(
      String id, long residents, long target, double networkM, boolean covered) {
    Map<String, Object> m = new HashMap<>();
    m.put("building_id", id);
    m.put("community_code", "C1");
    m.put("origin", point(100, 100));
    m.put("category", "kindergarten");
    m.put("threshold_m", 240.0);
    m.put("walker", "child_with_carer");
    m.put("threshold_min", 5.0);
    m.put("walk_min", networkM / 48);
    m.put("distance_m", networkM / 1.4);
    m.put("within_threshold", true);
    m.put("network_distance_m", networkM);
    m.put("within_threshold_network", covered);
    m.put("distance_basis", "network");
    m.put("covered", covered);
    m.put("residents", residents);
    m.put("target_residents", target);
    return m;
  }

  private static Map<String, Object> adequacy(
      String level, String community, Long target, Long basis, Double shortfall) {
    Map<String, Object> m = new HashMap<>();
    m.put("level", level);
    m.put("category", "nursery");
    m.put("community_code", community);
    m.put("facility_id", community == null ? "N1" : null);
    m.put("target_residents", target);
    m.put("basis_population", basis);
    m.put("shortfall_places", shortfall);
    m.put("norm_per_1000", 4.5);
    m.put("norm_basis", "all");
    m.put("decay", "gaussian");
    m.put("threshold_m", 300.0);
    m.put("distance_basis", "network");
    return m;
  }
}
