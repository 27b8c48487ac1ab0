package org.lifecircle.assets;

import static org.apache.spark.sql.functions.add_months;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.bool_or;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.lifecircle.catalog.IdleRules;

/**
 * The idle rules as Spark columns. Thresholds travel as literals (data), never as SQL text. A rule
 * whose evidence is null does not trip: {@code when(null)} is false. Each asset gets its sorted,
 * comma-separated reason codes; rows with none are not idle.
 *
 * <p>Parcels take their floor area and flags from the buildings standing on them (by the buildings'
 * parcel_id): floor area is the sum, a flag is set when any building has it.
 */
final class AssetRules {
  /** Columns every asset frame carries (location is a Sedona geometry until written). */
  static final List<String> COLUMNS =
      List.of(
          "asset_id",
          "kind",
          "source_id",
          "reason_codes",
          "use",
          "land_use_code",
          "floor_area_m2",
          "land_area_m2",
          "far_actual",
          "far_planned",
          "idle_since",
          "years_idle",
          "location",
          "protected_heritage",
          "in_historic_district",
          "dangerous",
          "old_compound");

  private AssetRules() {}

  /**
   * Every building with its rule outcome (reason_codes empty when not idle), floor area, flags and
   * location (entrance when given, else footprint centroid).
   */
  static Dataset<Row> buildings(
      Dataset<Row> buildings, Dataset<Row> compounds, IdleRules rules, LocalDate date) {
    Dataset<Row> b = buildings.withColumn("geom", expr("ST_GeomFromWKB(geometry)"));
    if (compounds != null) {
      b =
          b.join(
              compounds.select(col("compound_id").as("k_id"), col("year_built").as("k_year")),
              col("compound_id").equalTo(col("k_id")),
              "left");
    } else {
      b = b.withColumn("k_year", lit(null).cast("int"));
    }
    List<Column> reasons = new ArrayList<>();
    IdleRules.VacantBuilding v = rules.vacantBuilding();
    if (v.enabled()) {
      reasons.add(
          when(
              col("annual_kwh")
                  .lt(lit(v.maxAnnualKwh()))
                  .or(lit(v.useVacantFlag()).and(col("vacant_flag").equalTo(true))),
              lit(IdleRules.VACANT_BUILDING)));
    }
    IdleRules.OldFactory f = rules.oldFactory();
    if (f.enabled()) {
      reasons.add(
          when(
              col("use")
                  .isin(f.uses().toArray())
                  .and(col("year_built").lt(lit(f.builtBefore())))
                  .and(col("occupancy_rate").lt(lit(f.maxOccupancyRate()))),
              lit(IdleRules.OLD_FACTORY)));
    }
    IdleRules.LowEfficiencyCommercial c = rules.lowEfficiencyCommercial();
    if (c.enabled()) {
      reasons.add(
          when(
              col("use")
                  .isin(c.uses().toArray())
                  .and(col("occupancy_rate").lt(lit(c.maxOccupancyRate()))),
              lit(IdleRules.LOW_EFFICIENCY_COMMERCIAL)));
    }
    return b.select(
        concat(lit("B:"), col("building_id")).as("asset_id"),
        lit("building").as("kind"),
        col("building_id").as("source_id"),
        reasonCodes(reasons).as("reason_codes"),
        col("use"),
        lit(null).cast("string").as("land_use_code"),
        coalesce(col("gross_floor_area_m2"), expr("ST_Area(geom)").multiply(col("floors")))
            .as("floor_area_m2"),
        expr("ST_Area(geom)").as("land_area_m2"),
        lit(null).cast("double").as("far_actual"),
        lit(null).cast("double").as("far_planned"),
        lit(null).cast("date").as("idle_since"),
        lit(null).cast("double").as("years_idle"),
        expr("CASE WHEN entrance IS NOT NULL THEN ST_GeomFromWKB(entrance) ELSE ST_Centroid(geom) END")
            .as("location"),
        coalesce(col("heritage_status"), lit("none")).notEqual("none").as("protected_heritage"),
        coalesce(col("in_historic_district"), lit(false)).as("in_historic_district"),
        coalesce(col("safety_rating").isin(rules.flags().dangerousRatings().toArray()), lit(false))
            .as("dangerous"),
        coalesce(col("k_year").lt(lit(rules.flags().oldCompoundBuiltBefore())), lit(false))
            .as("old_compound"),
        col("parcel_id").as("on_parcel"));
  }

