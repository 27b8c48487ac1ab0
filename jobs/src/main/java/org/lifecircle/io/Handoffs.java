package org.lifecircle.io;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The snapshots a run writes, handed to the stages after it as the rows written instead of read
 * back through Delta, while the table is still at the version that write made.
 *
 * <p>Why: every query over a Delta table first lists the table's files with a Spark job of its own
 * ("Filtering files for query"), and a stage reads each of its inputs in several queries. On the
 * demo city that was 96 of the nightly's 350 Spark jobs (event log, session 9). A write here writes
 * a local checkpoint of its rows ({@code Dataset.localCheckpoint(false)}): the write's own job
 * fills it, so it costs no job, and later queries read those blocks. It is not Spark's cache
 * (persist): cached plans are matched against every later query and Delta re-caches them after each
 * commit, which made the nightly slower (session 7).
 *
 * <p>Only inside a scope a run opens ({@link #open}), only on a local master (a local checkpoint
 * lives in the executors' block managers: an executor lost on a cluster would lose it), and the
 * nightly opens one for the small profile only, where the saving was measured. Closing the scope
 * releases the blocks. Another writer's commit to a table (any version after the one written, or
 * the table created again) and the readers go back to Delta.
 */
public final class Handoffs implements AutoCloseable {
  /** The rows one write made, what they were written as, and the blocks that hold them. */
  record Handed(String tableId, long version, Dataset<Row> rows, RDD<?> blocks) {}

  private static volatile Handoffs current;

  private final Map<String, Handed> held = new ConcurrentHashMap<>();

  private Handoffs() {}

  /**
   * Opens the process's scope for one run. It holds nothing unless {@code wanted}, and nothing on a
   * master that is not local.
   */
  public static Handoffs open(SparkSession spark, boolean wanted) {
    Handoffs scope = new Handoffs();
    if (wanted && spark.sparkContext().isLocal()) {
      current = scope;
    }
    return scope;
  }

  /**
   * What a write should write: in a scope, its rows as a local checkpoint that the write's own job
   * fills; otherwise the rows as they are.
   */
  static Dataset<Row> prepare(Dataset<Row> rows) {
    return current == null ? rows : rows.localCheckpoint(false);
  }

  /**
   * Keeps what {@link #prepare} returned once its write committed {@code version}: readers get it
   * with the table's own schema (names, types and nullability as a Delta read gives them). A frame
   * not prepared in this scope, or whose columns are not the table's, is not kept, and what {@code
   * key} held before is released either way.
   */
  static void keep(
      String key, Dataset<Row> written, String tableId, long version, StructType tableSchema) {
    Handoffs scope = current;
    if (scope == null) {
      return;
    }
    Handed before;
    if (written.logicalPlan() instanceof LogicalRDD checkpoint
        && sameColumns(written.schema(), tableSchema)) {
      Dataset<Row> rows = written.sparkSession().createDataFrame(written.javaRDD(), tableSchema);
      before = scope.held.put(key, new Handed(tableId, version, rows, checkpoint.rdd()));
    } else {
      before = scope.held.remove(key);
    }
    if (before != null) {
      before.blocks().unpersist(false);
    }
  }

  /** What the scope holds under {@code key}, or null. */
  static Handed get(String key) {
    Handoffs scope = current;
    return scope == null ? null : scope.held.get(key);
  }

  private static boolean sameColumns(StructType written, StructType table) {
    return Arrays.equals(written.fieldNames(), table.fieldNames())
        && Arrays.equals(
            Arrays.stream(written.fields()).map(StructField::dataType).toArray(),
            Arrays.stream(table.fields()).map(StructField::dataType).toArray());
  }

  /** Ends the scope and frees every block it held. */
  @Override
  public void close() {
    if (current == this) {
      current = null;
    }
    held.values().forEach(h -> h.blocks().unpersist(false));
    held.clear();
  }
}
