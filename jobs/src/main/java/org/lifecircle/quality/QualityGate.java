package org.lifecircle.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import java.sql.Date;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;

/**
 * The data-quality gate nightly and the orchestrator run right after coverage, before the later
 * stages publish: fails when a source's quarantine share (latest ingest of the date, from run_log)
 * or a city-level coverage drop against the previous snapshot exceeds its threshold. Reads only;
 * writes nothing but its run_log row.
 */
public final class QualityGate implements Stage {
  public static final String NAME = "quality-gate";
  private final Double maxQuarantineShare;
  private final double maxCoverageDrop;

  /**
   * @param maxQuarantineShare largest quarantined share of a source's rows; null for the city's
   *     {@code limits.max_quarantine_share}, the limit ingest itself holds each source to
   * @param maxCoverageDrop largest drop of a category's city coverage rate since the last snapshot
   */
  public QualityGate(Double maxQuarantineShare, double maxCoverageDrop) {
    if (!((maxQuarantineShare == null || maxQuarantineShare >= 0 && maxQuarantineShare <= 1)
        && maxCoverageDrop >= 0
        && maxCoverageDrop <= 1)) {
      throw PipelineException.cannot(
          "configure",
          "quality gate",
          "thresholds must be within [0, 1]",
          maxQuarantineShare + ", " + maxCoverageDrop);
    }
    this.maxQuarantineShare = maxQuarantineShare;
    this.maxCoverageDrop = maxCoverageDrop;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Reads only; the runner appends its run_log row. */
  @Override
  public Doors doors() {
    return Doors.reads(Tables.RUN_LOG, Tables.COMMUNITY_COVERAGE)
        .checks("quarantine_share", "coverage_drop");
  }

  @Override
  public StageResult run(SparkSession spark, RunContext ctx, StageTables tables) {
    double maxQuarantineShare =
        this.maxQuarantineShare != null
            ? this.maxQuarantineShare
            : ctx.city().limits().maxQuarantineShare();
    List<String> violations = new ArrayList<>();
    List<String> report = new ArrayList<>();
    Date date = Date.valueOf(ctx.snapshotDate());
    Dataset<Row> ingest =
        tables
            .snapshot(Tables.RUN_LOG)
            .where(
                col("stage")
                    .equalTo("ingest")
                    .and(col("source").isNotNull())
                    .and(col("status").equalTo("succeeded")));
    Dataset<Row> latest =
        ingest
            .withColumn("last", max("ended_at").over(Window.partitionBy("source")))
            .where(col("ended_at").equalTo(col("last")));
    List<Row> sources =
        latest.select("source", "rows_in", "rows_quarantined").orderBy("source").collectAsList();
    if (sources.isEmpty()) {
      throw PipelineException.cannot(
          "pass",
          "quality gate",
          "no successful ingest for city " + ctx.cityCode() + " on " + ctx.snapshotDate(),
          ctx.tablePath(Tables.RUN_LOG));
    }
    for (Row r : sources) {
      double share = r.getLong(1) == 0 ? 0 : (double) r.getLong(2) / r.getLong(1);
      report.add(
          String.format(
              "  quarantine %-14s %6.2f%% (limit %.2f%%)",
              r.getString(0), 100 * share, 100 * maxQuarantineShare));
      if (share > maxQuarantineShare) {
        violations.add(
            String.format(
                "source %s quarantined %.2f%% > %.2f%%",
                r.getString(0), 100 * share, 100 * maxQuarantineShare));
      }
    }
    Map<String, Double> today = cityCoverage(tables, date);
    Date previous = previousSnapshot(tables, date);
    if (previous != null) {
      Map<String, Double> before = cityCoverage(tables, previous);
      for (Map.Entry<String, Double> e : today.entrySet()) {
        Double was = before.get(e.getKey());
        if (was == null || e.getValue() == null) {
          continue;
        }
        double drop = was - e.getValue();
        if (drop > maxCoverageDrop) {
          violations.add(
              String.format(
                  "%s coverage dropped %.1f points (%.3f -> %.3f since %s)",
                  e.getKey(), 100 * drop, was, e.getValue(), previous));
        }
      }
      report.add("  coverage compared with snapshot " + previous);
    } else {
      report.add("  no earlier snapshot: coverage drop not checked");
    }
    if (!violations.isEmpty()) {
      throw PipelineException.cannot(
          "pass",
          "quality gate for city " + ctx.cityCode() + " on " + ctx.snapshotDate(),
          String.join("; ", violations),
          null);
    }
    Map<String, Long> none = new LinkedHashMap<>();
    return new StageResult(sources.size(), sources.size(), 0, none, List.of(), Map.of(), report);
  }

  private static Map<String, Double> cityCoverage(StageTables tables, Date date) {
    Map<String, Double> m = new LinkedHashMap<>();
    if (!tables.exists(Tables.COMMUNITY_COVERAGE)) {
      return m;
    }
    for (Row r :
        tables
            .city(Tables.COMMUNITY_COVERAGE)
            .where(col("snapshot_date").equalTo(lit(date)).and(col("area_level").equalTo("city")))
            .select("category", "coverage_rate")
            .collectAsList()) {
      m.put(r.getString(0), r.isNullAt(1) ? null : r.getDouble(1));
    }
    return m;
  }

  private static Date previousSnapshot(StageTables tables, Date date) {
    if (!tables.exists(Tables.COMMUNITY_COVERAGE)) {
      return null;
    }
    Row r =
        tables
            .city(Tables.COMMUNITY_COVERAGE)
            .where(col("snapshot_date").lt(lit(date)))
            .agg(max("snapshot_date"))
            .first();
    return r.isNullAt(0) ? null : r.getDate(0);
  }
}
