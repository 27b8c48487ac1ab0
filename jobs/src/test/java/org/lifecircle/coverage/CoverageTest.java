package org.lifecircle.coverage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestCategories;
import org.lifecircle.TestSpark;
import org.lifecircle.catalog.FacilityCatalog;

/**
 * Hand-worked: C1 has b1 (kindergarten target 10, covered at 200 m; pharmacy target 100, 600 m) and
 * b2 (kindergarten target 5 at 400 m; pharmacy 50 covered at 450 m); C2 has b3 (no children;
 * pharmacy 80 covered). Kindergarten 300 m, level 5, weight 1.0, complete-community; pharmacy 500
 * m, level 10, weight 0.8. Shares 0.8. C1 kindergarten 10/15 = 0.667, pharmacy 50/150 = 0.333; C2
 * pharmacy 80/80, kindergarten n/a. C1 is not complete (0.667 < 0.8), C2 is (no children to miss).
 * C3 (in admin_areas) has no home: its rows are zeros with a null rate and no complete-community
 * flag. Gaps: C1 pharmacy: 100 uncovered at 600 m, severity 100 x 0.8 x (1 + 100/500) = 96 (rank
 * 1); C1 kindergarten: 5 uncovered at 400 m, 5 x 1.0 x (1 + 100/300) = 6.667 (rank 2).
 */
class CoverageTest {
  private static Dataset<Row> coverage;
  private static Dataset<Row> gaps;
  private static StructType accessSchema;

  @BeforeAll
  static void compute() {
    SparkSession spark = TestSpark.session();
    StructType s =
        new StructType()
            .add("building_id", DataTypes.StringType)
            .add("community_code", DataTypes.StringType)
            .add("street_code", DataTypes.StringType)
            .add("district_code", DataTypes.StringType)
            .add("category", DataTypes.StringType)
            .add("distance_m", DataTypes.DoubleType)
            .add("network_distance_m", DataTypes.DoubleType)
            .add("distance_basis", DataTypes.StringType)
            .add("covered", DataTypes.BooleanType)
            .add("residents", DataTypes.LongType)
            .add("target_residents", DataTypes.LongType);
    List<Row> rows =
        new ArrayList<>(
            List.of(
                row("b1", "C1", "kindergarten", 200.0, true, 100, 10),
                row("b1", "C1", "pharmacy", 600.0, false, 100, 100),
                row("b2", "C1", "kindergarten", 400.0, false, 50, 5),
                row("b2", "C1", "pharmacy", 450.0, true, 50, 50),
                row("b3", "C2", "kindergarten", null, false, 80, 0),
                row("b3", "C2", "pharmacy", 300.0, true, 80, 80)));
    accessSchema = s;
    Dataset<Row> access = spark.createDataFrame(rows, s);
    FacilityCatalog catalog =
        new FacilityCatalog(
            Map.of(5, 1.0, 10, 0.8, 15, 0.6),
            List.of(
                TestCategories.of("kindergarten", 5, 300.0, "3_5", true),
                TestCategories.of("pharmacy", 10, 500.0, "all", false)));
    Dataset<Row> cat = CatalogFrame.of(spark, catalog);
    Dataset<Row> areas =
        spark.createDataFrame(
            List.of(
                RowFactory.create("community", "C1"),
                RowFactory.create("community", "C2"),
                RowFactory.create("community", "C3"),
                RowFactory.create("street", "S1"),
                RowFactory.create("district", "D1")),
            new StructType()
                .add("area_level", DataTypes.StringType)
                .add("area_code", DataTypes.StringType));
    Dataset<Row> cells = CoverageStage.cells(access, 1.3);
    coverage = CoverageStage.coverage(cells, areas, cat, "990102", 0.8).cache();
    gaps = Gaps.distanceGaps(cells, coverage, cat, 0.8).cache();
  }

  private static Row row(
      String b, String c, String cat, Double d, boolean covered, long res, long target) {
    return RowFactory.create(b, c, "S1", "D1", cat, d, null, "straight_line", covered, res, target);
  }

