package org.lifecircle.assets;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
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
import org.lifecircle.access.FacilityCatalog;

/**
 * Which open assets can host which gap category, and which uncovered buildings each would cover.
 *
 * <p>Hosting (catalog {@code host} block): floor and land area at least the minimums (unknown area
 * counts as 0), a compatible use ({@code any} admits every use, also none), and protected heritage
 * only where {@code heritage_ok}. Dangerous assets stay candidates (flagged: repair first). A
 * category without a host block has no candidates. The catalog travels as a small DataFrame
 * joined on the use (an equi-join), never as SQL text.
 *
 * <p>Covering: a Sedona distance join (ST_DWithin) of asset points with the origins of uncovered
 * residential buildings, within the largest threshold among the asset's candidate categories; each
 * pair is then kept for a category when the straight-line distance, times the detour factor on
 * rows whose basis is straight_line_detour, is within the category's threshold.
 */
final class Candidates {
  private static final String NO_USE = "__none";

  private Candidates() {}

  /** Host rows: one per category and admitted use, for the given categories. */
  static Dataset<Row> hosts(SparkSession spark, FacilityCatalog catalog, List<String> categories) {
    StructType schema = new StructType()
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
        rows.add(RowFactory.create(code, u, h.minFloorAreaM2(), h.minLandAreaM2(), h.heritageOk(),
            c.thresholdM()));
      }
    }
    return spark.createDataFrame(rows, schema);
  }

  /** (asset_id, category, threshold) for every open asset that can host a category. */
  static Dataset<Row> candidates(Dataset<Row> assets, Dataset<Row> hosts) {
    return assets.join(hosts, coalesce(col("use"), lit(NO_USE)).equalTo(col("h_use")))
        .where(coalesce(col("floor_area_m2"), lit(0.0)).geq(col("h_min_floor"))
            .and(coalesce(col("land_area_m2"), lit(0.0)).geq(col("h_min_land")))
            .and(col("h_heritage_ok").or(not(col("protected_heritage")))))
        .select(col("asset_id").as("c_asset"), col("h_category").as("c_category"),
            col("h_threshold").as("c_threshold"));
  }

  /**
   * The candidate asset x uncovered building pairs: (category, asset_id, building_id,
   * target_residents). {@code uncovered}: building_access rows (building_id, category, origin,
   * distance_basis, target_residents) not covered; {@code assets}: asset_id and location (WKB).
   */
  static Dataset<Row> pairs(Dataset<Row> assets, Dataset<Row> candidates, Dataset<Row> uncovered,
      double detourFactor) {
    Dataset<Row> reach = candidates.groupBy(col("c_asset").as("r_asset"))
        .agg(max("c_threshold").as("a_radius"));
    Dataset<Row> points = assets.join(reach, col("asset_id").equalTo(col("r_asset")))
        .select(col("asset_id").as("a_id"), expr("ST_GeomFromWKB(location)").as("a_location"),
            col("a_radius"));
    Dataset<Row> homes = uncovered.select(col("building_id").as("h_id"), col("origin").as("h_wkb"))
        .dropDuplicates("h_id")
        .select(col("h_id"), expr("ST_GeomFromWKB(h_wkb)").as("h_origin"));
    Dataset<Row> near = points.join(homes, expr("ST_DWithin(a_location, h_origin, a_radius)"))
        .select(col("a_id"), col("h_id"), expr("ST_Distance(a_location, h_origin)").as("d"));
    return near
        .join(candidates, col("a_id").equalTo(col("c_asset")))
        .join(uncovered, col("h_id").equalTo(col("building_id"))
            .and(col("c_category").equalTo(col("category"))))
        .where(col("d").multiply(when(col("distance_basis").equalTo("straight_line_detour"),
            lit(detourFactor)).otherwise(lit(1.0))).leq(col("c_threshold")))
        .select(col("category"), col("a_id").as("asset_id"), col("building_id"),
            col("target_residents"));
  }
}
