package org.lifecircle.indicators;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Rolls per-building (or per-community) numerators and denominators up to area levels. Input
 * columns: community_code, street_code, district_code, num, den. Output: area_level, area_code,
 * breakdown (null), value. Rows whose area code at a level is null are left out of that level (as
 * in community_coverage); the city row always exists.
 */
final class Rollup {
  private Rollup() {}

  /** value = sum(num) / sum(den), null when sum(den) is 0 or there are no rows. */
  static Dataset<Row> ratio(Dataset<Row> df, List<String> levels, String cityCode) {
    return roll(df, levels, cityCode, true);
  }

  /** value = sum(num), 0 when there are no rows. */
  static Dataset<Row> total(Dataset<Row> df, List<String> levels, String cityCode) {
    return roll(df, levels, cityCode, false);
  }

  private static Dataset<Row> roll(
      Dataset<Row> df, List<String> levels, String cityCode, boolean ratio) {
    Column n = sum(col("num").cast("double")).as("n");
    Column d = sum(col("den").cast("double")).as("d");
    Column value =
        ratio ? when(col("d").gt(0), col("n").divide(col("d"))) : coalesce(col("n"), lit(0.0));
    Dataset<Row> out = null;
    for (String level : levels) {
      Dataset<Row> agg;
      if ("city".equals(level)) {
        agg = df.agg(n, d).withColumn("area_code", lit(cityCode));
      } else {
        // level is one of IndicatorCatalog.LEVELS, never catalog text
        String key = level + "_code";
        agg = df.where(col(key).isNotNull()).groupBy(col(key).as("area_code")).agg(n, d);
      }
      Dataset<Row> rows =
          agg.select(
              lit(level).as("area_level"),
              col("area_code"),
              lit(null).cast("string").as("breakdown"),
              value.as("value"));
      out = out == null ? rows : out.unionByName(rows);
    }
    return out;
  }
}
