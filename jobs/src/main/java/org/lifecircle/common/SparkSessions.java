package org.lifecircle.common;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.io.DeltaSession;
import scala.Option;

/**
 * Builds the one SparkSession a process uses, with Delta and Sedona registered once through their
 * SQL extensions (not also through SedonaContext.create: registering twice duplicates rules).
 */
public final class SparkSessions {
  private SparkSessions() {}

  /**
   * A session with the large profile's settings (Spark's defaults, adaptive execution on).
   *
   * @param master a master URL, or null to keep the one spark-submit set (spark.master); falls back
   *     to local[*] only when neither is given.
   */
  public static SparkSession create(String appName, String master, boolean ui) {
    return create(appName, master, ui, null);
  }

  /**
   * A session whose settings are sized to a city's inputs ({@link SparkSizing}; null: the large
   * profile). A setting the deployment gave (spark-submit --conf, -Dspark.*) is kept: a builder
   * setting would outrank it.
   */
  public static SparkSession create(String appName, String master, boolean ui, SparkSizing size) {
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
            .config("spark.databricks.delta.schema.autoMerge.enabled", "false");
    SparkSizing sizing =
        size != null
            ? size
            : new SparkSizing(SparkSizing.Profile.LARGE, 0, "no city inputs to size by");
    sizing
        .settings(Runtime.getRuntime().availableProcessors())
        .forEach(
            (key, value) -> {
              if (!deploymentSets(key)) {
                b.config(key, value);
              }
            });
    String effective = effectiveMaster(master);
    b.master(effective);
    if (effective.startsWith("local")
        && !deploymentSets("spark.databricks.delta.snapshotPartitions")) {
      // Delta replays its log with 50 partitions by default: on one machine with small logs that is
      // 50 tiny tasks per table read. Measured on the demo city: see docs/BENCHMARKS.md.
      b.config("spark.databricks.delta.snapshotPartitions", "2");
    }
    return b.getOrCreate();
  }

  /**
   * Sets {@code settings} on the running session, except those the deployment gave, and returns
   * what to put back afterwards with {@link #restore}: each key's previous value, or null where it
   * had none.
   */
  public static Map<String, String> override(SparkSession spark, Map<String, String> settings) {
    Map<String, String> previous = new LinkedHashMap<>();
    settings.forEach(
        (key, value) -> {
          if (!deploymentSets(key)) {
            Option<String> now = spark.conf().getOption(key);
            previous.put(key, now.isDefined() ? now.get() : null);
            spark.conf().set(key, value);
          }
        });
    return previous;
  }

  /** Puts back what {@link #override} replaced. */
  public static void restore(SparkSession spark, Map<String, String> previous) {
    previous.forEach(
        (key, value) -> {
          if (value == null) {
            spark.conf().unset(key);
          } else {
            spark.conf().set(key, value);
          }
        });
  }

  /**
   * Whether the deployment gave {@code key} itself: spark-submit hands its --conf to the driver as
   * system properties, as -Dspark.* does.
   */
  private static boolean deploymentSets(String key) {
    return System.getProperty(key) != null;
  }

  /**
   * The master a session gets: the one given, else the one spark-submit set (spark.master), else
   * local[*].
   */
  public static String effectiveMaster(String master) {
    return master != null ? master : System.getProperty("spark.master", "local[*]");
  }
}
