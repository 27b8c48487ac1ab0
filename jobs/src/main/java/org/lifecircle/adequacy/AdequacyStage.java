package org.lifecircle.adequacy;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;
import org.lifecircle.network.WalkNetwork;

/**
 * Supply versus demand: the two-step floating catchment with distance decay (E2SFCA, Luo and Qi
 * 2009) for every catalog category with a {@code capacity} block. Writes facility_adequacy (one row
 * per facility and per community); the coverage stage, which runs next, turns its community
 * shortfalls into the 'capacity' rows of coverage_gaps.
 *
 * <p>Catchment: d0 = the category's threshold_m on the distance basis of building_access. A
 * facility j and a building i form a pair when d_ij <= d0, where d_ij is the walking distance along
 * the walk network ('network'), the straight line ('straight_line'), or the straight line x the
 * city's detour factor ('straight_line_detour'). Step 1: R_j = capacity_j / sum over buildings i in
 * j's catchment of w(d_ij) x P_i, with P_i the building's residents of the category's target group.
 * Step 2: A_i = sum over facilities j within d0 of i of w(d_ij) x R_j: places per target resident.
 * Weights are in {@link CapacityFrame}. With every facility's catchment holding some target
 * resident, sum_i A_i x P_i = sum_j capacity_j (any decay: both steps use the same weights); a
 * facility with nobody within reach has R_j null and its capacity is not apportioned.
 *
 * <p>Pairs never leave the task that finds them: each step only needs, per facility and community,
 * served = sum of w(d_ij) x P_i over the community's buildings in the facility's catchment (a
 * catchment cell). Step 1 sums a facility's cells; step 2 needs A_i only through the community
 * sums, and sum over a community's buildings of A_i x P_i = sum over facilities of R_j x served, so
 * the buildings' A_i are never materialised. On 'network', one bounded search from each facility,
 * snapped as the access stage snaps it, walks to every home with demand ({@link
 * NetworkCatchments}); a pair is kept when the walk and the straight line are within d0, and
 * weighted by the walk. A home across a river with no bridge near is in a facility's straight-line
 * catchment but not in its walking one. On the straight-line bases the pairs come from a Sedona
 * distance join between facility points (silver facilities) and building origins
 * (building_population.origin), radius d0.
 *
 * <p>Community rows: accessibility_index = sum A_i P_i / sum P_i (target-weighted mean),
 * places_per_1000_target = accessibility_index x 1000, reachable_places = sum A_i P_i, and
 * shortfall_places = max(0, norm / 1000 x basis_population - reachable_places), where
 * basis_population is the target residents (norm_basis target) or all residents (norm_basis all).
 * With norm_basis all the norm counts places per 1,000 of all residents (e.g. 4.5 nursery places
 * per 1,000 residents) while 2SFCA demand stays the target group (children aged 0-2): supply is
 * apportioned to the people who use it, the requirement is sized the way the standard sizes it. A
 * community without target residents has no shortfall (nobody to serve). Communities with a
 * shortfall are capacity gaps (coverage's {@code Gaps.capacityGaps}). Facilities whose capacity is
 * null are skipped and counted (metric facilities_without_capacity).
 */
public final class AdequacyStage implements Stage {
  public static final String NAME = "adequacy";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Doors doors() {
    return Doors.reads(
            Tables.FACILITIES,
            Tables.BUILDING_POPULATION,
            Tables.BUILDING_ACCESS,
            Tables.WALK_NETWORK)
        .writes(Tables.FACILITY_ADEQUACY)
        .checks("inputs_not_empty");
  }

  /** Everything the stage computes, before writing. */
  public record Result(
      Dataset<Row> facilities,
      Dataset<Row> communities,
      Dataset<Row> cells,
      Dataset<Row> demandCells,
      List<Broadcast<?>> broadcasts,
      long facilitiesWithoutCapacity) {
    /** Frees what {@link #compute} persisted and broadcast, once the rows are written. */
    public void release() {
      cells.unpersist();
      demandCells.unpersist();
      broadcasts.forEach(Broadcast::destroy);
    }
  }

