package org.lifecircle.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.cli.LifeCircle;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.SparkSessions;
import org.lifecircle.common.SparkSizing;

/**
 * One stage run again and again in one JVM, on a warehouse a nightly wrote: what the stage costs
 * once the JVM, Spark, Delta and Sedona are warm, against the first run's cold start. Beside it,
 * the least a stage that reads a Delta table and writes its rows to another can cost in the same
 * JVM: the output table read and written back to a scratch Delta table, nothing computed (the floor
 * of any stage that keeps its results in Delta), and the same read alone into Spark's noop sink.
 *
 * <p>Usage: {@code WarmStageBench <stage> <city.yaml> <warehouse> <date> <table> [stage rounds]
 * [copy rounds]} (5 and 5; with 0 stage rounds the session is the one the stage would have had);
 * run it with the JVM options bin/lifecircle picks for the city. Prints one JSON line. The stage's
 * reruns of the same date are idempotent, so the warehouse is left as a rerun would leave it; the
 * scratch table goes under the warehouse's {@code _bench/}.
 */
public final class WarmStageBench {
  private WarmStageBench() {}

  public static void main(String[] args) throws JsonProcessingException {
    String stage = args[0];
    String city = args[1];
    String warehouse = args[2];
    String date = args[3];
    String table = args[4];
    int stageRounds = args.length > 5 ? Integer.parseInt(args[5]) : 5;
    int copyRounds = args.length > 6 ? Integer.parseInt(args[6]) : 5;
    List<Double> stageSeconds = new ArrayList<>();
    for (int i = 0; i < stageRounds; i++) {
      long t0 = System.nanoTime();
      int rc = LifeCircle.execute(stage, "--city", city, "--warehouse", warehouse, "--date", date);
      if (rc != 0) {
        throw new IllegalStateException("stage " + stage + " exited " + rc);
      }
      stageSeconds.add(seconds(t0));
    }
    SparkSession spark =
        stageRounds > 0
            ? SparkSession.active()
            : SparkSessions.create(
                "warm stage bench",
                null,
                false,
                SparkSizing.of(CityConfig.load(Path.of(city)), null, SparkSizing.Choice.AUTO));
    String source = warehouse + "/" + table;
    String scratch = warehouse + "/_bench/" + table;
    List<Double> readSeconds = new ArrayList<>();
    List<Double> copySeconds = new ArrayList<>();
    long rows = 0;
    for (int i = 0; i < copyRounds; i++) {
      // Spark's noop sink reads and materialises every row and column, writes nothing: the
      // copy's read part.
      long r0 = System.nanoTime();
      snapshot(spark, source, date).write().format("noop").mode(SaveMode.Overwrite).save();
      readSeconds.add(seconds(r0));
      long t0 = System.nanoTime();
      snapshot(spark, source, date)
          .write()
          .format("delta")
          .mode(SaveMode.Overwrite)
          .partitionBy("city_code", "snapshot_date")
          .save(scratch);
      copySeconds.add(seconds(t0));
      if (i == 0) {
        rows = spark.read().format("delta").load(scratch).count();
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("stage", stage);
    out.put("stage_s", stageSeconds);
    out.put("table", table);
    out.put("rows", rows);
    out.put("delta_read_s", readSeconds);
    out.put("delta_copy_s", copySeconds);
    System.out.println(new ObjectMapper().writeValueAsString(out));
    spark.stop();
  }

  private static Dataset<Row> snapshot(SparkSession spark, String table, String date) {
    return spark.read().format("delta").load(table).where("snapshot_date = DATE'" + date + "'");
  }

  /** Seconds since {@code start}, to the millisecond. */
  private static double seconds(long start) {
    return Math.round((System.nanoTime() - start) / 1e6) / 1e3;
  }
}
