package org.lifecircle.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;
import scala.collection.JavaConverters;

/**
 * A run's scope hands a snapshot it wrote to later readers as the rows written, with the schema a
 * Delta read gives, until anyone commits to the table again; outside a scope readers read Delta.
 * Each reader's rows are compared with a Delta read of the same snapshot (versionAsOf), not with
 * what was written.
 */
class HandoffsIT {
  private static final String GAPS =
      "SELECT * FROM VALUES ('C1', 'pharmacy', 10L), ('C2', 'kindergarten', 7L)"
          + " AS t(community_code, category, target_residents)";

  private static RunContext context(String name) {
    CityConfig city = CityConfig.load(Path.of("src/test/resources/ingest/city.yaml"));
    Path warehouse = TestSpark.tempDir(name).resolve("warehouse");
    return new RunContext(name, city, LocalDate.of(2026, 7, 1), warehouse);
  }

  /** Two rows for coverage_gaps: only the columns a test varies, the rest fixed. */
  private static Dataset<Row> gaps(SparkSession spark) {
    return spark
        .sql(GAPS)
        .selectExpr(
            "community_code",
            "category",
            "'distance' AS gap_kind",
            "target_residents",
            "4L AS target_residents_uncovered",
            "CAST(NULL AS DOUBLE) AS nearest_distance_m",
            "500.0 AS threshold_m",
            "CAST(NULL AS DOUBLE) AS excess_m",
            "CAST(NULL AS DOUBLE) AS shortfall_places",
            "4.0 AS severity",
            "1 AS rank",
            "'network' AS distance_basis");
  }

  private static List<LogicalPlan> leaves(Dataset<Row> df) {
    return JavaConverters.seqAsJavaList(df.queryExecution().optimizedPlan().collectLeaves());
  }

  private static Dataset<Row> deltaAt(SparkSession spark, RunContext ctx, long version) {
    return spark
        .read()
        .format("delta")
        .option("versionAsOf", version)
        .load(ctx.tablePath("coverage_gaps"))
        .where("city_code = '990102' AND snapshot_date = DATE'2026-07-01'");
  }

  @Test
  void aSnapshotWrittenInTheScopeIsReadAsWrittenUntilAnotherCommit() {
    SparkSession spark = TestSpark.session();
    RunContext ctx = context("handoff-scope");
    Contract contract = Contract.of("coverage_gaps");
    try (Handoffs scope = Handoffs.open(spark, true)) {
      CommitMetrics.Commit commit =
          DeltaTables.replaceSnapshotCommit(spark, ctx, contract, gaps(spark));

      Dataset<Row> handed = DeltaTables.input(spark, ctx, "coverage_gaps");
      assertThat(leaves(handed)).hasSize(1).allMatch(LogicalRDD.class::isInstance);
      Dataset<Row> delta = deltaAt(spark, ctx, commit.version());
      assertThat(handed.schema()).isEqualTo(delta.schema());
      assertThat(handed.collectAsList()).containsExactlyInAnyOrderElementsOf(delta.collectAsList());
      // Its row count comes from the commit, without a Spark job.
      assertThat(rowsWithoutJobs(spark, ctx)).isEqualTo(delta.count());

      // Another writer deletes a row: the handed rows are stale and Delta is read again.
      spark.sql(
          "DELETE FROM delta.`" + ctx.tablePath("coverage_gaps") + "` WHERE community_code = 'C2'");
      Dataset<Row> after = DeltaTables.input(spark, ctx, "coverage_gaps");
      assertThat(leaves(after)).allMatch(LogicalRelation.class::isInstance);
      assertThat(after.select("community_code").collectAsList())
          .extracting(r -> r.getString(0))
          .containsExactly("C1");
      assertThat(DeltaTables.rows(spark, ctx, "coverage_gaps")).isEqualTo(1);
    }
  }

  /** DeltaTables.rows of coverage_gaps; fails if it ran a Spark job to know. */
  private static long rowsWithoutJobs(SparkSession spark, RunContext ctx) {
    String group = "handoffs-rows-" + System.nanoTime();
    spark.sparkContext().setJobGroup(group, "rows from the commit", false);
    try {
      long rows = DeltaTables.rows(spark, ctx, "coverage_gaps");
      assertThat(spark.sparkContext().statusTracker().getJobIdsForGroup(group)).isEmpty();
      return rows;
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  @Test
  void closingTheScopeFreesItsBlocksAndReadersGoBackToDelta() {
    SparkSession spark = TestSpark.session();
    RunContext ctx = context("handoff-close");
    Contract contract = Contract.of("coverage_gaps");
    int blocksBefore = spark.sparkContext().getPersistentRDDs().size();
    try (Handoffs scope = Handoffs.open(spark, true)) {
      DeltaTables.replaceSnapshot(spark, ctx, contract, gaps(spark));
      assertThat(spark.sparkContext().getPersistentRDDs().size()).isEqualTo(blocksBefore + 1);
      // A second write of the same snapshot replaces the first's blocks, it does not add to them.
      DeltaTables.replaceSnapshot(spark, ctx, contract, gaps(spark).limit(1));
      assertThat(spark.sparkContext().getPersistentRDDs().size()).isEqualTo(blocksBefore + 1);
      assertThat(DeltaTables.input(spark, ctx, "coverage_gaps").count()).isEqualTo(1);
    }
    assertThat(spark.sparkContext().getPersistentRDDs().size()).isEqualTo(blocksBefore);
    assertThat(leaves(DeltaTables.input(spark, ctx, "coverage_gaps")))
        .allMatch(LogicalRelation.class::isInstance);

    try (Handoffs unwanted = Handoffs.open(spark, false)) {
      DeltaTables.replaceSnapshot(spark, ctx, contract, gaps(spark));
      assertThat(leaves(DeltaTables.input(spark, ctx, "coverage_gaps")))
          .allMatch(LogicalRelation.class::isInstance);
    }
  }
}
