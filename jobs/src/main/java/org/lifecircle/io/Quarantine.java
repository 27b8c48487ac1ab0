package org.lifecircle.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;

/**
 * The quarantine table: rows a stage did not accept, with reason code and message. Each stage
 * replaces its own rows for the date (a rerun does not duplicate them).
 */
public final class Quarantine {
  private static final Contract CONTRACT = Contract.of(Tables.QUARANTINE);

  private Quarantine() {}

  /** Rows carrying {@code source_row, __reason, __message, __raw} and the record's key. */
  public static Dataset<Row> fromRejected(Dataset<Row> rejected, String source, String keyColumn) {
    return rejected.select(
        lit(source).as("source"),
        col("source_row"),
        keyColumn == null
            ? lit(null).cast("string").as("record_id")
            : col(keyColumn).cast("string").as("record_id"),
        col("__raw").as("raw_record"),
        col("__reason").as("reason_code"),
        col("__message").as("message"));
  }

  /** Replaces this stage's quarantine rows for the city and date in one commit. */
  public static long replace(SparkSession spark, RunContext ctx, String stage, Dataset<Row> rows) {
    return replaceCommit(spark, ctx, stage, rows).rowsAdded();
  }

  /** As {@link #replace}, returning the commit (for checks that read what it committed). */
  public static CommitMetrics.Commit replaceCommit(
      SparkSession spark, RunContext ctx, String stage, Dataset<Row> rows) {
    return DeltaTables.replace(
        spark, ctx, CONTRACT, withKeys(rows, ctx, stage), predicate(ctx, stage));
  }

  /** {@code rows} with the run's city, date, run id and {@code stage}: what the table holds. */
  static Dataset<Row> withKeys(Dataset<Row> rows, RunContext ctx, String stage) {
    return DeltaTables.withSnapshotKeys(rows, ctx)
        .withColumn("run_id", lit(ctx.runId()))
        .withColumn("stage", lit(stage));
  }

  /** Undoes {@code commit}, this stage's {@link #replaceCommit}: its rows as they were before. */
  public static void undo(
      SparkSession spark, RunContext ctx, String stage, CommitMetrics.Commit commit) {
    DeltaTables.undo(spark, ctx, CONTRACT, commit, predicate(ctx, stage));
  }

  /**
   * The rows {@code commit} holds for this stage, city and date, by source: the table read as of
   * that version, so a later commit (a rerun, another stage) cannot change the answer. One commit
   * replaces all of a stage's rows, so its metrics alone cannot say which source they came from.
   */
  public static Map<String, Long> committedBySource(
      SparkSession spark, RunContext ctx, String stage, CommitMetrics.Commit commit) {
    Map<String, Long> out = new TreeMap<>();
    for (Row r :
        spark
            .read()
            .format("delta")
            .option("versionAsOf", commit.version())
            .load(ctx.tablePath(Tables.QUARANTINE))
            .where(predicate(ctx, stage))
            .groupBy("source")
            .count()
            .collectAsList()) {
      out.put(r.getString(0), r.getLong(1));
    }
    return out;
  }

  // The stage name is one of our constants, never user text.
  private static String predicate(RunContext ctx, String stage) {
    return DeltaTables.snapshotPredicate(ctx) + " AND stage = '" + stage + "'";
  }
}
