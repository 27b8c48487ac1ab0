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
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.lifecircle.catalog.IndicatorCatalog;

/**
 * Indicators about where residents live: coverage, complete communities, old compounds and density
 * hot spots. Each returns area_level, area_code, breakdown, value for the requested levels.
 */
final class ResidentMethods {
  private ResidentMethods() {}

  /**
   * Per building: covered by any of the categories (on the coverage distance basis of
   * building_access) and its target residents. The categories of one indicator share their target
   * group (checked by the stage), so the largest of their target counts is that group's count.
   */
  static Dataset<Row> coveredBuildings(IndicatorInputs in, List<String> categories) {
    return in.access()
        .where(col("category").isin(categories.toArray()))
        .groupBy("building_id")
        .agg(
            max(when(col("covered"), lit(1)).otherwise(lit(0))).as("cov"),
            max("target_residents").as("target"));
  }

  /** Share of the target residents covered. */
  static Dataset<Row> coverage(IndicatorInputs in, List<String> categories, List<String> levels) {
    Dataset<Row> df =
        coveredBuildings(in, categories)
            .join(in.areas(), "building_id")
            .withColumn("num", col("cov").multiply(col("target")))
            .withColumn("den", col("target"));
    return Rollup.ratio(df, levels, in.cityCode());
  }

  /**
   * Share of residential land covered, with the footprint area of the residential buildings
   * (building_population joined with the silver footprints) standing in for residential land.
   */
  static Dataset<Row> coverageLand(
      IndicatorInputs in, List<String> categories, List<String> levels) {
    Dataset<Row> footprints =
        in.buildings()
            .select(
                col("building_id"), expr("ST_Area(ST_GeomFromWKB(geometry))").as("footprint_m2"));
    Dataset<Row> df =
        coveredBuildings(in, categories)
            .join(in.areas(), "building_id")
            .join(footprints, "building_id")
            .withColumn("num", col("cov").multiply(col("footprint_m2")))
            .withColumn("den", col("footprint_m2"));
    return Rollup.ratio(df, levels, in.cityCode());
  }

  /**
   * Communities with their flag from community_coverage, street, district and residents (a
   * community's street and district: the smallest codes among its buildings, one in practice).
   * Communities without a flag (no complete-community category) are left out.
   */
  static Dataset<Row> flaggedCommunities(IndicatorInputs in) {
    Dataset<Row> communities =
        in.homes()
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
   * Residential buildings with an {@code old} flag: the building's compound (buildings.compound_id)
   * was built before the cut-off year. A compound without a year is not old.
   */
  static Dataset<Row> oldCompoundHomes(IndicatorInputs in, IndicatorCatalog.Parameters p) {
    Dataset<Row> old =
        in.compounds()
            .where(col("year_built").lt(lit(p.oldCompoundBeforeYear())))
            .select(col("compound_id").as("old_id"))
            .distinct();
    Dataset<Row> b =
        in.buildings()
            .select(
                col("building_id").as("b_id"),
                col("compound_id").as("b_compound"),
                col("floors"),
                col("has_elevator"));
    return in.homes()
        .join(b, col("building_id").equalTo(col("b_id")), "left")
        .join(old, col("b_compound").equalTo(col("old_id")), "left")
        .withColumn("old", col("old_id").isNotNull());
  }

  static Dataset<Row> oldCompoundResidents(
      IndicatorInputs in, IndicatorCatalog.Parameters p, List<String> levels) {
    Dataset<Row> df =
        oldCompoundHomes(in, p)
            .withColumn("num", when(col("old"), col("residents")).otherwise(lit(0L)))
            .withColumn("den", col("residents"));
    return Rollup.ratio(df, levels, in.cityCode());
  }

  /**
   * Residential buildings of old compounds with more floors than the limit and has_elevator =
   * false; an unknown elevator status is not counted.
   */
  static Dataset<Row> oldCompoundWithoutElevator(
      IndicatorInputs in, IndicatorCatalog.Parameters p, List<String> levels) {
    Column lacks =
        col("old")
            .and(col("floors").gt(lit(p.elevatorAboveFloors())))
            .and(col("has_elevator").equalTo(false));
    Dataset<Row> df =
        oldCompoundHomes(in, p)
            .withColumn("num", when(lacks, lit(1)).otherwise(lit(0)))
            .withColumn("den", lit(null).cast("double"));
    return Rollup.total(df, levels, in.cityCode());
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
