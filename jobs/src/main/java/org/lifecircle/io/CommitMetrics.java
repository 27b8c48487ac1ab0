package org.lifecircle.io;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.actions.CommitInfo;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;

/**
 * What one of our own commits recorded, found by the {@code userMetadata} tag it was written with
 * rather than by being the latest: another city's run may commit to the same table in between, and
 * the latest commit would then be theirs.
 */
public final class CommitMetrics {
  /**
   * The commits searched before concluding that a write made none (a write of no rows into an empty
   * partition): another writer would have to commit this often in between.
   */
  static final int RECENT = 20;

  private CommitMetrics() {}

  /**
   * One commit of a table: its version and the rows it added. {@code rowsAdded} is Delta's {@code
   * numOutputRows} less {@code numCopiedRows}: with a replaceWhere on a data column (the
   * quarantine's {@code stage}) Delta 3.x rewrites the files it partly deletes and counts the rows
   * it copies into numOutputRows too; they are not rows of this write. {@code committed} is false
   * when Delta made no commit for the write (nothing added, nothing removed).
   */
  public record Commit(String table, long version, long rowsAdded, boolean committed) {}

  /** A tag no other commit carries, readable in {@code DESCRIBE HISTORY}. */
  static String tag(RunContext ctx, String table) {
    return "lifecircle run="
        + ctx.runId()
        + " city="
        + ctx.cityCode()
        + " date="
        + ctx.snapshotDate()
        + " table="
        + table
        + " write="
        + UUID.randomUUID();
  }

  /**
   * The commit written with {@code tag}. Delta makes no commit at all for a write that neither adds
   * nor removes a file (no rows, into an empty partition): then the table must hold no row matching
   * {@code predicate}, and the write is reported as 0 rows at the current version. Any other
   * missing commit is a bug or a lost log, never skipped.
   */
  static Commit find(SparkSession spark, String table, String path, String tag, String predicate) {
    long latest = DeltaLogs.version(spark, path);
    // Newest first: ours is almost always the latest commit. Another city's run may have committed
    // since, so the search goes on down the log; each step reads one small commit file.
    Optional<Commit> found = search(spark, table, path, tag, latest, Math.max(0, latest - RECENT));
    if (found.isPresent()) {
      return found.get();
    }
    long held =
        spark
            .read()
            .format("delta")
            .option("versionAsOf", latest)
            .load(path)
            .where(predicate)
            .count();
    if (held == 0) {
      return new Commit(table, latest, 0, false);
    }
    // Rows are there, so a commit made them: a busy table, searched through its whole log.
    found = search(spark, table, path, tag, latest - RECENT - 1, 0);
    if (found.isPresent()) {
      return found.get();
    }
    throw PipelineException.cannot(
        "read",
        "the commit metrics of table " + table,
        "no commit carries this write's tag, yet version " + latest + " holds " + held + " rows",
        tag);
  }

  /** The commit tagged {@code tag} among versions {@code from} down to {@code to}, if any. */
  private static Optional<Commit> search(
      SparkSession spark, String table, String path, String tag, long from, long to) {
    for (long v = from; v >= to; v--) {
      Optional<CommitInfo> info = DeltaLogs.commitInfo(spark, path, v);
      if (info.isPresent()
          && info.get().userMetadata().isDefined()
          && tag.equals(info.get().userMetadata().get())) {
        return Optional.of(
            new Commit(
                table, v, rowsAdded(table, v, DeltaLogs.operationMetrics(info.get())), true));
      }
    }
    return Optional.empty();
  }

  /**
   * A write of zero rows adds no file and may report no numOutputRows; a write that added files but
   * reports no rows (statistics collection turned off) cannot be reconciled and says so.
   */
  static long rowsAdded(String table, long version, Map<String, String> m) {
    String out = m == null ? null : m.get("numOutputRows");
    if (out == null) {
      String files = m == null ? null : m.get("numFiles");
      if (files == null || Long.parseLong(files) == 0) {
        return 0;
      }
      throw PipelineException.cannot(
          "read",
          "the commit metrics of table " + table,
          "version " + version + " added files but records no numOutputRows",
          m);
    }
    String copied = m.get("numCopiedRows");
    return Long.parseLong(out) - (copied == null ? 0 : Long.parseLong(copied));
  }
}
