package org.lifecircle.assets;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
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
 * <p>Covering, for homes on a straight-line basis: one Sedona distance join (ST_DWithin) of the
 * points of the assets that can host a category with the origins of the residential buildings it
 * leaves uncovered, within the category's threshold, for every category at once; a pair is kept
 * when the straight-line distance, times the detour factor on rows whose basis is
 * straight_line_detour, is within the threshold. Homes on the 'network' basis: {@link
 * NetworkCandidates}.
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
                code, u, h.minFloorAreaM2(), h.minLandAreaM2(), h.heritageOk(), c.reachM()));
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
   * Each category's key geometries are moved this far east of the previous category's before the
   * join, so that one spatial join pairs each category's assets with its own homes only. A city
   * spans far less than 1,000 km; were one wider, the category equality in the join condition still
   * keeps every pair within its category, only the join would test more candidates.
   */
  static final double CATEGORY_SHIFT_M = 1_000_000;

  /**
   * The join's radius over the category's threshold. Moving a coordinate by up to {@code
   * CATEGORY_SHIFT_M} times the categories rounds it by a few nanometres (a double's ulp at 1e8 is
   * 1.5e-8): the metre keeps every pair within the threshold among the join's candidates, and the
   * exact test on the unmoved geometries decides.
   */
  static final double JOIN_SLACK_M = 1.0;

  /**
   * The candidate asset x uncovered building pairs of the given categories: (category, asset_id,
   * building_id, target_residents). {@code uncovered}: building_access rows (building_id, category,
   * origin, distance_basis, target_residents) not covered; {@code assets}: asset_id and location
   * (WKB).
   *
   * <p>One Sedona distance join for all categories, each pair within its category's own radius: the
   * i-th category's asset points and homes are moved i * {@link #CATEGORY_SHIFT_M} east for the
   * join, so the spatial index meets only pairs of the same category, and the category equality
   * rides along as the join's extra condition. A pair is kept when the straight-line distance
   * between the unmoved geometries, times the detour factor on rows whose basis is
   * straight_line_detour, is within the threshold. One join per category broadcast each side once
   * per category: 22 of the demo nightly's 54 recommend jobs (session 9). Joining all categories on
   * the unmoved geometries instead met every near pair once per pair of categories: the recommend
   * stage took minutes at scale factor 0.1 (docs/BENCHMARKS.md).
   *
   * <p>Homes on the 'network' basis take the walk instead: {@link NetworkCandidates}.
   */
  static Dataset<Row> pairs(
      Dataset<Row> assets,
      Dataset<Row> candidates,
      Dataset<Row> uncovered,
      double detourFactor,
      List<String> categories) {
    List<Column> shifts = new ArrayList<>();
    for (int i = 0; i < categories.size(); i++) {
      shifts.add(lit(categories.get(i)));
      shifts.add(lit(i * CATEGORY_SHIFT_M));
    }
    Column shift = map(shifts.toArray(Column[]::new));
    Dataset<Row> points =
        assets
            .join(
                candidates.where(col("c_category").isin(categories.toArray())),
                col("asset_id").equalTo(col("c_asset")))
            .select(
                col("asset_id").as("a_id"),
                col("c_category").as("a_category"),
                expr("ST_GeomFromWKB(location)").as("a_location"),
                col("c_threshold"))
            .withColumn("a_shift", element_at(shift, col("a_category")))
            .withColumn("a_key", expr("ST_Translate(a_location, a_shift, 0.0)"))
            // Sedona's partitioned join cuts space into as many partitions as this side has: the
            // assets read from one file were one partition, the whole join one task on one core
            // (SF 0.1: recommend 69 s against 42 s with a join per category, whose union ran a
            // task per category). A number, so adaptive execution keeps it.
            .repartition(joinPartitions(assets.sparkSession()), col("a_id"));
    Dataset<Row> homes =
        uncovered
            .where(col("category").isin(categories.toArray()))
            .select(
                col("building_id").as("h_id"),
                col("category").as("h_category"),
                expr("ST_GeomFromWKB(origin)").as("h_origin"),
                col("distance_basis"),
                col("target_residents"))
            .withColumn("h_shift", element_at(shift, col("h_category")))
            .withColumn("h_key", expr("ST_Translate(h_origin, h_shift, 0.0)"));
    Dataset<Row> near =
        points
            .join(
                homes,
                expr("ST_DWithin(a_key, h_key, c_threshold + " + JOIN_SLACK_M + ")")
                    // The same category, said as the same shift: an equality of columns would make
                    // the join an equi-join, which Sedona leaves to Spark's hash join with the
                    // distance as a filter over every pair of the category.
                    .and(abs(col("a_shift").minus(col("h_shift"))).lt(CATEGORY_SHIFT_M / 2)))
            .where(
                expr("ST_Distance(a_location, h_origin)")
                    .multiply(
                        when(
                                col("distance_basis").equalTo("straight_line_detour"),
                                lit(detourFactor))
                            .otherwise(lit(1.0)))
                    .leq(col("c_threshold")));
    return near.select(
        col("a_category").as("category"),
        col("a_id").as("asset_id"),
        col("h_id").as("building_id"),
        col("target_residents"));
  }

  /** As many partitions as a shuffle gets, and at least one per core. */
  static int joinPartitions(SparkSession spark) {
    return Math.max(
        spark.sparkContext().defaultParallelism(),
        Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions")));
  }
}
