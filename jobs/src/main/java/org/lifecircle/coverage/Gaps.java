package org.lifecircle.coverage;

import static org.apache.spark.sql.functions.ceil;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * The gap ledger. Severity (docs/TABLES.md): uncovered target residents x the level's weight from
 * the catalog x (1 + min(excess / threshold, 2)); a gap with nothing reachable counts as 3x. One
 * ranking per city and snapshot across both gap kinds, worst first; ties by community code,
 * category, then gap kind.
 */
public final class Gaps {
  private static final double MAX_EXCESS_FACTOR = 2.0;

  /** Distance x residents, summed exactly: 28 digits of metre-persons, 10 after the point. */
  static final String DISTANCE_SUM = "decimal(38,10)";

  private Gaps() {}

  /** The distance used for coverage on each row's basis. */
  static Column basisDistance(double detourFactor) {
    return when(col("distance_basis").equalTo("network"), col("network_distance_m"))
        .when(
            col("distance_basis").equalTo("straight_line_detour"),
            col("distance_m").multiply(detourFactor))
        .otherwise(col("distance_m"));
  }

  /**
   * Distance gaps: the communities whose coverage rate of a category is below {@code gapShare},
   * with the mean distance of their uncovered target residents on the coverage basis, from {@link
   * CoverageStage#cells} and the community_coverage rows.
   */
  public static Dataset<Row> distanceGaps(
      Dataset<Row> cells, Dataset<Row> coverage, Dataset<Row> cat, double gapShare) {
    Dataset<Row> uncovered =
        cells
            .groupBy(col("community_code").as("u_community"), col("category").as("u_category"))
            .agg(
                sum("uncovered_distance_sum").as("wsum"),
                sum("uncovered_distance_residents").as("wn"));
    Dataset<Row> short_ =
        coverage
            .where(
                col("area_level")
                    .equalTo("community")
                    .and(col("target_residents").gt(0))
                    .and(col("coverage_rate").lt(gapShare)))
            .join(cat, col("category").equalTo(col("cat_code")))
            .join(
                uncovered,
                col("area_code")
                    .equalTo(col("u_community"))
                    .and(col("category").equalTo(col("u_category"))),
                "left")
            .withColumn(
                "nearest_distance_m",
                when(col("wn").gt(0), col("wsum").cast("double").divide(col("wn"))))
            .withColumn("uncovered", col("target_residents").minus(col("covered_target_residents")))
            .withColumn("excess_m", col("nearest_distance_m").minus(col("cat_threshold_m")));
    Column excessFactor =
        when(col("excess_m").isNull(), lit(1 + MAX_EXCESS_FACTOR))
            .otherwise(
                lit(1.0)
                    .plus(
                        least(
                            lit(MAX_EXCESS_FACTOR),
                            col("excess_m").divide(col("cat_threshold_m")))));
    return short_.select(
        col("area_code").as("community_code"),
        col("category"),
        lit("distance").as("gap_kind"),
        col("target_residents"),
        col("uncovered").as("target_residents_uncovered"),
        col("nearest_distance_m"),
        col("cat_threshold_m").as("threshold_m"),
        col("excess_m"),
        lit(null).cast("double").as("shortfall_places"),
        col("uncovered").multiply(col("cat_severity_weight")).multiply(excessFactor).as("severity"),
        col("distance_basis"));
  }

  /**
   * Capacity gaps from facility_adequacy's community rows: communities with target residents and a
   * shortfall. Uncovered target residents = ceil(target x shortfall / required), required = norm /
   * 1000 x basis_population, at most the target residents; severity = uncovered x the level's
   * weight (no distance factor: the places are missing, not far).
   */
  public static Dataset<Row> capacityGaps(Dataset<Row> adequacy, Dataset<Row> cat) {
    Column required = col("norm_per_1000").divide(1000).multiply(col("basis_population"));
    // Rounded to 1e-6 before ceil so that 47.000000000001 from floating point stays 47.
    Column uncovered =
        least(
            col("target_residents"),
            ceil(round(
                    col("target_residents").multiply(col("shortfall_places")).divide(required), 6))
                .cast("long"));
    return adequacy
        .where(
            col("level")
                .equalTo("community")
                .and(col("target_residents").gt(0))
                .and(col("shortfall_places").gt(0)))
        .join(cat, col("category").equalTo(col("cat_code")))
        .select(
            col("community_code"),
            col("category"),
            lit("capacity").as("gap_kind"),
            col("target_residents"),
            uncovered.as("target_residents_uncovered"),
            lit(null).cast("double").as("nearest_distance_m"),
            col("threshold_m"),
            lit(null).cast("double").as("excess_m"),
            col("shortfall_places"),
            uncovered.multiply(col("cat_severity_weight")).as("severity"),
            col("distance_basis"));
  }

  /**
   * The ledger: {@code gaps} (both kinds) in one severity ranking per city and date, worst first,
   * so a planner reading {@code ORDER BY rank} reads one list.
   */
  public static Dataset<Row> ranked(Dataset<Row> gaps, String cityCode, LocalDate date) {
    // Partitioned by the snapshot keys (one value each), which also keeps Spark from warning that
    // a window without partition moves all rows to one partition; coalesced: one file per write.
    return gaps.withColumn("city_code", lit(cityCode))
        .withColumn("snapshot_date", lit(Date.valueOf(date)))
        .coalesce(1)
        .withColumn(
            "rank",
            row_number()
                .over(
                    Window.partitionBy("city_code", "snapshot_date")
                        .orderBy(
                            col("severity").desc(),
                            col("community_code"),
                            col("category"),
                            col("gap_kind"))));
  }
}
