package org.lifecircle.io;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.Snapshot;

/**
 * What this process last wrote under a predicate of a table: the table (Delta's id, new for a table
 * created again at the same path), the version that holds the write and its rows. While the table
 * is still at that version, the rows under the predicate are exactly those, and a reader needs no
 * Spark job to know how many there are (Delta's log says where the table is, on the driver).
 */
final class WrittenSnapshots {
  private record Written(String tableId, long version, long rows) {}

  private static final Map<String, Written> WRITTEN = new ConcurrentHashMap<>();

  private WrittenSnapshots() {}

  /** The key of a table's rows under a predicate, for this record and for {@link Handoffs}. */
  static String key(String path, String predicate) {
    return path + "|" + predicate;
  }

  /** Records a write under {@code key} (path and predicate) that {@code version} holds. */
  static void record(String key, String tableId, long version, long rows) {
    WRITTEN.put(key, new Written(tableId, version, rows));
  }

  /**
   * The rows the last write under {@code key} left, when the table at {@code path} is still at the
   * version that write made; null when nothing was written here or anyone committed since.
   */
  static Long rowsIfCurrent(SparkSession spark, String path, String key) {
    Written w = WRITTEN.get(key);
    return w != null && stillAt(spark, path, w.tableId(), w.version()) ? w.rows() : null;
  }

  /** Whether the table at {@code path} is still table {@code tableId} at {@code version}. */
  static boolean stillAt(SparkSession spark, String path, String tableId, long version) {
    Snapshot now = DeltaLogs.latest(spark, path);
    return now.version() == version && now.metadata().id().equals(tableId);
  }
}
