package org.lifecircle.population;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.io.DeltaTables;
import org.lifecircle.io.Quarantine;

/**
 * Residents per residential building by age band, placed in their community, street and district.
 * Population given per building is joined by id; population given per grid cell is allocated to
 * the residential buildings whose origin lies in the cell, in proportion to residential floor area
 * (dasymetric), preserving every cell's band totals exactly. Cells with people and no residential
 * building, population rows naming unknown buildings, and buildings outside every community go to
 * quarantine, counted.
 */
public final class PopulationStage implements Stage {
  public static final String NAME = "population";
  public static final List<String> BANDS = List.of("pop_0_2", "pop_3_5", "pop_6_11", "pop_12_14",
      "pop_15_59", "pop_60_64", "pop_65_79", "pop_80_plus");
  static final List<String> RESIDENTIAL_USES = List.of("residential", "mixed");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public StageResult run(SparkSession spark, RunContext ctx) {
    Dataset<Row> buildings = DeltaTables.input(spark, ctx, "buildings");
    Dataset<Row> population = DeltaTables.input(spark, ctx, "population")
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> areas = DeltaTables.input(spark, ctx, "admin_areas");

    Dataset<Row> homes = residentialOrigins(buildings).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> perBuilding = population.where(col("unit_kind").equalTo("building"));
    Dataset<Row> cells = population.where(col("unit_kind").equalTo("cell"));
    Column sameBuilding = perBuilding.col("unit_id").equalTo(homes.col("building_id"));
    Dataset<Row> direct = perBuilding.join(homes.select("building_id"), sameBuilding, "left_semi")
        .withColumnRenamed("unit_id", "building_id").withColumn("allocation", lit("building"));
    Dataset<Row> unknown = perBuilding.join(homes.select("building_id"), sameBuilding, "left_anti");

    Dataset<Row> cellHomes = Dasymetric.homesInCells(cells, homes)
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> allocated = Dasymetric.allocate(spark, cellHomes, cells)
        .withColumn("allocation", lit("cell"));
    Dataset<Row> cellsWithoutHomes =
        cells.join(cellHomes.select("unit_id").distinct(), "unit_id", "left_anti");
    Dataset<Row> peopleNoHome = cellsWithoutHomes.where(totalResidents().gt(0));

    List<Column> keep = new ArrayList<>(List.of(col("building_id"), col("allocation")));
    BANDS.forEach(b -> keep.add(col(b)));
    List<Column> sums = new ArrayList<>(List.of(min("allocation").as("allocation")));
    BANDS.forEach(b -> sums.add(sum(b).as(b)));
    Dataset<Row> bands = direct.select(keep.toArray(Column[]::new))
        .unionByName(allocated.select(keep.toArray(Column[]::new)))
        .groupBy("building_id").agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new));

    Dataset<Row> placed = Communities.place(homes, areas).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> out = placed.where(col("community_code").isNotNull())
        .join(bands, "building_id", "left").select(outputColumns());
    long written = DeltaTables.replaceSnapshot(spark, ctx, Contract.of("building_population"), out);

    Dataset<Row> q = Quarantine.fromRejected(withReason(unknown, "unit_id", "UNKNOWN_BUILDING",
            "Cannot allocate population row %d: unit_id names no residential building (%s)"),
            "population", "unit_id")
        .unionByName(Quarantine.fromRejected(withReason(peopleNoHome, "unit_id",
            "NO_RESIDENTIAL_BUILDING",
            "Cannot allocate population row %d: grid cell has residents but no residential building (%s)"),
            "population", "unit_id"))
        .unionByName(Quarantine.fromRejected(withReason(placed.where(col("community_code").isNull())
                .drop("origin", "geometry", "entrance"), "building_id", "NO_COMMUNITY",
            "Cannot place building row %d: its origin lies in no community (%s)"),
            "buildings", "building_id"));
    long quarantined = Quarantine.replace(spark, ctx, NAME, q);

    long inputResidents = population.agg(sum(totalResidents())).first().getLong(0);
    Row placedTotals = DeltaTables.readSnapshot(spark, ctx, "building_population")
        .agg(coalesce(sum("residents"), lit(0L))).first();
    long residents = placedTotals.getLong(0);
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("input_units", population.count());
    metrics.put("input_residents", inputResidents);
    metrics.put("placed_residents", residents);
    metrics.put("cells_without_homes_or_people",
        cellsWithoutHomes.where(totalResidents().equalTo(0)).count());
    population.unpersist();
    homes.unpersist();
    cellHomes.unpersist();
    placed.unpersist();

    Map<String, Long> tables = new LinkedHashMap<>();
    tables.put("building_population", written);
    tables.put("quarantine", quarantined);
    List<String> headlines = List.of(String.format(
        "  residents: %d in the population input, %d placed in buildings"
            + " (the rest is in quarantine with a reason)", inputResidents, residents));
    return new StageResult((Long) metrics.get("input_units"), written, quarantined, tables,
        List.of(), metrics, headlines);
  }

  /** Residential buildings with origin (entrance when given, else footprint centroid) and floor area. */
  static Dataset<Row> residentialOrigins(Dataset<Row> buildings) {
    return buildings.where(col("use").isin(RESIDENTIAL_USES.toArray()))
        .withColumn("origin", expr("CASE WHEN entrance IS NOT NULL THEN ST_GeomFromWKB(entrance)"
            + " ELSE ST_Centroid(ST_GeomFromWKB(geometry)) END"))
        .withColumn("residential_floor_area_m2", coalesce(col("gross_floor_area_m2"),
            expr("ST_Area(ST_GeomFromWKB(geometry)) * floors")));
  }

  static Column totalResidents() {
    Column t = lit(0L);
    for (String b : BANDS) {
      t = t.plus(coalesce(col(b), lit(0L)));
    }
    return t;
  }

  private static Column[] outputColumns() {
    List<Column> c = new ArrayList<>(List.of(
        col("building_id"), col("community_code"), col("street_code"), col("district_code"),
        col("compound_id"), expr("ST_AsBinary(origin)").as("origin"),
        col("residential_floor_area_m2"), coalesce(col("allocation"), lit("none")).as("allocation")));
    for (String b : BANDS) {
      c.add(coalesce(col(b), lit(0L)).as(b));
    }
    c.add(totalResidents().as("residents"));
    return c.toArray(Column[]::new);
  }

  private static Dataset<Row> withReason(Dataset<Row> rows, String key, String code, String template) {
    Column[] plain = Arrays.stream(rows.columns())
        .filter(n -> !List.of("geometry", "origin", "entrance").contains(n))
        .map(n -> col(n)).toArray(Column[]::new);
    return rows
        .withColumn("__reason", lit(code))
        .withColumn("__message", format_string(template, col("source_row"), col(key)))
        .withColumn("__raw", to_json(struct(plain)));
  }
}
