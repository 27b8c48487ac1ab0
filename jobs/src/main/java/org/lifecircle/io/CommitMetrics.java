package org.lifecircle.io;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;

/**
 * What one of our own commits recorded, found by the {@code userMetadata} tag it was written with
 * rather than by being the latest: another city's run may commit to the same table in between, and
 * the latest commit would then be theirs.
 */
public final class CommitMetrics {
  /** The commits searched first; another writer would have to commit this often in between. */
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
    DeltaTable t = DeltaTable.forPath(spark, path);
    List<Row> found =
        t.history(RECENT)
            .where(col("userMetadata").equalTo(tag))
            .select("version", "operationMetrics")
            .collectAsList();
    if (found.isEmpty()) { // a busy table: the whole retained history, read only in this case
      found =
          t.history()
              .where(col("userMetadata").equalTo(tag))
              .select("version", "operationMetrics")
              .collectAsList();
    }
    if (found.isEmpty()) {
      long version = t.history(1).select("version").first().getLong(0);
      long held =
          spark
              .read()
              .format("delta")
              .option("versionAsOf", version)
              .load(path)
              .where(predicate)
              .count();
      if (held == 0) {
        return new Commit(table, version, 0, false);
      }
      throw PipelineException.cannot(
          "read",
          "the commit metrics of table " + table,
          "no commit"
              + " carries this write's tag, yet version "
              + version
              + " holds "
              + held
              + " rows",
          tag);
    }
    if (found.size() != 1) {
      throw PipelineException.cannot(
          "read",
          "the commit metrics of table " + table,
          found.size() + " commits carry this write's tag",
          tag);
    }
    Row r = found.get(0);
    return new Commit(table, r.getLong(0), rowsAdded(table, r.getLong(0), r.getJavaMap(1)), true);
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
