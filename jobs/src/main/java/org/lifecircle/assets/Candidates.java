package org.lifecircle.assets;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.catalog.IdleRules;

/**
 * Which open assets can host which gap category, and which uncovered buildings each would cover.
 *
 * <p>Hosting (catalog {@code host} block): floor and land area at least the minimums (unknown area
 * counts as 0), a compatible use ({@code any} admits every use, also none), and protected heritage
 * only where {@code heritage_ok}. Dangerous assets stay candidates (flagged: repair first). A
 * category without a host block has no candidates. The catalog travels as a small DataFrame joined
 * on the use (an equi-join), never as SQL text.
 *
 * <p>Covering: per category, a Sedona distance join (ST_DWithin) of the points of the assets that
 * can host it with the origins of the residential buildings it leaves uncovered, within the
 * category's threshold; a pair is kept when the straight-line distance, times the detour factor on
 * rows whose basis is straight_line_detour, is within the threshold.
 */
final class Candidates {
  private static final String NO_USE = "__none";

  private Candidates() {}

  /** Host rows: one per category and admitted use, for the given categories. */
  static Dataset<Row> hosts(SparkSession spark, FacilityCatalog catalog, List<String> categories) {
    StructType schema =
        new StructType()
            .add("h_category", DataTypes.StringType, false)
            .add("h_use", DataTypes.StringType, false)
            .add("h_min_floor", DataTypes.DoubleType, false)
            .add("h_min_land", DataTypes.DoubleType, false)
            .add("h_heritage_ok", DataTypes.BooleanType, false)
            .add("h_threshold", DataTypes.DoubleType, false);
    List<Row> rows = new ArrayList<>();
    for (String code : categories) {
      FacilityCatalog.Category c = catalog.category(code);
      FacilityCatalog.Host h = c.host();
      if (h == null) {
        continue;
      }
      List<String> uses = new ArrayList<>(h.uses());
      if (uses.contains("any")) {
        uses = new ArrayList<>(IdleRules.BUILDING_USES);
        uses.add(NO_USE);
      }
      for (String u : uses) {
        rows.add(
            RowFactory.create(
                code, u, h.minFloorAreaM2(), h.minLandAreaM2(), h.heritageOk(), c.thresholdM()));
      }
    }
    return spark.createDataFrame(rows, schema);
  }

  /** (asset_id, category, threshold) for every open asset that can host a category. */
  static Dataset<Row> candidates(Dataset<Row> assets, Dataset<Row> hosts) {
    return assets
        .join(hosts, coalesce(col("use"), lit(NO_USE)).equalTo(col("h_use")))
        .where(
            coalesce(col("floor_area_m2"), lit(0.0))
                .geq(col("h_min_floor"))
                .and(coalesce(col("land_area_m2"), lit(0.0)).geq(col("h_min_land")))
                .and(col("h_heritage_ok").or(not(col("protected_heritage")))))
        .select(
            col("asset_id").as("c_asset"),
            col("h_category").as("c_category"),
            col("h_threshold").as("c_threshold"));
  }

  /**
   * The candidate asset x uncovered building pairs of one category: (category, asset_id,
   * building_id, target_residents). {@code uncovered}: building_access rows (building_id, category,
   * origin, distance_basis, target_residents) not covered; {@code assets}: asset_id and location
   * (WKB).
   *
   * <p>One Sedona distance join per category, with the category's own radius, on only the assets
   * that can host it and the buildings it leaves uncovered. Joining all categories at once (assets
   * within the largest radius, then expanded by category) shuffled every near pair once per
   * candidate category: the recommend stage took minutes at scale factor 0.1 (docs/BENCHMARKS.md).
   */
  static Dataset<Row> pairs(
      Dataset<Row> assets,
      Dataset<Row> candidates,
      Dataset<Row> uncovered,
      double detourFactor,
      String category) {
    Dataset<Row> points =
        assets
            .join(
                candidates.where(col("c_category").equalTo(lit(category))),
                col("asset_id").equalTo(col("c_asset")))
            .select(
                col("asset_id").as("a_id"),
                expr("ST_GeomFromWKB(location)").as("a_location"),
                col("c_threshold"));
    Dataset<Row> homes =
        uncovered
            .where(col("category").equalTo(lit(category)))
            .select(
                col("building_id").as("h_id"),
                expr("ST_GeomFromWKB(origin)").as("h_origin"),
                col("distance_basis"),
                col("target_residents"));
    return points
        .join(homes, expr("ST_DWithin(a_location, h_origin, c_threshold)"))
        .where(
            expr("ST_Distance(a_location, h_origin)")
                .multiply(
                    when(col("distance_basis").equalTo("straight_line_detour"), lit(detourFactor))
                        .otherwise(lit(1.0)))
                .leq(col("c_threshold")))
        .select(
            lit(category).as("category"),
            col("a_id").as("asset_id"),
            col("h_id").as("building_id"),
            col("target_residents"));
  }
}