  @Override
  public StageResult run(SparkSession spark, RunContext ctx, StageTables tables) {
    FacilityCatalog catalog = ctx.catalogs().facilities();
    Dataset<Row> facilities = tables.input(Tables.FACILITIES);
    Dataset<Row> homes = tables.input(Tables.BUILDING_POPULATION);
    Dataset<Row> access = tables.input(Tables.BUILDING_ACCESS);
    WalkNetwork network = WalkNetwork.ofCity(spark, ctx, tables);
    Result r =
        compute(
            spark, catalog, facilities, homes, access, ctx.city().limits().detourFactor(), network);

    Dataset<Row> rows =
        facilityRows(r.facilities())
            .unionByName(communityRows(r.communities()))
            .persist(StorageLevel.MEMORY_AND_DISK());
    long written = tables.replaceSnapshot(Tables.FACILITY_ADEQUACY, rows);
    List<String> headlines = headlines(rows, r.facilitiesWithoutCapacity());
    long in = tables.rows(Tables.BUILDING_POPULATION);
    rows.unpersist();
    r.release();

    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put(Tables.FACILITY_ADEQUACY, written);
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("capacity_categories", CapacityFrame.categories(catalog).size());
    metrics.put("facilities_without_capacity", r.facilitiesWithoutCapacity());
    return new StageResult(in, written, 0, counts, List.of(), metrics, headlines);
  }

  /**
   * The whole computation on DataFrames (no writes): what the tests call. {@code network} walks the
   * pairs of buildings on the 'network' basis; null when the city has no walk network.
   */
  public static Result compute(
      SparkSession spark,
      FacilityCatalog catalog,
      Dataset<Row> facilities,
      Dataset<Row> homes,
      Dataset<Row> access,
      double detourFactor,
      WalkNetwork network) {
    Dataset<Row> cap = CapacityFrame.of(spark, catalog);
    Dataset<Row> capFacilities =
        facilities
            .select("facility_id", "category", "capacity", "geometry")
            .join(cap.select("cap_code"), col("category").equalTo(col("cap_code")), "left_semi");
    long withoutCapacity = capFacilities.where(col("capacity").isNull()).count();
    Dataset<Row> supplied = capFacilities.where(col("capacity").isNotNull());
    Dataset<Row> demand =
        access
            .select(
                "building_id",
                "community_code",
                "category",
                "residents",
                "target_residents",
                "distance_basis")
            .join(cap.select("cap_code"), col("category").equalTo(col("cap_code")), "left_semi");

    List<Broadcast<?>> broadcasts = new ArrayList<>();
    Dataset<Row> cells =
        cells(catalog, cap, supplied, homes, demand, access, detourFactor, network, broadcasts);
    Dataset<Row> supply = TwoStepCatchment.supply(supplied, cells);
    // Small (communities x categories) and read twice: by the community rows and for the basis.
    Dataset<Row> demandCells =
        TwoStepCatchment.demandCells(demand).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> communities = TwoStepCatchment.communities(demandCells, cells, supply, cap);
    Dataset<Row> basis =
        demandCells
            .groupBy(col("category").as("b_category"))
            .agg(min("distance_basis").as("distance_basis"));
    Dataset<Row> facilityOut =
        supply
            .join(cap, col("category").equalTo(col("cap_code")))
            .join(basis, col("category").equalTo(col("b_category")), "left")
            .drop("b_category");
    return new Result(facilityOut, communities, cells, demandCells, broadcasts, withoutCapacity);
  }

  /**
   * The catchment cells of every facility with a capacity, persisted: the rows on the 'network'
   * basis from one walk per facility ({@link NetworkCatchments}) when the city has a walk network,
   * the others from a Sedona distance join. The join runs only when some row is on another basis
   * (Delta's file statistics answer that without reading a row when none is).
   */
  private static Dataset<Row> cells(
      FacilityCatalog catalog,
      Dataset<Row> cap,
      Dataset<Row> supplied,
      Dataset<Row> homes,
      Dataset<Row> demand,
      Dataset<Row> access,
      double detourFactor,
      WalkNetwork network,
      List<Broadcast<?>> broadcasts) {
    // Without a walk network, rows on the 'network' basis have no walk and so no pair.
    Dataset<Row> straight = demand.where(col("distance_basis").notEqual("network"));
    Dataset<Row> cells = null;
    if (network == null || !straight.isEmpty()) {
      cells =
          TwoStepCatchment.cells(
              TwoStepCatchment.weightedPairs(
                  TwoStepCatchment.candidatePairs(
                      supplied, homes.select("building_id", "origin"), cap),
                  straight,
                  catalog,
                  detourFactor));
    }
    if (network != null) {
      Dataset<Row> walked =
          NetworkCatchments.cells(
              supplied,
              access
                  .where(col("distance_basis").equalTo("network"))
                  .select(
                      "building_id", "community_code", "category", "origin", "target_residents"),
              catalog,
              network,
              broadcasts);
      cells = cells == null ? walked : cells.unionByName(walked);
    }
    return cells.persist(StorageLevel.MEMORY_AND_DISK());
  }

