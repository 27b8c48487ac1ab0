package org.lifecircle.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.tables.DeltaTable;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;

/**
 * What the sink learns from Delta's log instead of from Spark jobs: the city's CRS is a property of
 * the table's creation (no second commit), a stage's input written earlier in the process is known
 * to hold rows without a job, until anyone commits to the table again, and a table just created
 * holds nothing, so its first write appends, unless another writer committed first.
 */
class DeltaLogReadsIT {
  private static final String GAP =
      "SELECT 'C1' AS community_code, 'pharmacy' AS category, 'distance' AS gap_kind,"
          + " 10L AS target_residents, 4L AS target_residents_uncovered,"
          + " CAST(NULL AS DOUBLE) AS nearest_distance_m, 500.0 AS threshold_m,"
          + " CAST(NULL AS DOUBLE) AS excess_m, CAST(NULL AS DOUBLE) AS shortfall_places,"
          + " 4.0 AS severity, 1 AS rank, 'network' AS distance_basis";

  private static RunContext context(String name) {
    CityConfig city = CityConfig.load(Path.of("src/test/resources/ingest/city.yaml"));
    Path warehouse = TestSpark.tempDir(name).resolve("warehouse");
    return new RunContext(name, city, LocalDate.of(2026, 7, 1), warehouse);
  }

  @Test
  void aGeometryTableIsCreatedWithItsCrsInOneCommit() {
    SparkSession spark = TestSpark.session();
    RunContext ctx = context("crs-at-create");
    DeltaTables.ensure(spark, ctx, Contract.of("admin_areas"));

    DeltaTable table = DeltaTable.forPath(spark, ctx.tablePath("admin_areas"));
    List<Row> history = table.history().select("version", "operation").collectAsList();
    assertThat(history).extracting(r -> r.getString(1)).containsExactly("CREATE TABLE");
    assertThat(table.detail().select("properties").first().<String, String>getJavaMap(0))
        .containsEntry("lifecircle.crs.990102", "EPSG:4547");
  }

  @Test
  void anInputThisProcessWroteNeedsNoJobUntilSomeoneCommitsAgain() throws Exception {
    SparkSession spark = TestSpark.session();
    RunContext ctx = context("written-input");
    Contract gaps = Contract.of("coverage_gaps");
    assertThat(DeltaTables.replaceSnapshot(spark, ctx, gaps, spark.sql(GAP))).isEqualTo(1);

    AtomicInteger jobs = new AtomicInteger();
    SparkListener counter =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart start) {
            jobs.incrementAndGet();
          }
        };
    spark.sparkContext().addSparkListener(counter);
    try {
      Dataset<Row> input = DeltaTables.input(spark, ctx, "coverage_gaps");
      spark.sparkContext().listenerBus().waitUntilEmpty();
      assertThat(jobs.get()).isZero();
      assertThat(input.count()).isEqualTo(1);
    } finally {
      spark.sparkContext().removeSparkListener(counter);
    }

    // Another writer empties the snapshot: the process's own record is stale and not trusted.
    spark.sql(
        "DELETE FROM delta.`"
            + ctx.tablePath("coverage_gaps")
            + "` WHERE city_code = '990102' AND snapshot_date = DATE'2026-07-01'");
    assertThatThrownBy(() -> DeltaTables.input(spark, ctx, "coverage_gaps"))
        .hasMessage(
            "Cannot read table coverage_gaps: it has no rows for city 990102 on 2026-07-01;"
                + " run the stage that writes it first ("
                + ctx.tablePath("coverage_gaps")
                + ")");
  }

  /** Job descriptions seen while {@code action} runs. */
  private static List<String> jobsDuring(SparkSession spark, Runnable action)
      throws TimeoutException {
    List<String> seen = new CopyOnWriteArrayList<>();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart start) {
            seen.add(String.valueOf(start.properties().getProperty("spark.job.description")));
          }
        };
    spark.sparkContext().addSparkListener(listener);
    try {
      action.run();
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
    return seen;
  }

  private static List<String> communities(SparkSession spark, RunContext ctx) {
    return DeltaTables.readSnapshot(spark, ctx, "coverage_gaps")
        .select("community_code")
        .orderBy("community_code")
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .toList();
  }

  @Test
  void theFirstWriteOfAFreshTableAppendsWithoutReadingTheTablesState() throws Exception {
    SparkSession spark = TestSpark.session();
    RunContext ctx = context("first-write");
    Contract gaps = Contract.of("coverage_gaps");
    DeltaTables.ensure(spark, ctx, gaps);

    List<String> jobs =
        jobsDuring(spark, () -> DeltaTables.replaceSnapshot(spark, ctx, gaps, spark.sql(GAP)));
    assertThat(jobs)
        .noneMatch(d -> d.contains("Compute snapshot") || d.contains("Filtering files"));
    // A rerun of the date replaces the snapshot: one row, not two.
    DeltaTables.replaceSnapshot(spark, ctx, gaps, spark.sql(GAP));
    assertThat(communities(spark, ctx)).containsExactly("C1");
    List<Row> history =
        DeltaTable.forPath(spark, ctx.tablePath("coverage_gaps"))
            .history()
            .orderBy("version")
            .select("version", "operationParameters.mode")
            .collectAsList();
    assertThat(history)
        .extracting(r -> r.getLong(0) + " " + r.getString(1))
        .containsExactly("0 null", "1 Append", "2 Overwrite");
  }

  @Test
  void aSnapshotWriteDoesNotSortItsRowsByThePartitionColumns() throws Exception {
    SparkSession spark = TestSpark.session();
    RunContext ctx = context("unsorted-write");
    Contract gaps = Contract.of("coverage_gaps");
    // Four partitions of rows, all of one (city, date): a sort before the writer would report its
    // metrics ("sort time", "peak memory", "spill size") in the write's tasks.
    Dataset<Row> rows = spark.sql(GAP + " FROM range(200)").repartition(4);
    List<String> metrics = new CopyOnWriteArrayList<>();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onTaskEnd(SparkListenerTaskEnd end) {
            end.taskInfo()
                .accumulables()
                .foreach(a -> metrics.add(a.name().isDefined() ? a.name().get() : ""));
          }
        };
    spark.sparkContext().addSparkListener(listener);
    try {
      assertThat(DeltaTables.replaceSnapshot(spark, ctx, gaps, rows)).isEqualTo(200);
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
    assertThat(metrics).contains("task commit time").doesNotContain("sort time");
  }

  @Test
  void anAppendThatFindsAnotherCommitAfterTheCreationIsWrittenAgainAsAReplace() {
    SparkSession spark = TestSpark.session();
    RunContext ctx = context("first-write-raced");
    Contract gaps = Contract.of("coverage_gaps");
    DeltaTables.ensure(spark, ctx, gaps);
    // Another run of the same city and date commits first, after this one saw version 0.
    DeltaTables.conform(
            DeltaTables.withSnapshotKeys(spark.sql(GAP.replace("'C1'", "'C9'")), ctx), gaps)
        .write()
        .format("delta")
        .mode("append")
        .save(ctx.tablePath("coverage_gaps"));

    CommitMetrics.Commit commit =
        DeltaTables.replace(
            spark,
            ctx,
            gaps,
            DeltaTables.withSnapshotKeys(spark.sql(GAP), ctx),
            DeltaTables.snapshotPredicate(ctx),
            0);
    assertThat(communities(spark, ctx)).containsExactly("C1");
    assertThat(commit.version()).isEqualTo(3);
    assertThat(commit.rowsAdded()).isEqualTo(1);
  }
}
