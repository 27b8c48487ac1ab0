package org.lifecircle.indicators;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.lifecircle.catalog.IndicatorCatalog;

/** City-wide indicators about the building stock, facility capacity and idle assets. */
final class StockMethods {
  private StockMethods() {}

  /**
   * Sum of the categories' facility capacity (null capacity counts as 0) per 1,000 residents of
   * building_population; null without residents.
   */
  static Dataset<Row> capacityPer1000(IndicatorInputs in, List<String> categories) {
    Dataset<Row> capacity =
        in.facilities()
            .where(col("category").isin(categories.toArray()))
            .agg(coalesce(sum(coalesce(col("capacity"), lit(0.0))), lit(0.0)).as("cap"));
    Dataset<Row> residents = in.homes().agg(sum("residents").as("res"));
    // Two one-row aggregates side by side: a 1 x 1 cross join, no spatial predicate.
    return capacity
        .crossJoin(residents)
        .select(
            lit("city").as("area_level"),
            lit(in.cityCode()).as("area_code"),
            lit(null).cast("string").as("breakdown"),
            when(col("res").gt(0), col("cap").divide(col("res")).multiply(1000)).as("value"));
  }

  /** Housing (uses in housing_uses) with a dangerous safety rating, from the silver buildings. */
  static Dataset<Row> dangerous(
      IndicatorInputs in, IndicatorCatalog.Parameters p, boolean floorArea) {
    Dataset<Row> df =
        in.buildings()
            .where(
                col("use")
                    .isin(p.housingUses().toArray())
                    .and(col("safety_rating").isin(p.dangerousRatings().toArray())))
            .withColumn(
                "num",
                floorArea
                    ? coalesce(
                        col("gross_floor_area_m2"),
                        expr("ST_Area(ST_GeomFromWKB(geometry))").multiply(col("floors")))
                    : lit(1))
            .withColumn("den", lit(null).cast("double"));
    return Rollup.total(df, List.of("city"), in.cityCode());
  }

  /**
   * Idle assets with a counted status: the total of {@code column} (floor_area_m2 or land_area_m2,
   * null as 0), and one row per reason code, where an asset counts under each of its reasons.
   */
  static Dataset<Row> idleArea(IndicatorInputs in, IndicatorCatalog.Parameters p, String column) {
    Dataset<Row> counted =
        in.idle()
            .where(col("status").isin(p.idleStatuses().toArray()))
            .withColumn("num", coalesce(col(column), lit(0.0)))
            .withColumn("den", lit(null).cast("double"));
    Dataset<Row> total = Rollup.total(counted, List.of("city"), in.cityCode());
    Dataset<Row> byReason =
        counted
            .withColumn("reason", explode(split(col("reason_codes"), ",")))
            .withColumn("reason", trim(col("reason")))
            .where(col("reason").notEqual(""))
            .groupBy("reason")
            .agg(sum("num").as("value"))
            .select(
                lit("city").as("area_level"),
                lit(in.cityCode()).as("area_code"),
                col("reason").as("breakdown"),
                col("value"));
    return total.unionByName(byReason);
  }
}