  static Dataset<Row> facilityRows(Dataset<Row> f) {
    return f.select(
        lit("facility").as("level"),
        col("category"),
        col("facility_id"),
        lit(null).cast("string").as("community_code"),
        col("capacity"),
        col("cap_unit").as("capacity_unit"),
        col("supply_ratio"),
        col("target_residents_served"),
        lit(null).cast("long").as("target_residents"),
        lit(null).cast("long").as("residents"),
        lit(null).cast("double").as("accessibility_index"),
        lit(null).cast("double").as("places_per_1000_target"),
        lit(null).cast("double").as("reachable_places"),
        col("cap_norm").as("norm_per_1000"),
        col("cap_norm_basis").as("norm_basis"),
        lit(null).cast("long").as("basis_population"),
        lit(null).cast("double").as("shortfall_places"),
        col("cap_decay").as("decay"),
        col("cap_threshold_m").as("threshold_m"),
        col("distance_basis"));
  }

  static Dataset<Row> communityRows(Dataset<Row> c) {
    return c.select(
        lit("community").as("level"),
        col("category"),
        lit(null).cast("string").as("facility_id"),
        col("community_code"),
        lit(null).cast("double").as("capacity"),
        col("cap_unit").as("capacity_unit"),
        lit(null).cast("double").as("supply_ratio"),
        lit(null).cast("double").as("target_residents_served"),
        col("target_residents"),
        col("residents"),
        col("accessibility_index"),
        col("places_per_1000_target"),
        col("reachable_places"),
        col("cap_norm").as("norm_per_1000"),
        col("cap_norm_basis").as("norm_basis"),
        col("basis_population"),
        col("shortfall_places"),
        col("cap_decay").as("decay"),
        col("cap_threshold_m").as("threshold_m"),
        col("distance_basis"));
  }

  private static List<String> headlines(Dataset<Row> rows, long withoutCapacity) {
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            "  supply vs demand (E2SFCA): %d facilities skipped (capacity null);"
                + " communities short become capacity gaps in coverage",
            withoutCapacity));
    lines.add(
        "    category            capacity  target res.  places/1000 target"
            + "  places/1000 basis  norm/1000 (basis)  communities short  shortfall");
    Dataset<Row> byCategory =
        rows.groupBy("category")
            .agg(
                sum("capacity").as("capacity"),
                sum("target_residents").as("target"),
                sum("reachable_places").as("reachable"),
                sum("basis_population").as("basis_pop"),
                min("norm_per_1000").as("norm"),
                min("norm_basis").as("basis"),
                count(when(col("shortfall_places").gt(0), lit(1))).as("short"),
                sum("shortfall_places").as("shortfall"))
            .orderBy("category");
    for (Row r : byCategory.collectAsList()) {
      double capacity = r.isNullAt(1) ? 0 : r.getDouble(1);
      long target = r.isNullAt(2) ? 0 : r.getLong(2);
      double reachable = r.isNullAt(3) ? 0 : r.getDouble(3);
      long basisPop = r.isNullAt(4) ? 0 : r.getLong(4);
      lines.add(
          String.format(
              "    %-18s %10.0f %12d %19.1f %18.1f %10.1f (%s) %18d %10.1f",
              r.getString(0),
              capacity,
              target,
              target > 0 ? 1000 * reachable / target : 0.0,
              basisPop > 0 ? 1000 * reachable / basisPop : 0.0,
              r.getDouble(5),
              r.getString(6),
              r.getLong(7),
              r.isNullAt(8) ? 0 : r.getDouble(8)));
    }
    return lines;
  }
}