  /**
   * The cells are summed by hash, each keeping its rows' distance basis: an aggregate holding a
   * string (the first basis, as before) runs sort-based and sorted SF 1's 30.6 M rows by four keys.
   */
  @Test
  void cellsAreSummedByHashAndKeepTheirBasis() {
    List<Row> rows = new ArrayList<>();
    for (String basis : List.of("network", "straight_line_detour", "straight_line")) {
      rows.add(
          RowFactory.create(
              "b-" + basis,
              "C-" + basis,
              "S1",
              "D1",
              "pharmacy",
              100.0,
              120.0,
              basis,
              true,
              9L,
              9L));
    }
    Dataset<Row> cells =
        CoverageStage.cells(TestSpark.session().createDataFrame(rows, accessSchema), 1.3);
    String plan = cells.queryExecution().executedPlan().toString();
    assertThat(plan).contains("HashAggregate").doesNotContain("SortAggregate");
    Map<String, String> basisOf = new TreeMap<>();
    cells
        .select("community_code", "distance_basis")
        .collectAsList()
        .forEach(r -> basisOf.put(r.getString(0), r.getString(1)));
    assertThat(basisOf)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "C-network", "network",
                "C-straight_line_detour", "straight_line_detour",
                "C-straight_line", "straight_line"));
  }

  @Test
  void ratesPerLevelAreTheHandWorkedOnes() {
    Map<String, Object> got = new TreeMap<>();
    for (Row r :
        coverage
            .select(
                "area_level",
                "area_code",
                "category",
                "residents",
                "target_residents",
                "covered_target_residents",
                "coverage_rate")
            .collectAsList()) {
      got.put(
          r.getString(0) + "/" + r.getString(1) + "/" + r.getString(2),
          List.of(
              r.getLong(3),
              r.getLong(4),
              r.getLong(5),
              r.isNullAt(6) ? "null" : String.format("%.4f", r.getDouble(6))));
    }
    assertThat(got)
        .containsAllEntriesOf(
            Map.of(
                "community/C1/kindergarten", List.of(150L, 15L, 10L, "0.6667"),
                "community/C1/pharmacy", List.of(150L, 150L, 50L, "0.3333"),
                "community/C2/kindergarten", List.of(80L, 0L, 0L, "null"),
                "community/C2/pharmacy", List.of(80L, 80L, 80L, "1.0000"),
                "street/S1/pharmacy", List.of(230L, 230L, 130L, "0.5652"),
                "district/D1/kindergarten", List.of(230L, 15L, 10L, "0.6667"),
                "city/990102/pharmacy", List.of(230L, 230L, 130L, "0.5652"),
                "community/C3/kindergarten", List.of(0L, 0L, 0L, "null"),
                "community/C3/pharmacy", List.of(0L, 0L, 0L, "null")));
    assertThat(got).hasSize(12); // 3 communities + street + district + city, x 2 categories
  }

  @Test
  void completeCommunityFlagOnlyOnCommunityRows() {
    Map<String, Boolean> flags = new TreeMap<>();
    for (Row r :
        coverage
            .select("area_level", "area_code", "complete_community")
            .distinct()
            .collectAsList()) {
      flags.put(r.getString(0) + "/" + r.getString(1), r.isNullAt(2) ? null : r.getBoolean(2));
    }
    Map<String, Boolean> expected = new TreeMap<>();
    expected.put("community/C1", false);
    expected.put("community/C2", true);
    expected.put("community/C3", null);
    expected.put("street/S1", null);
    expected.put("district/D1", null);
    expected.put("city/990102", null);
    assertThat(flags).containsExactlyEntriesOf(expected);
  }

  @Test
  void gapLedgerHasSeverityAsDocumented() {
    List<Row> g =
        gaps.orderBy(col("severity").desc())
            .select(
                "community_code",
                "category",
                "target_residents_uncovered",
                "nearest_distance_m",
                "excess_m",
                "severity")
            .collectAsList();
    assertThat(g).hasSize(2);
    assertThat(g.get(0).getString(1)).isEqualTo("pharmacy");
    assertThat(g.get(0).getLong(2)).isEqualTo(100);
    assertThat(g.get(0).getDouble(3)).isCloseTo(600, within(1e-9));
    assertThat(g.get(0).getDouble(5)).isCloseTo(96.0, within(1e-9));
    assertThat(g.get(1).getString(1)).isEqualTo("kindergarten");
    assertThat(g.get(1).getDouble(4)).isCloseTo(100, within(1e-9));
    assertThat(g.get(1).getDouble(5)).isCloseTo(5 * (1 + 100.0 / 300), within(1e-9));
  }

  @Test
  void bothGapKindsShareOneRanking() {
    // Capacity rows made from the two distance gaps, with severities 50 (pharmacy) and 3: one
    // ranking by severity interleaves them with the distance rows (96 and 6.667).
    Dataset<Row> capacity =
        gaps.withColumn("gap_kind", lit("capacity"))
            .withColumn(
                "severity",
                when(col("category").equalTo("pharmacy"), lit(50.0)).otherwise(lit(3.0)));
    List<String> ledger =
        Gaps.ranked(gaps.unionByName(capacity), "990102", LocalDate.of(2026, 6, 30))
            .orderBy("rank")
            .select("rank", "gap_kind", "category")
            .collectAsList()
            .stream()
            .map(r -> r.getInt(0) + " " + r.getString(1) + " " + r.getString(2))
            .toList();
    assertThat(ledger)
        .containsExactly(
            "1 distance pharmacy",
            "2 capacity pharmacy",
            "3 distance kindergarten",
            "4 capacity kindergarten");
  }
}
