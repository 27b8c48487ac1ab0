package org.lifecircle.indicators;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;

/**
 * The tables the indicators read, for one city and snapshot. {@code compounds} is null when the
 * city has no compounds snapshot; {@code idle} is null when the idle_assets table does not exist or
 * holds no row for the city (it is a ledger partitioned by city only, read as it stands now).
 */
public record IndicatorInputs(
    String cityCode,
    Dataset<Row> homes,
    Dataset<Row> access,
    Dataset<Row> coverage,
    Dataset<Row> buildings,
    Dataset<Row> facilities,
    Dataset<Row> compounds,
    Dataset<Row> idle) {

  public static IndicatorInputs read(RunContext ctx, StageTables tables) {
    Dataset<Row> homes =
        tables
            .input(Tables.BUILDING_POPULATION)
            .select(
                "building_id",
                "community_code",
                "street_code",
                "district_code",
                "origin",
                "residents")
            .persist(StorageLevel.MEMORY_AND_DISK());
    // Read once, by HomeIndicators' one grouping by building: not cached (30.6 M rows at SF 1).
    Dataset<Row> access =
        tables
            .input(Tables.BUILDING_ACCESS)
            .select("building_id", "category", "covered", "target_residents");
    Dataset<Row> coverage = tables.input(Tables.COMMUNITY_COVERAGE);
    Dataset<Row> buildings =
        tables
            .input(Tables.BUILDINGS)
            .select(
                "building_id",
                "compound_id",
                "use",
                "floors",
                "gross_floor_area_m2",
                "safety_rating",
                "has_elevator",
                "geometry")
            .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> facilities =
        tables.snapshot(Tables.FACILITIES).select("facility_id", "category", "capacity");
    Dataset<Row> compounds = null;
    if (tables.exists(Tables.COMPOUNDS)) {
      Dataset<Row> c = tables.snapshot(Tables.COMPOUNDS).select("compound_id", "year_built");
      compounds = c.isEmpty() ? null : c;
    }
    Dataset<Row> idle = null;
    if (tables.exists(Tables.IDLE_ASSETS)) {
      Dataset<Row> i =
          tables
              .city(Tables.IDLE_ASSETS)
              .select(
                  "asset_id", "kind", "reason_codes", "floor_area_m2", "land_area_m2", "status");
      idle = i.isEmpty() ? null : i;
    }
    return new IndicatorInputs(
        ctx.cityCode(), homes, access, coverage, buildings, facilities, compounds, idle);
  }

  /** building_id and its community, street and district. */
  Dataset<Row> areas() {
    return homes.select("building_id", "community_code", "street_code", "district_code");
  }

  void unpersist() {
    homes.unpersist();
    buildings.unpersist();
  }
}
