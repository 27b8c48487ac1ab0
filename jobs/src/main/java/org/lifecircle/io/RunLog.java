package org.lifecircle.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageResult;

/**
 * Appends one row per stage run, and one per source for stages that read sources.
 *
 * <p>Each append is a Spark job and a Delta commit. A small run (the demo city: ten stages in about
 * a minute) defers its stages' rows ({@link #defer}) and appends them together when a stage is
 * about to read run_log, when a stage fails, and when the run ends: three appends instead of ten
 * (BENCHMARKS.md, session 10). A large run appends each stage's rows as the stage ends, so that
 * run_log shows a long night's progress.
 */
public final class RunLog {
  private static final Contract CONTRACT = Contract.of(Tables.RUN_LOG);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The rows a deferring run has not appended yet; null when rows are appended at once. */
  private static volatile Deferral deferral;

  private RunLog() {}

  /**
   * Opens the process's deferral for one run: while it is open (and {@code wanted}), stage rows
   * wait for {@link #flush}, a failure, or {@link Deferral#close}, which appends what is left.
   */
  public static Deferral defer(SparkSession spark, RunContext ctx, boolean wanted) {
    Deferral d = new Deferral(spark, ctx);
    if (wanted) {
      deferral = d;
    }
    return d;
  }

  /** Appends the rows a deferring run holds (nothing when it holds none or does not defer). */
  public static void flush() {
    Deferral d = deferral;
    if (d != null) {
      d.flush();
    }
  }

  /** A run's held-back rows; closing it appends them and ends the deferral. */
  public static final class Deferral implements AutoCloseable {
    private final SparkSession spark;
    private final RunContext ctx;
    private final List<Row> rows = new ArrayList<>();

    private Deferral(SparkSession spark, RunContext ctx) {
      this.spark = spark;
      this.ctx = ctx;
    }

    private synchronized void add(List<Row> more) {
      rows.addAll(more);
    }

    private synchronized void flush() {
      if (!rows.isEmpty()) {
        write(spark, ctx, List.copyOf(rows));
        rows.clear();
      }
    }

    @Override
    public void close() {
      try {
        flush();
      } finally {
        if (deferral == this) {
          deferral = null;
        }
      }
    }
  }

  /**
   * Whether {@code stage} succeeded for this run's city and date: an empty snapshot it wrote is an
   * answer (nothing to report), an empty snapshot it never wrote is not.
   */
  public static boolean succeededFor(SparkSession spark, RunContext ctx, String stage) {
    return DeltaTables.exists(spark, ctx, Tables.RUN_LOG)
        && !DeltaTables.readSnapshot(spark, ctx, Tables.RUN_LOG)
            .where(col("stage").equalTo(lit(stage)).and(col("status").equalTo(lit("succeeded"))))
            .isEmpty();
  }

  public static void succeeded(
      SparkSession spark,
      RunContext ctx,
      String stage,
      Instant start,
      Instant end,
      StageResult r,
      String metricsJson) {
    List<Row> rows = new ArrayList<>();
    rows.add(
        row(
            ctx,
            stage,
            null,
            "succeeded",
            start,
            end,
            r.rowsIn(),
            r.rowsOut(),
            r.rowsQuarantined(),
            null,
            metricsJson));
    for (StageResult.SourceCount s : r.sources()) {
      rows.add(
          row(
              ctx,
              stage,
              s.source(),
              "succeeded",
              start,
              end,
              s.read(),
              s.accepted(),
              s.quarantined(),
              s.repaired() > 0 ? s.repaired() + " geometries repaired" : null,
              sourceMetricsJson(s)));
    }
    Deferral d = deferral;
    if (d != null) {
      d.add(rows);
    } else {
      write(spark, ctx, rows);
    }
  }

  /**
   * {"osm_elements": {"nodes": n, ...}, "dropped": {"reason": n, ...}}: what an extract held, and
   * records of the source that never became a row; null when neither applies.
   */
  static String sourceMetricsJson(StageResult.SourceCount s) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (!s.elements().isEmpty()) {
      m.put("osm_elements", s.elements());
    }
    if (!s.dropped().isEmpty()) {
      m.put("dropped", s.dropped());
    }
    try {
      return m.isEmpty() ? null : JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void failed(
      SparkSession spark,
      RunContext ctx,
      String stage,
      Instant start,
      Instant end,
      String message) {
    // A failure is written at once, with whatever a deferring run held back before it.
    Deferral d = deferral;
    Row failure = row(ctx, stage, null, "failed", start, end, null, null, null, message, null);
    if (d != null) {
      d.add(List.of(failure));
      d.flush();
    } else {
      write(spark, ctx, List.of(failure));
    }
  }

  private static Row row(
      RunContext ctx,
      String stage,
      String source,
      String status,
      Instant start,
      Instant end,
      Long in,
      Long out,
      Long quarantined,
      String message,
      String metrics) {
    return RowFactory.create(
        ctx.cityCode(),
        Date.valueOf(ctx.snapshotDate()),
        ctx.runId(),
        stage,
        source,
        status,
        Timestamp.from(start),
        Timestamp.from(end),
        in,
        out,
        quarantined,
        message,
        metrics);
  }

  private static void write(SparkSession spark, RunContext ctx, List<Row> rows) {
    DeltaTables.append(spark, ctx, CONTRACT, spark.createDataFrame(rows, CONTRACT.schema()));
  }
}
