package org.lifecircle.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.SparkSessions;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.io.DeltaStageTables;
import org.lifecircle.io.RunLog;
import org.lifecircle.io.Tables;

/**
 * Runs one stage as a unit: names its Spark jobs after the stage, times it, and records the outcome
 * in run_log, succeeded or failed. A failure is logged and rethrown, never swallowed.
 */
final class StageRunner {
  private static final Logger LOG = LogManager.getLogger(StageRunner.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private StageRunner() {}

  record Timed(String stage, StageResult result, Duration elapsed) {}

  static Timed run(SparkSession spark, RunContext ctx, Stage stage) {
    return run(spark, ctx, stage, System.out);
  }

  /** Runs the stage; a start line, progress every ten seconds and an end line go to {@code out}. */
  static Timed run(SparkSession spark, RunContext ctx, Stage stage, PrintStream out) {
    Instant start = Instant.now();
    String group = ctx.cityCode() + "/" + ctx.snapshotDate() + "/" + stage.name();
    spark.sparkContext().setJobGroup(group, "lifecircle " + group, false);
    spark.sparkContext().setJobDescription("lifecircle " + group);
    LOG.info(
        "stage {} started (city {}, date {}, run {})",
        stage.name(),
        ctx.cityCode(),
        ctx.snapshotDate(),
        ctx.runId());
    out.printf("%s stage %s ...%n", LocalTime.now().withNano(0), stage.name());
    if (stage.inputs().contains(Tables.RUN_LOG)) {
      RunLog.flush(); // the stage reads the rows of the stages before it
    }
    StageResult result;
    SparkMetrics sparkMetrics = SparkMetrics.attach(spark);
    Map<String, String> replaced = SparkSessions.override(spark, stage.sparkSettings());
    try (Progress progress = Progress.start(spark, stage.name(), sparkMetrics, out)) {
      result = stage.run(spark, ctx, DeltaStageTables.of(spark, ctx));
      result.requireQuarantineWithin(stage.name(), ctx.city().limits().maxQuarantineShare());
    } catch (RuntimeException e) {
      Instant end = Instant.now();
      String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
      LOG.error("stage {} failed after {} s: {}", stage.name(), seconds(start, end), message);
      try {
        RunLog.failed(spark, ctx, stage.name(), start, end, message);
      } catch (RuntimeException logFailure) {
        e.addSuppressed(logFailure);
      }
      throw e;
    } finally {
      SparkSessions.restore(spark, replaced);
      spark.sparkContext().clearJobGroup();
      sparkMetrics.detach(spark);
    }
    Instant end = Instant.now();
    // Listener events arrive asynchronously; the counts are a close lower bound.
    Map<String, Object> spent = sparkMetrics.snapshot();
    Map<String, Object> metrics = new LinkedHashMap<>(result.metrics());
    metrics.putAll(spent);
    if (ctx.mode() == RunContext.Mode.INCREMENTAL) {
      // run_log says for every stage of an incremental run what it recomputed and why.
      metrics.putIfAbsent(
          "incremental",
          Map.of(
              "mode",
              "full",
              "why",
              "the stage has no incremental path: every row recomputed from this date's inputs"));
    }
    result =
        new StageResult(
            result.rowsIn(),
            result.rowsOut(),
            result.rowsQuarantined(),
            result.tablesWritten(),
            result.sources(),
            metrics,
            result.headlines());
    RunLog.succeeded(spark, ctx, stage.name(), start, end, result, metricsJson(result));
    LOG.info(
        "stage {} finished in {} s: rows in {}, out {}, quarantined {}, tables {}, spark {}",
        stage.name(),
        seconds(start, end),
        result.rowsIn(),
        result.rowsOut(),
        result.rowsQuarantined(),
        result.tablesWritten(),
        spent);
    result.headlines().forEach(LOG::info);
    out.printf(
        "%s stage %s done in %s s%n",
        LocalTime.now().withNano(0), stage.name(), seconds(start, end));
    return new Timed(stage.name(), result, Duration.between(start, end));
  }

  private static String metricsJson(StageResult r) {
    if (r.metrics().isEmpty()) {
      return null;
    }
    try {
      return JSON.writeValueAsString(r.metrics());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("metrics of a stage must be JSON-serializable", e);
    }
  }

  static String seconds(Instant start, Instant end) {
    return String.format("%.1f", Duration.between(start, end).toMillis() / 1000.0);
  }
}
