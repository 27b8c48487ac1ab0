package org.lifecircle.common;

import org.apache.spark.sql.SparkSession;
import org.lifecircle.io.DeltaSession;

/**
 * Builds the one SparkSession a process uses, with Delta and Sedona registered once through their
 * SQL extensions (not also through SedonaContext.create: registering twice duplicates rules).
 */
public final class SparkSessions {
  private SparkSessions() {}

  /**
   * @param master a master URL, or null to keep the one spark-submit set (spark.master); falls back
   *     to local[*] only when neither is given.
   */
  public static SparkSession create(String appName, String master, boolean ui) {
    SparkSession.Builder b =
        SparkSession.builder()
            .appName(appName)
            .config(
                "spark.sql.extensions",
                DeltaSession.SQL_EXTENSION + ",org.apache.sedona.sql.SedonaSqlExtensions")
            .config("spark.sql.catalog.spark_catalog", DeltaSession.CATALOG)
            .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
            .config("spark.kryo.registrator", "org.apache.sedona.core.serde.SedonaKryoRegistrator")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", String.valueOf(ui))
            .config("spark.ui.showConsoleProgress", "false")
            // Spatial partitioning and the nightly write pattern both favour few, larger partitions
            // on one machine; clusters override this with --conf.
            .config("spark.sql.shuffle.partitions", defaultShufflePartitions())
            // A builder setting outranks spark-submit's --conf: keep the deployment's, if any.
            .config(
                "spark.sql.adaptive.enabled",
                System.getProperty("spark.sql.adaptive.enabled", "true"))
            .config("spark.databricks.delta.schema.autoMerge.enabled", "false");
    String effective = master != null ? master : System.getProperty("spark.master");
    effective = effective != null ? effective : "local[*]";
    b.master(effective);
    if (effective.startsWith("local")
        && System.getProperty("spark.databricks.delta.snapshotPartitions") == null) {
      // Delta replays its log with 50 partitions by default: on one machine with small logs that is
      // 50 tiny tasks per table read. Measured on the demo city: see docs/BENCHMARKS.md.
      b.config("spark.databricks.delta.snapshotPartitions", "2");
    }
    return b.getOrCreate();
  }

  private static String defaultShufflePartitions() {
    String fromSubmit = System.getProperty("spark.sql.shuffle.partitions");
    if (fromSubmit != null) {
      return fromSubmit;
    }
    return String.valueOf(Math.max(4, Runtime.getRuntime().availableProcessors() * 2));
  }
}