  /**
   * Every parcel with its rule outcome. {@code buildingRows} is {@link #buildings}' output, for the
   * floor area and flags of the buildings on each parcel.
   */
  static Dataset<Row> parcels(
      Dataset<Row> parcels, Dataset<Row> buildingRows, IdleRules rules, LocalDate date) {
    Column today = lit(Date.valueOf(date));
    Dataset<Row> onParcel =
        buildingRows
            .where(col("on_parcel").isNotNull())
            .groupBy(col("on_parcel").as("o_parcel"))
            .agg(
                sum(col("floor_area_m2")).as("o_floor"),
                bool_or(col("protected_heritage")).as("o_protected"),
                bool_or(col("in_historic_district")).as("o_historic"),
                bool_or(col("dangerous")).as("o_dangerous"),
                bool_or(col("old_compound")).as("o_old"));
    Dataset<Row> p =
        parcels
            .withColumn("geom", expr("ST_GeomFromWKB(geometry)"))
            .join(onParcel, col("parcel_id").equalTo(col("o_parcel")), "left")
            .withColumn("land", coalesce(col("area_m2"), expr("ST_Area(geom)")))
            .withColumn("floor", coalesce(col("o_floor"), lit(0.0)))
            .withColumn("far", when(col("land").gt(0), col("floor").divide(col("land"))));
    Column started = col("development_status").isin("under_construction", "stopped");
    Column since =
        when(col("development_status").equalTo("not_started"), col("agreed_start_date"))
            .when(started, col("stopped_since"));
    List<Column> reasons = new ArrayList<>();
    IdleRules.IdleLand il = rules.idleLand();
    if (il.enabled()) {
      int months = 12 * il.years();
      // 满一年: the anniversary itself counts.
      Column notStarted =
          col("development_status")
              .equalTo("not_started")
              .and(add_months(col("agreed_start_date"), months).leq(today));
      Column stalled =
          started
              .and(
                  col("share_developed")
                      .lt(lit(il.maxShareDeveloped()))
                      .or(col("share_invested").lt(lit(il.maxShareInvested()))))
              .and(add_months(col("stopped_since"), months).leq(today));
      reasons.add(when(notStarted.or(stalled), lit(IdleRules.IDLE_LAND)));
    }
    IdleRules.LowEfficiencyLand le = rules.lowEfficiencyLand();
    if (le.enabled()) {
      Column lowFar =
          col("planned_far")
              .gt(0)
              .and(col("far").lt(col("planned_far").multiply(lit(le.farShare()))));
      Column lowTax =
          le.maxTaxPerMu() == null ? lit(false) : col("tax_per_mu").lt(lit(le.maxTaxPerMu()));
      Column judged =
          coalesce(col("development_status"), lit("completed")).isin(le.statuses().toArray());
      reasons.add(when(judged.and(lowFar.or(lowTax)), lit(IdleRules.LOW_EFFICIENCY_LAND)));
    }
    return p.select(
        concat(lit("P:"), col("parcel_id")).as("asset_id"),
        lit("parcel").as("kind"),
        col("parcel_id").as("source_id"),
        reasonCodes(reasons).as("reason_codes"),
        landUse(rules.landUseClasses()).as("use"),
        col("land_use_code"),
        col("floor").as("floor_area_m2"),
        col("land").as("land_area_m2"),
        col("far").as("far_actual"),
        col("planned_far").as("far_planned"),
        when(since.leq(today), since).as("idle_since"),
        when(since.leq(today), round(months_between(today, since, true).divide(12), 2))
            .as("years_idle"),
        expr("ST_PointOnSurface(geom)").as("location"),
        coalesce(col("o_protected"), lit(false)).as("protected_heritage"),
        coalesce(col("o_historic"), lit(false)).as("in_historic_district"),
        coalesce(col("o_dangerous"), lit(false)).as("dangerous"),
        coalesce(col("o_old"), lit(false)).as("old_compound"));
  }

  /**
   * Adds community_code: the community polygon the asset point lies in (a Sedona spatial join); a
   * point on a shared boundary goes to the smaller code; null when it lies in none.
   */
  static Dataset<Row> placeInCommunities(Dataset<Row> assets, Dataset<Row> areas) {
    return assets
        .join(communityHits(assets, areas), col("asset_id").equalTo(col("hit_id")), "left")
        .drop("hit_id");
  }

  /** The Sedona join of asset points with community polygons, first community per asset. */
  static Dataset<Row> communityHits(Dataset<Row> assets, Dataset<Row> areas) {
    Dataset<Row> communities =
        areas
            .where(col("level").equalTo("community"))
            .select(
                col("area_code").as("community_code"),
                expr("ST_GeomFromWKB(geometry)").as("community_geom"));
    return assets
        .select(col("asset_id").as("hit_id"), col("location").as("hit_location"))
        .join(communities, expr("ST_Intersects(community_geom, hit_location)"))
        .withColumn("n", row_number().over(Window.partitionBy("hit_id").orderBy("community_code")))
        .where(col("n").equalTo(1))
        .select("hit_id", "community_code");
  }

  /** Sorted, comma-separated codes of the rules that tripped ("" when none did). */
  private static Column reasonCodes(List<Column> reasons) {
    if (reasons.isEmpty()) {
      return lit("");
    }
    return concat_ws(",", array_sort(array_compact(array(reasons.toArray(Column[]::new)))));
  }

  /**
   * The building-use word of the parcel's land-use class (first two digits), null when unmapped.
   */
  private static Column landUse(Map<String, String> classes) {
    Column cls = substring(col("land_use_code"), 1, 2);
    Column out = lit(null).cast("string");
    for (Map.Entry<String, String> e : classes.entrySet()) {
      out = when(cls.equalTo(lit(e.getKey())), lit(e.getValue())).otherwise(out);
    }
    return out;
  }
}
