package org.lifecircle.io;

import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.CommitInfo;
import scala.Option;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * What a table's Delta log says, read on the driver through Delta's own {@link DeltaLog}: the
 * latest version, its metadata (from the checksum file Delta writes beside each commit) and one
 * commit's {@link CommitInfo}. {@code DeltaTable.history()} and {@code detail()} answer the same
 * questions with a Spark job each: on the demo city that was 30 of the nightly's 445 jobs, one
 * after every write (measured with the Spark event log, session 8).
 */
final class DeltaLogs {
  private DeltaLogs() {}

  /** The table's newest snapshot: lists the log folder, reads no data files. */
  static Snapshot latest(SparkSession spark, String path) {
    return DeltaLog.forTable(spark, path).update(false, Option.empty(), Option.empty());
  }

  static long version(SparkSession spark, String path) {
    return latest(spark, path).version();
  }

  /** The table's properties (TBLPROPERTIES) at its newest snapshot. */
  static Map<String, String> properties(SparkSession spark, String path) {
    return JavaConverters.mapAsJavaMap(latest(spark, path).metadata().configuration());
  }

  /** The commitInfo of {@code version}, read from that one commit file. */
  static Optional<CommitInfo> commitInfo(SparkSession spark, String path, long version) {
    Iterator<Tuple2<Object, Seq<Action>>> changes =
        DeltaLog.forTable(spark, path).getChanges(version, version, false);
    while (changes.hasNext()) {
      for (Action a : JavaConverters.seqAsJavaList(changes.next()._2())) {
        if (a instanceof CommitInfo info) {
          return Optional.of(info);
        }
      }
    }
    return Optional.empty();
  }

  /** The operation metrics {@code info} recorded, or null when it recorded none. */
  static Map<String, String> operationMetrics(CommitInfo info) {
    return info.operationMetrics().isEmpty()
        ? null
        : JavaConverters.mapAsJavaMap(info.operationMetrics().get());
  }
}
