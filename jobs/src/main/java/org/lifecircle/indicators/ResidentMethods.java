package org.lifecircle.indicators;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.lifecircle.catalog.IndicatorCatalog;

/**
 * Indicators about where residents live that are not counted per home: complete communities (per
 * community) and density hot spots (per grid cell). Each returns area_level, area_code, breakdown,
 * value for the requested levels; the per-home ones are in {@link HomeIndicators}.
 */
final class ResidentMethods {
  private ResidentMethods() {}

  /**
   * Communities with their flag from community_coverage, street, district and residents (a
   * community's street and district: the smallest codes among its buildings, one in practice).
   * Communities without a flag (no complete-community category) are left out.
   */
  static Dataset<Row> flaggedCommunities(IndicatorInputs in) {
    // Summed per community, street and district first: an aggregate holding strings (the least
    // codes) runs sort-based, so only those few rows per community, not the homes, take the codes.
    Dataset<Row> communities =
        in.homes()
            .groupBy("community_code", "street_code", "district_code")
            .agg(sum("residents").as("residents"))
            .groupBy("community_code")
            .agg(
                min("street_code").as("street_code"),
                min("district_code").as("district_code"),
                sum("residents").as("residents"));
    Dataset<Row> flags =
        in.coverage()
            .where(
                col("area_level").equalTo("community").and(col("complete_community").isNotNull()))
            .groupBy(col("area_code").as("flag_code"))
            .agg(max(when(col("complete_community"), lit(1)).otherwise(lit(0))).as("complete"));
    return communities.join(flags, col("community_code").equalTo(col("flag_code")));
  }

  static Dataset<Row> completeCommunities(IndicatorInputs in, List<String> levels) {
    Dataset<Row> df =
        flaggedCommunities(in).withColumn("num", col("complete")).withColumn("den", lit(1));
    return Rollup.ratio(df, levels, in.cityCode());
  }

  static Dataset<Row> completeCommunityResidents(IndicatorInputs in, List<String> levels) {
    Dataset<Row> df =
        flaggedCommunities(in)
            .withColumn("num", col("complete").multiply(col("residents")))
            .withColumn("den", col("residents"));
    return Rollup.ratio(df, levels, in.cityCode());
  }

  /**
   * Cells of a square grid (side hotspot_cell_m, aligned at the CRS origin) over building origins
   * whose residents per km² exceed the limit: cell residents / (side² / 10⁶) > limit.
   */
  static Dataset<Row> hotCells(IndicatorInputs in, IndicatorCatalog.Parameters p) {
    double side = p.hotspotCellM();
    double limit = p.hotspotResidentsPerKm2() * side * side / 1e6;
    return in.homes()
        .withColumn("g", expr("ST_GeomFromWKB(origin)"))
        .groupBy(
            floor(expr("ST_X(g)").divide(side)).as("cx"),
            floor(expr("ST_Y(g)").divide(side)).as("cy"))
        .agg(sum("residents").as("cell_residents"))
        .where(col("cell_residents").gt(lit(limit)));
  }

  static Dataset<Row> hotspots(
      IndicatorInputs in, IndicatorCatalog.Parameters p, boolean residents) {
    Dataset<Row> df =
        hotCells(in, p)
            .withColumn("num", residents ? col("cell_residents") : lit(1))
            .withColumn("den", lit(null).cast("double"));
    return Rollup.total(df, List.of("city"), in.cityCode());
  }
}
