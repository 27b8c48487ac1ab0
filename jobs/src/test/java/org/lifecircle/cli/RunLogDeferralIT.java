package org.lifecircle.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.DeltaTables;
import org.lifecircle.io.RunLog;
import org.lifecircle.io.Tables;

/**
 * A small run's run_log rows wait and are appended together (io/RunLog.defer): a stage that reads
 * run_log still sees every stage before it, a failure is written at once with what waited, and the
 * appends are fewer than the stages. Without the deferral every stage appends its own row.
 */
class RunLogDeferralIT {
  private static RunContext context(String name) {
    CityConfig city = CityConfig.load(Path.of("src/test/resources/ingest/city.yaml"));
    return new RunContext(
        name, city, LocalDate.of(2026, 7, 2), TestSpark.tempDir(name).resolve("warehouse"));
  }

  /** A stage that writes nothing; when {@code readsRunLog}, it lists the stages run_log holds. */
  private static Stage stage(String name, boolean readsRunLog, List<String> seen) {
    return stage(name, readsRunLog, false, seen);
  }

  private static Stage failing(String name) {
    return stage(name, false, true, new ArrayList<>());
  }

  private static Stage stage(String name, boolean readsRunLog, boolean fails, List<String> seen) {
    return new Stage() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Doors doors() {
        return readsRunLog ? Doors.reads(Tables.RUN_LOG) : Doors.reads();
      }

      @Override
      public StageResult run(SparkSession spark, RunContext ctx, StageTables tables) {
        if (fails) {
          throw new IllegalStateException("planted failure");
        }
        if (readsRunLog && tables.exists(Tables.RUN_LOG)) {
          tables
              .snapshot(Tables.RUN_LOG)
              .select("stage")
              .collectAsList()
              .forEach(r -> seen.add(r.getString(0)));
        }
        return StageResult.of(1, 1, Map.of(), List.of());
      }
    };
  }

  private static List<String> logged(SparkSession spark, RunContext ctx) {
    return DeltaTables.readSnapshot(spark, ctx, Tables.RUN_LOG)
        .orderBy("started_at", "stage")
        .select("stage", "status")
        .collectAsList()
        .stream()
        .map(r -> r.getString(0) + ":" + r.getString(1))
        .toList();
  }

  /** The appends to run_log: Delta WRITE commits (its creation is a CREATE TABLE). */
  private static long appends(SparkSession spark, RunContext ctx) {
    return spark
        .sql("DESCRIBE HISTORY delta.`" + ctx.tablePath(Tables.RUN_LOG) + "`")
        .where("operation = 'WRITE'")
        .count();
  }

  @Test
  void deferredRowsReachTheStageThatReadsThemAndTheFailureWithWhatWaited() {
    SparkSession spark = TestSpark.session();
    RunContext ctx = context("run-log-deferral");
    List<String> seen = new ArrayList<>();
    try (RunLog.Deferral d = RunLog.defer(spark, ctx, true)) {
      StageRunner.run(spark, ctx, stage("first", false, seen));
      StageRunner.run(spark, ctx, stage("second", false, seen));
      assertThat(DeltaTables.exists(spark, ctx, Tables.RUN_LOG)).isFalse();
      StageRunner.run(spark, ctx, stage("reader", true, seen));
      assertThat(seen).containsExactlyInAnyOrder("first", "second");
      StageRunner.run(spark, ctx, stage("third", false, seen));
      assertThatThrownBy(() -> StageRunner.run(spark, ctx, failing("broken")))
          .hasMessage("planted failure");
      assertThat(logged(spark, ctx))
          .containsExactly(
              "first:succeeded",
              "second:succeeded",
              "reader:succeeded",
              "third:succeeded",
              "broken:failed");
    }
    assertThat(appends(spark, ctx)).isEqualTo(2);
  }

  @Test
  void theEndOfTheRunAppendsWhatWaitedAndWithoutDeferralEachStageAppends() {
    SparkSession spark = TestSpark.session();
    RunContext deferred = context("run-log-deferred-end");
    try (RunLog.Deferral d = RunLog.defer(spark, deferred, true)) {
      StageRunner.run(spark, deferred, stage("first", false, new ArrayList<>()));
      StageRunner.run(spark, deferred, stage("second", false, new ArrayList<>()));
    }
    assertThat(logged(spark, deferred)).containsExactly("first:succeeded", "second:succeeded");
    assertThat(appends(spark, deferred)).isEqualTo(1);

    RunContext direct = context("run-log-direct");
    try (RunLog.Deferral d = RunLog.defer(spark, direct, false)) {
      StageRunner.run(spark, direct, stage("first", false, new ArrayList<>()));
      assertThat(logged(spark, direct)).containsExactly("first:succeeded");
      StageRunner.run(spark, direct, stage("second", false, new ArrayList<>()));
    }
    assertThat(appends(spark, direct)).isEqualTo(2);
  }
}
