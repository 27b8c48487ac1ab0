package org.lifecircle.report;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.lifecircle.catalog.AgeBands;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;

/**
 * The headline figures a planner reads first, defined once (docs/TABLES.md, "Headline figures") and
 * computed from the snapshot's tables, so the report, the console summary and anyone querying the
 * tables get the same numbers.
 *
 * @param residents residents placed in homes (building_population)
 * @param homes residential buildings (and pseudo-homes) with residents placed
 * @param communities communities in admin_areas (every one has community_coverage rows)
 * @param populatedCommunities communities with at least one resident
 * @param completeCommunities populated communities flagged complete
 * @param unmetResidents distinct residents with at least one category that leaves them uncovered
 * @param uncoveredByCategory per category (catalog order), target residents not covered (city)
 * @param distanceGaps gap ledger rows of kind distance
 * @param capacityGaps gap ledger rows of kind capacity
 */
public record Headlines(
    long residents,
    long homes,
    long communities,
    long populatedCommunities,
    long completeCommunities,
    long unmetResidents,
    Map<String, Long> uncoveredByCategory,
    long distanceGaps,
    long capacityGaps) {

  public static Headlines compute(SparkSession spark, StageTables tables, FacilityCatalog catalog) {
    Dataset<Row> homes = tables.snapshot(Tables.BUILDING_POPULATION);
    Row h = homes.agg(coalesce(sum("residents"), lit(0L)), count(lit(1))).first();
    Dataset<Row> coverage = tables.snapshot(Tables.COMMUNITY_COVERAGE);
    Row c =
        coverage
            .where(col("area_level").equalTo("community"))
            .agg(
                countDistinct(col("area_code")),
                countDistinct(when(col("residents").gt(0), col("area_code"))),
                countDistinct(when(col("complete_community"), col("area_code"))))
            .first();
    Map<String, Long> uncovered = new LinkedHashMap<>();
    catalog.categories().forEach(cat -> uncovered.put(cat.code(), 0L));
    for (Row r :
        coverage
            .where(col("area_level").equalTo("city"))
            .select(col("category"), col("target_residents").minus(col("covered_target_residents")))
            .collectAsList()) {
      uncovered.put(r.getString(0), r.getLong(1));
    }
    Row g =
        tables
            .snapshot(Tables.COVERAGE_GAPS)
            .agg(
                coalesce(sum(when(col("gap_kind").equalTo("distance"), 1).otherwise(0)), lit(0L)),
                coalesce(sum(when(col("gap_kind").equalTo("capacity"), 1).otherwise(0)), lit(0L)))
            .first();
    long unmet = unmetResidents(spark, homes, tables.snapshot(Tables.BUILDING_ACCESS), catalog);
    return new Headlines(
        h.getLong(0),
        h.getLong(1),
        c.getLong(0),
        c.getLong(1),
        c.getLong(2),
        unmet,
        uncovered,
        g.getLong(0),
        g.getLong(1));
  }

  /**
   * Distinct residents with at least one unmet category: per home, the residents of each age band
   * that some uncovered category targets, each band counted once. A child missing both a
   * kindergarten and a park is one person, not two.
   */
  static long unmetResidents(
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
