package org.lifecircle.report;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.lifecircle.catalog.AgeBands;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.SparkSessions;
import org.lifecircle.io.DeltaTables;

/**
 * Not a test: the headline "residents with at least one unmet category" on a warehouse a nightly
 * wrote, as {@link Headlines#unmetResidents} computes it (one bit mask of bands per home) against
 * the distinct (home, band) list it computed until session 16, in turns in one Spark session (the
 * same data, the same JVM, so the machine's drift falls on both). Both must give the same number.
 *
 * <pre>
 * java -Xmx12g -cp jobs/target/test-classes:jobs/target/classes:$(cat jobs/target/launcher.classpath) \
 *     org.lifecircle.report.UnmetResidentsBench city.yaml warehouse date [rounds]
 * </pre>
 */
public final class UnmetResidentsBench {
  private UnmetResidentsBench() {}

  public static void main(String[] args) {
    CityConfig city = CityConfig.load(Path.of(args[0]));
    RunContext ctx =
        new RunContext("unmet-bench", city, LocalDate.parse(args[2]), Path.of(args[1]));
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    SparkSession spark = SparkSessions.create("unmet-bench", "local[*]", false);
    try {
      FacilityCatalog catalog = ctx.catalogs().facilities();
      Dataset<Row> homes = DeltaTables.readSnapshot(spark, ctx, "building_population");
      Dataset<Row> access = DeltaTables.readSnapshot(spark, ctx, "building_access");
      double maskBest = Double.MAX_VALUE;
      double pairsBest = Double.MAX_VALUE;
      long[] answers = new long[2];
      for (int round = 0; round < rounds; round++) {
        pairsBest =
            Math.min(
                pairsBest, time(() -> answers[1] = distinctPairs(spark, homes, access, catalog)));
        maskBest =
            Math.min(
                maskBest,
                time(() -> answers[0] = Headlines.unmetResidents(spark, homes, access, catalog)));
      }
      if (answers[0] != answers[1]) {
        throw new IllegalStateException("the two disagree: " + answers[0] + " != " + answers[1]);
      }
      System.out.printf(
          Locale.ROOT,
          "{\"unmet_residents\": %d, \"distinct_pairs_s\": %.2f, \"bit_mask_s\": %.2f}%n",
          answers[0],
          pairsBest,
          maskBest);
    } finally {
      spark.stop();
    }
  }

  private static double time(LongSupplier run) {
    long t0 = System.nanoTime();
    run.getAsLong();
    return (System.nanoTime() - t0) / 1e9;
  }

  /** The formulation before session 16: a distinct (home, band) list joined with stacked bands. */
  static long distinctPairs(
      SparkSession spark, Dataset<Row> homes, Dataset<Row> access, FacilityCatalog catalog) {
    List<Row> pairs = new ArrayList<>();
    for (FacilityCatalog.Category cat : catalog.categories()) {
      cat.targetBands().forEach(b -> pairs.add(RowFactory.create(cat.code(), b)));
    }
    Dataset<Row> bandsOf =
        spark.createDataFrame(
            pairs,
            new StructType()
                .add("t_category", DataTypes.StringType)
                .add("t_band", DataTypes.StringType));
    Dataset<Row> unmetBands =
        access
            .where(col("covered").equalTo(false))
            .join(bandsOf, col("category").equalTo(col("t_category")))
            .select(col("building_id").as("u_building"), col("t_band"))
            .distinct();
    StringBuilder stack = new StringBuilder("stack(" + AgeBands.COLUMNS.size());
    AgeBands.COLUMNS.forEach(b -> stack.append(", '").append(b).append("', ").append(b));
    Dataset<Row> perBand =
        homes.selectExpr("building_id", stack.append(") AS (band, persons)").toString());
    return perBand
        .join(
            unmetBands,
            col("building_id").equalTo(col("u_building")).and(col("band").equalTo(col("t_band"))))
        .agg(coalesce(sum("persons"), lit(0L)))
        .first()
        .getLong(0);
  }
}
