package org.lifecircle.coverage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;
import org.lifecircle.io.DeltaTables;
import org.lifecircle.io.Tables;

/**
 * The gap ledger. Severity (docs/TABLES.md): uncovered target residents x the level's weight from
 * the catalog x (1 + min(excess / threshold, 2)); a gap with nothing reachable counts as 3x. One
 * ranking per city and snapshot across both gap kinds, worst first; ties by community code,
 * category, then gap kind.
 */
public final class Gaps {
  private static final double MAX_EXCESS_FACTOR = 2.0;

  private Gaps() {}

  /** The distance used for coverage on each row's basis. */
  static Column basisDistance(double detourFactor) {
    return when(col("distance_basis").equalTo("network"), col("network_distance_m"))
        .when(
            col("distance_basis").equalTo("straight_line_detour"),
            col("distance_m").multiply(detourFactor))
        .otherwise(col("distance_m"));
  }

  public static Dataset<Row> distanceGaps(
      Dataset<Row> access,
      Dataset<Row> coverage,
      Dataset<Row> cat,
      double gapShare,
      double detourFactor) {
    Dataset<Row> uncovered =
        access
            .where(col("covered").equalTo(false).and(col("target_residents").gt(0)))
            .withColumn("d", basisDistance(detourFactor))
            .groupBy(col("community_code").as("u_community"), col("category").as("u_category"))
            .agg(
                sum(when(col("d").isNotNull(), col("d").multiply(col("target_residents"))))
                    .as("wsum"),
                sum(when(col("d").isNotNull(), col("target_residents"))).as("wn"));
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
            .withColumn("nearest_distance_m", when(col("wn").gt(0), col("wsum").divide(col("wn"))))
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
   * Replaces this gap kind's rows for the date and ranks the whole ledger anew: one severity
   * ranking per city and date across both kinds, so a planner reading {@code ORDER BY rank} reads
   * one list (the other kind's rows are kept as they are, only their rank changes). Returns the
   * ledger's rows for the date after the write (both kinds), from the commit's metrics.
   */
  public static long write(SparkSession spark, RunContext ctx, Dataset<Row> gaps, String gapKind) {
    Contract contract = Contract.of(Tables.COVERAGE_GAPS);
    DeltaTables.ensure(spark, ctx, contract);
    // Pinned before the overwrite below replaces the files they are read from.
    Dataset<Row> others =
        DeltaTables.readSnapshot(spark, ctx, Tables.COVERAGE_GAPS)
            .where(col("gap_kind").notEqual(lit(gapKind)))
            .drop("rank", "city_code", "snapshot_date")
            .localCheckpoint(true);
    Dataset<Row> ranked =
        gaps.unionByName(others)
            .withColumn("city_code", lit(ctx.cityCode()))
            .withColumn("snapshot_date", lit(Date.valueOf(ctx.snapshotDate())))
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
    long written = DeltaTables.replaceSnapshot(spark, ctx, contract, ranked.coalesce(1));
    others.unpersist();
    return written;
  }
}
