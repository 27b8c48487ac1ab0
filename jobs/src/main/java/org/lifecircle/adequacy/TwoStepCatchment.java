package org.lifecircle.adequacy;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.DistanceBasis;

/**
 * The transforms of the two-step floating catchment (E2SFCA); see {@link AdequacyStage} for the
 * method and its limits. Column names: facilities (facility_id, category, capacity, geometry WKB),
 * homes (building_id, origin WKB), demand = building_access rows (building_id, community_code,
 * category, residents, target_residents, distance_basis).
 */
public final class TwoStepCatchment {
  private TwoStepCatchment() {}

  /**
   * Facility x building pairs whose straight-line distance is within the category threshold: a
   * Sedona distance join (ST_DWithin with the radius on the facility side). Columns: facility_id,
   * f_category, capacity, p_building, d_line, f_radius.
   */
  public static Dataset<Row> candidatePairs(
      Dataset<Row> facilities, Dataset<Row> homes, Dataset<Row> cap) {
    Dataset<Row> f =
        facilities
            .join(cap, col("category").equalTo(col("cap_code")))
            .select(
                col("facility_id"),
                col("category").as("f_category"),
                col("capacity"),
                expr("ST_GeomFromWKB(geometry)").as("f_geom"),
                col("cap_threshold_m").as("f_radius"));
    Dataset<Row> b =
        homes.select(
            col("building_id").as("p_building"), expr("ST_GeomFromWKB(origin)").as("b_geom"));
    return f.join(b, expr("ST_DWithin(f_geom, b_geom, f_radius)"))
        .select(
            col("facility_id"),
            col("f_category"),
            col("capacity"),
            col("p_building"),
            expr("ST_Distance(f_geom, b_geom)").as("d_line"),
            col("f_radius"));
  }

  /**
   * The basis distance of a straight-line pair: the straight line x detour factor on
   * 'straight_line_detour', the straight line otherwise. (Pairs on the 'network' basis come from
   * {@link NetworkCatchments}, not from here.)
   */
  static Column basisDistance(double detourFactor) {
    return when(
            col("distance_basis").equalTo("straight_line_detour"),
            col("d_line").multiply(detourFactor))
        .otherwise(col("d_line"));
  }

  /**
   * Pairs within the catchment on the basis distance, with the building's target residents P and
   * the weight w. Columns: facility_id, category, building_id, community_code, target_residents, d,
   * w.
   */
  public static Dataset<Row> weightedPairs(
      Dataset<Row> pairs, Dataset<Row> demand, FacilityCatalog catalog, double detourFactor) {
    Dataset<Row> d =
        demand.select(
            col("building_id"),
            col("community_code"),
            col("category"),
            col("target_residents"),
            col("distance_basis"));
    return pairs
        .join(
            d,
            col("p_building")
                .equalTo(col("building_id"))
                .and(col("f_category").equalTo(col("category"))))
        .withColumn("d", basisDistance(detourFactor))
        .where(col("d").leq(col("f_radius")))
        .withColumn("w", CapacityFrame.weight(catalog, col("category"), col("d"), col("f_radius")))
        .select(
            "facility_id",
            "category",
            "building_id",
            "community_code",
            "target_residents",
            "d",
            "w");
  }

  /**
   * Each term rounded to 18 decimals and summed as a decimal: the sum of many doubles depends on
   * the order Spark adds them in, which differs from run to run (58 of the demo's 677
   * facility_adequacy rows differed in their last bits between two runs of the same date,
   * 2026-12-06); an exact sum gives every run, full or incremental, the same bits. 20 digits before
   * the point hold any city's persons and places.
   */
  static final String EXACT_SUM = "decimal(38,18)";

  static Column exactSum(Column term) {
    return sum(term.cast(EXACT_SUM)).cast("double");
  }

  /**
   * The catchment cells of weighted pairs: per facility and community, served = sum of w x P over
   * the community's buildings in the facility's catchment. Columns: facility_id, category,
   * community_code, served.
   */
  public static Dataset<Row> cells(Dataset<Row> weighted) {
    return weighted
        .groupBy("facility_id", "category", "community_code")
        .agg(exactSum(col("w").multiply(col("target_residents"))).as("served"));
  }

