package org.lifecircle.population;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.catalog.AgeBands;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Quarantine;
import org.lifecircle.io.Tables;

/**
 * Residents per residential building by age band, placed in their community, street and district.
 * Population given per building is joined by id; population given per grid cell is allocated to the
 * residential buildings whose origin lies in the cell, in proportion to residential floor area
 * (dasymetric), preserving every cell's band totals exactly. A cell with people and no residential
 * building is placed by the fallbacks of {@link Placement}, counted by kind in run_log; population
 * rows naming unknown buildings, and homes outside every community go to quarantine, counted. The
 * stage fails when the placed share of residents is below {@code limits.min_placed_share}.
 */
public final class PopulationStage implements Stage {
  public static final String NAME = "population";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Doors doors() {
    return Doors.reads(Tables.BUILDINGS, Tables.POPULATION, Tables.ADMIN_AREAS)
        .writes(Tables.BUILDING_POPULATION, Tables.QUARANTINE)
        .checks("inputs_not_empty", "min_placed_share", "quarantine_share");
  }

  @Override
  public StageResult run(SparkSession spark, RunContext ctx, StageTables tables) {
    CityConfig.Limits limits = ctx.city().limits();
    Dataset<Row> buildings = tables.input(Tables.BUILDINGS);
    Dataset<Row> population =
        tables.input(Tables.POPULATION).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> areas = tables.input(Tables.ADMIN_AREAS);

    Dataset<Row> homes = residentialOrigins(buildings).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> perBuilding = population.where(col("unit_kind").equalTo("building"));
    Dataset<Row> cells = population.where(col("unit_kind").equalTo("cell"));
    Column sameBuilding = perBuilding.col("unit_id").equalTo(homes.col("building_id"));
    Dataset<Row> direct =
        perBuilding
            .join(homes.select("building_id"), sameBuilding, "left_semi")
            .withColumnRenamed("unit_id", "building_id")
            .withColumn("allocation", lit("building"));
    Dataset<Row> unknown = perBuilding.join(homes.select("building_id"), sameBuilding, "left_anti");

    Placement placement =
        Placement.place(cells, homes, unknownUseOrigins(buildings), limits.nearbyHomeM());

    List<Column> keep = new ArrayList<>(List.of(col("building_id"), col("allocation")));
    AgeBands.COLUMNS.forEach(b -> keep.add(col(b)));
    // A home that takes residents from several cells (its own, and as a nearby home of another)
    // is labelled by the first allocation, by name, of those that gave it residents.
    List<Column> sums =
        new ArrayList<>(
            List.of(
                coalesce(min(when(col("__n").gt(0), col("allocation"))), min("allocation"))
                    .as("allocation")));
    AgeBands.COLUMNS.forEach(b -> sums.add(sum(b).as(b)));
    Dataset<Row> bands =
        direct
            .select(keep.toArray(Column[]::new))
            .unionByName(placement.allocated().select(keep.toArray(Column[]::new)))
            .withColumn("__n", totalResidents())
            .groupBy("building_id")
            .agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new));

    Dataset<Row> placed =
        Communities.place(placement.homes(), areas).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> out =
        placed
            .where(col("community_code").isNotNull())
            .join(bands, "building_id", "left")
            .select(outputColumns())
            .persist(StorageLevel.MEMORY_AND_DISK());

    // One job for both: the units and their residents.
    Row input = population.agg(count(lit(1)), coalesce(sum(totalResidents()), lit(0L))).first();
    long inputResidents = input.getLong(1);
    long residents = out.agg(coalesce(sum("residents"), lit(0L))).first().getLong(0);
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("input_units", input.getLong(0));
    metrics.put("input_residents", inputResidents);
    metrics.put("placed_residents", residents);
    metrics.put("placed_share", inputResidents == 0 ? 1.0 : (double) residents / inputResidents);
    metrics.put("fallbacks", placement.fallbacks());
    metrics.put("overlapping_cell_pairs", placement.overlappingPairs());
    metrics.put("cells_without_homes_or_people", placement.emptyCells());
    requirePlacedShare(ctx, residents, inputResidents, limits.minPlacedShare());

    long written = tables.replaceSnapshot(Tables.BUILDING_POPULATION, out);
    Dataset<Row> unplacedBuildings =
        placed.where(
            col("community_code")
                .isNull()
                .and(not(col("building_id").startsWith(Placement.CELL_HOME_PREFIX))));
    Dataset<Row> unplacedCells =
        population.join(
            placed
                .where(col("community_code").isNull())
                .select(
                    col("building_id")
                        .substr(Placement.CELL_HOME_PREFIX.length() + 1, 1 << 20)
                        .as("unit_id")),
            "unit_id",
            "left_semi");
    Dataset<Row> q =
        Quarantine.fromRejected(
                withReason(
                    unknown,
                    "unit_id",
                    "UNKNOWN_BUILDING",
                    "Cannot allocate population row %d: unit_id names no residential building (%s)"),
                Tables.POPULATION,
                "unit_id")
            .unionByName(
                Quarantine.fromRejected(
                    withReason(
                        unplacedCells,
                        "unit_id",
                        "NO_COMMUNITY",
                        "Cannot place population row %d: grid cell has no home and its interior point lies in"
                            + " no community (%s)"),
                    Tables.POPULATION,
                    "unit_id"))
            .unionByName(
                Quarantine.fromRejected(
                    withReason(
                        unplacedBuildings.select("building_id", "source_row", "compound_id"),
                        "building_id",
                        "NO_COMMUNITY",
                        "Cannot place building row %d: its origin lies in no community (%s)"),
                    Tables.BUILDINGS,
                    "building_id"));
    long quarantined = tables.replaceQuarantine(NAME, q);
    long homeCount = homes.count();
    population.unpersist();
    homes.unpersist();
    placement.unpersist();
    placed.unpersist();
    out.unpersist();

    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put(Tables.BUILDING_POPULATION, written);
    counts.put(Tables.QUARANTINE, quarantined);
    List<String> headlines =
        new ArrayList<>(
            List.of(
                String.format(
                    Locale.ROOT,
                    "  residents: %,d in the population input, %,d placed (%.2f%%; the rest is in quarantine"
                        + " with a reason)",
                    inputResidents,
                    residents,
                    100.0 * (Double) metrics.get("placed_share"))));
    placement
        .fallbacks()
        .forEach(
            (kind, n) ->
                headlines.add(
                    String.format(
                        Locale.ROOT,
                        "    fallback %-16s %,d cells, %,d residents",
                        kind,
                        n.get("cells"),
                        n.get("residents"))));
    if (placement.overlappingPairs() > 0) {
      headlines.add(
          String.format(
              Locale.ROOT,
              "    %d pairs of population grid cells overlap"
                  + " (each home is counted in one cell only)",
              placement.overlappingPairs()));
    }
    // Rows in: population units and residential buildings, the two inputs whose rows can land in
    // quarantine here.
    return new StageResult(
        (Long) metrics.get("input_units") + homeCount,
        written,
        quarantined,
        counts,
        List.of(),
        metrics,
        headlines);
  }

  /** The nightly's guard against residents that silently vanish from every coverage figure. */
  static void requirePlacedShare(RunContext ctx, long placed, long input, double minShare) {
    double share = input == 0 ? 1.0 : (double) placed / input;
    if (share < minShare) {
      throw PipelineException.cannot(
          "place",
          "residents of city " + ctx.cityCode(),
          String.format(
              Locale.ROOT,
              "placed share %.2f%% is below the limit %.2f%%",
              100 * share,
              100 * minShare),
          placed + " of " + input + " residents");
    }
  }

  /**
   * Buildings of no residential use whose use had no evidence (OSM fallback): they may house a grid
   * cell's residents when the cell has no residential building.
   */
  static Dataset<Row> unknownUseOrigins(Dataset<Row> buildings) {
    return withOrigin(
        buildings.where(
            col("use_evidence")
                .equalTo("none")
                .and(not(col("use").isin(AgeBands.RESIDENTIAL_USES.toArray())))));
  }

  /** Residential buildings with origin and floor area ({@link #withOrigin}). */
  static Dataset<Row> residentialOrigins(Dataset<Row> buildings) {
    return withOrigin(buildings.where(col("use").isin(AgeBands.RESIDENTIAL_USES.toArray())));
  }

  /**
   * building_id, source_row, compound_id, origin and floor area. The origin is the entrance when
   * given, else the footprint's interior point: a centroid can lie outside the building (a
   * courtyard block, an L shape), and distances must start at the home.
   */
  static Dataset<Row> withOrigin(Dataset<Row> buildings) {
    return buildings.select(
        col("building_id"),
        col("source_row"),
        col("compound_id"),
        expr("CASE WHEN entrance IS NOT NULL THEN ST_GeomFromWKB(entrance)"
                + " ELSE ST_PointOnSurface(ST_GeomFromWKB(geometry)) END")
            .as("origin"),
        coalesce(col("gross_floor_area_m2"), expr("ST_Area(ST_GeomFromWKB(geometry)) * floors"))
            .as("residential_floor_area_m2"));
  }

  static Column totalResidents() {
    Column t = lit(0L);
    for (String b : AgeBands.COLUMNS) {
      t = t.plus(coalesce(col(b), lit(0L)));
    }
    return t;
  }

  private static Column[] outputColumns() {
    List<Column> c =
        new ArrayList<>(
            List.of(
                col("building_id"),
                col("community_code"),
                col("street_code"),
                col("district_code"),
                col("compound_id"),
                expr("ST_AsBinary(origin)").as("origin"),
                col("residential_floor_area_m2"),
                coalesce(col("allocation"), lit("none")).as("allocation")));
    for (String b : AgeBands.COLUMNS) {
      c.add(coalesce(col(b), lit(0L)).as(b));
    }
    c.add(totalResidents().as("residents"));
    return c.toArray(Column[]::new);
  }

  private static Dataset<Row> withReason(
      Dataset<Row> rows, String key, String code, String template) {
    Column[] plain =
        Arrays.stream(rows.columns())
            .filter(n -> !List.of("geometry", "origin", "entrance").contains(n))
            .map(n -> col(n))
            .toArray(Column[]::new);
    return rows.withColumn("__reason", lit(code))
        .withColumn("__message", format_string(template, col("source_row"), col(key)))
        .withColumn("__raw", to_json(struct(plain)));
  }
}
