package org.lifecircle.report;

import static org.apache.spark.sql.functions.bit_or;
import static org.apache.spark.sql.functions.broadcast;
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
import org.apache.spark.sql.Column;
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
    // Each category as a bit mask of the bands it targets; a home's unmet bands are the OR of its
    // uncovered categories' masks. An aggregation that collapses a home's rows where they are read
    // (building_access holds them side by side), where a distinct (home, band) list shuffled every
    // uncovered row: 6.1 s against 40.1 s on SF 1's 30.6 M rows (UnmetResidentsBench, session 16).
    List<Row> masks = new ArrayList<>();
    for (FacilityCatalog.Category cat : catalog.categories()) {
      int mask = 0;
      for (String band : cat.targetBands()) {
        int bit = AgeBands.COLUMNS.indexOf(band);
        if (bit >= 0) {
          mask |= 1 << bit;
        }
      }
      masks.add(RowFactory.create(cat.code(), mask));
    }
    Dataset<Row> maskOf =
        spark.createDataFrame(
            masks,
            new StructType()
                .add("t_category", DataTypes.StringType)
                .add("t_mask", DataTypes.IntegerType));
    Dataset<Row> unmet =
        access
            .where(col("covered").equalTo(false))
            .join(broadcast(maskOf), col("category").equalTo(col("t_category")))
            .groupBy(col("building_id").as("u_building"))
            .agg(bit_or(col("t_mask")).as("u_mask"));
    Column persons = lit(0L);
    for (int bit = 0; bit < AgeBands.COLUMNS.size(); bit++) {
      persons =
          persons.plus(
              when(
                      col("u_mask").bitwiseAND(lit(1 << bit)).notEqual(0),
                      col(AgeBands.COLUMNS.get(bit)))
                  .otherwise(lit(0L)));
    }
    return homes
        .join(unmet, col("building_id").equalTo(col("u_building")))
        .agg(coalesce(sum(persons), lit(0L)))
        .first()
        .getLong(0);
  }
}