  /**
   * Step 1: target_residents_served = sum of w x P over the catchment (the sum of the facility's
   * cells) and supply_ratio R_j = capacity / served (null when nobody of the target group is within
   * reach). Every facility keeps its row. Columns: facility_id, category, capacity,
   * target_residents_served, supply_ratio.
   */
  public static Dataset<Row> supply(Dataset<Row> facilities, Dataset<Row> cells) {
    Dataset<Row> served =
        cells
            .groupBy(col("facility_id").as("s_facility"))
            .agg(exactSum(col("served")).as("served"));
    return facilities
        .select("facility_id", "category", "capacity")
        .join(served, col("facility_id").equalTo(col("s_facility")), "left")
        .withColumn("target_residents_served", coalesce(col("served"), lit(0.0)))
        .withColumn(
            "supply_ratio",
            when(
                col("target_residents_served").gt(0),
                col("capacity").divide(col("target_residents_served"))))
        .select("facility_id", "category", "capacity", "target_residents_served", "supply_ratio");
  }

  /**
   * The demand of each community and category: target_residents, residents and distance_basis (the
   * least, as text, of its buildings' bases, taken by rank so that the sum runs by hash: {@link
   * DistanceBasis}). Columns: community_code, category, target_residents, residents,
   * distance_basis.
   */
  public static Dataset<Row> demandCells(Dataset<Row> demand) {
    return demand
        .groupBy(col("community_code"), col("category"))
        .agg(
            sum("target_residents").as("target_residents"),
            sum("residents").as("residents"),
            min(DistanceBasis.rank(col("distance_basis"))).as("basis_rank"))
        .withColumn("distance_basis", DistanceBasis.ofRank(col("basis_rank")))
        .drop("basis_rank");
  }

  /**
   * Step 2 and the community rows ({@code demandCells}: {@link #demandCells}). A_i = sum of w x R_j
   * over the facilities within reach of building i, so a community's reachable_places = sum over
   * its buildings of A_i x P_i = sum over facilities j of R_j x (sum of w x P over the community's
   * buildings in j's catchment) = sum of R_j x served over the community's cells: the buildings'
   * accessibility is never materialised. Community rows: target residents T, residents,
   * reachable_places, accessibility_index = reachable / T (the target-weighted mean of A_i),
   * places_per_1000_target, basis_population and shortfall_places = max(0, norm / 1000 x
   * basis_population - reachable) (0 when T = 0), joined with the capacity frame's cap_* columns.
   */
  public static Dataset<Row> communities(
      Dataset<Row> demandCells, Dataset<Row> cells, Dataset<Row> supply, Dataset<Row> cap) {
    Dataset<Row> reachable =
        cells
            .join(
                supply.select(col("facility_id").as("r_facility"), col("supply_ratio")),
                col("facility_id").equalTo(col("r_facility")))
            .groupBy(col("community_code").as("a_community"), col("category").as("a_category"))
            .agg(exactSum(col("served").multiply(coalesce(col("supply_ratio"), lit(0.0)))).as("a"));
    return demandCells
        .join(
            reachable,
            col("community_code")
                .equalTo(col("a_community"))
                .and(col("category").equalTo(col("a_category"))),
            "left")
        .withColumn("reachable_places", coalesce(col("a"), lit(0.0)))
        .drop("a_community", "a_category", "a")
        .join(cap, col("category").equalTo(col("cap_code")))
        .withColumn(
            "basis_population",
            when(col("cap_norm_basis").equalTo("all"), col("residents"))
                .otherwise(col("target_residents")))
        .withColumn(
            "accessibility_index",
            when(
                col("target_residents").gt(0),
                col("reachable_places").divide(col("target_residents"))))
        .withColumn("places_per_1000_target", col("accessibility_index").multiply(1000))
        .withColumn(
            "required_places", col("cap_norm").divide(1000).multiply(col("basis_population")))
        .withColumn(
            "shortfall_places",
            when(
                    col("target_residents").gt(0),
                    greatest(lit(0.0), col("required_places").minus(col("reachable_places"))))
                .otherwise(lit(0.0)));
  }
}
