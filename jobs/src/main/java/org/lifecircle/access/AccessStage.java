package org.lifecircle.access;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.catalog.AgeBands;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;
import org.lifecircle.network.AccessTally;
import org.lifecircle.network.FacilityPoints;
import org.lifecircle.network.NetworkAccess;
import org.lifecircle.network.NetworkDistances;
import org.lifecircle.network.NetworkStats;

/**
 * For every residential building and every catalog category: the nearest facility by straight line,
 * its distance in metres of the metric CRS, and whether it is within the category's threshold; and,
 * when the city has a walk network, the nearest facility along it ({@link NetworkAccess}), which
 * then decides coverage. Categories with no facility still produce rows (distance null, not
 * covered).
 *
 * <p>building_access is written once, on its final basis: {@code network} when the city has a walk
 * network (the straight-line columns are kept beside it, network_stats compares the two), {@code
 * straight_line_detour} (straight line times the configured detour factor) when it has none.
 */
public final class AccessStage implements Stage {
  public static final String NAME = "access";
  private static final long HOMES_PER_WRITE_TASK = 50_000;
  private static final List<String> HOME_COLUMNS =
      List.of("building_id", "community_code", "origin", "residents");

  /** Where {@link #indexedHomes} puts the home's index; the age bands follow it. */
  static final int HOME_INDEX = HOME_COLUMNS.size();

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Reads walk_network when the city config lists it (network_stats is written only then; the
   * network check applies only then).
   */
  @Override
  public Doors doors() {
    return Doors.reads(Tables.BUILDING_POPULATION, Tables.FACILITIES, Tables.WALK_NETWORK)
        .writes(Tables.BUILDING_ACCESS, Tables.NETWORK_STATS)
        .checks("inputs_not_empty", "network_has_edges");
  }

  @Override
  public StageResult run(SparkSession spark, RunContext ctx, StageTables tables) {
    FacilityCatalog catalog = ctx.catalogs().facilities();
    Dataset<Row> homes = tables.input(Tables.BUILDING_POPULATION);
    Dataset<Row> facilities = tables.input(Tables.FACILITIES);
    boolean network = ctx.city().has(Tables.WALK_NETWORK);
    Basis basis =
        network
            ? new Basis("straight_line", 1.0)
            : new Basis("straight_line_detour", ctx.city().limits().detourFactor());
    // Collected once: the straight-line index and the network snapping use the same points.
    Map<String, FacilityPoints> points = FacilityPoints.byCategory(facilities, catalog);
    Map<String, Long> counts = new LinkedHashMap<>();
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("categories", catalog.categories().size());
    long buildings = tables.rows(Tables.BUILDING_POPULATION);
    String fingerprint = IncrementalAccess.fingerprint(ctx, catalog, network);
    metrics.put("fingerprint", fingerprint);
    IncrementalAccess.Plan plan =
        ctx.mode() == RunContext.Mode.INCREMENTAL
            ? IncrementalAccess.plan(spark, ctx, tables, points, network, fingerprint, buildings)
            : IncrementalAccess.Plan.full("full run", Map.of());
    metrics.put("incremental", plan.metrics);
    List<String> headlines = new ArrayList<>();
    headlines.add(
        String.format(
            "  %d buildings x %d categories, coverage basis: %s",
            buildings, catalog.categories().size(), network ? "network" : basis.name()));
    if (ctx.mode() == RunContext.Mode.INCREMENTAL) {
      headlines.add(
          plan.incremental()
              ? String.format(
                  "  incremental: %s homes recomputed, %s copied from %s",
                  plan.metrics.get("homes_recomputed"),
                  plan.metrics.get("homes_copied"),
                  plan.metrics.get("previous_snapshot"))
              : "  incremental run computed in full: " + plan.why());
    }
    Dataset<Row> computed = plan.incremental() ? plan.recompute : homes;
    long computedHomes =
        plan.incremental()
            ? ((Number) plan.metrics.get("homes_recomputed")).longValue()
            : buildings;
    try {
      if (!network) {
        metrics.put("basis", basis.name());
        Dataset<Row> rows = access(spark, computed, points, catalog, basis);
        counts.put(
            Tables.BUILDING_ACCESS,
            tables.replaceSnapshot(
                Tables.BUILDING_ACCESS,
                plan.incremental() ? rows.union(plan.copied(spark, catalog, null)) : rows));
        headlines.add(
            "  no walk network configured: coverage on the straight line x detour factor "
                + ctx.city().limits().detourFactor());
      } else {
        metrics.put("basis", "network");
        routeAndWrite(
            spark,
            ctx,
            tables,
            points,
            plan,
            computed,
            computedHomes,
            buildings,
            counts,
            metrics,
            headlines);
      }
    } finally {
      plan.release();
    }
    long written = counts.values().stream().mapToLong(Long::longValue).sum();
    return new StageResult(buildings, written, 0, counts, List.of(), metrics, headlines);
  }

  /**
   * The network branch: snaps and routes the homes to compute ({@code computed}, all of them in a
   * full run), writes building_access (with the plan's copied rows in an incremental run) and
   * network_stats, whose tally covers every home either way.
   */
  private static void routeAndWrite(
      SparkSession spark,
      RunContext ctx,
      StageTables tables,
      Map<String, FacilityPoints> points,
      IncrementalAccess.Plan plan,
      Dataset<Row> computed,
      long computedHomes,
      long buildings,
      Map<String, Long> counts,
      Map<String, Object> metrics,
      List<String> headlines) {
    FacilityCatalog catalog = ctx.catalogs().facilities();
    Basis basis = new Basis("straight_line", 1.0);
    // Indexed once and kept: the snapping and the rows must see every home at the same index.
    JavaRDD<Row> indexed =
        indexedHomes(computed, writeTasks(spark, computedHomes))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try (NetworkAccess routed =
        NetworkAccess.route(
            spark,
            ctx.cityCode(),
            ctx.city().limits(),
            catalog,
            tables.snapshot(Tables.WALK_NETWORK),
            points,
            indexed.map(
                h ->
                    RowFactory.create(
                        h.get(HOME_INDEX), h.get(0), h.get(2), h.get(h.length() - 1))))) {
      AccessTally tally = new AccessTally(catalog.categories().size());
      // Unnamed: a named accumulator's value goes into every task's UI and event-log record.
      spark.sparkContext().register(tally);
      Dataset<Row> rows = rows(spark, indexed, points, catalog, basis, routed.distances(), tally);
      counts.put(
          Tables.BUILDING_ACCESS,
          tables.replaceSnapshot(
              Tables.BUILDING_ACCESS,
              plan.incremental() ? rows.union(plan.copied(spark, catalog, tally)) : rows));
      NetworkStats stats = routed.stats(tally, buildings);
      counts.put(
          Tables.NETWORK_STATS, tables.replaceSnapshot(Tables.NETWORK_STATS, stats.rows(spark)));
      metrics.putAll(stats.metrics());
      headlines.addAll(stats.headlines());
    } finally {
      indexed.unpersist();
    }
  }

  /** How coverage is decided before (or without) network distances. */
  public record Basis(String name, double factor) implements Serializable {}

  /**
   * The transform: homes (building_population rows) x catalog categories, nearest facility by
   * straight line through a broadcast per-category 2-d tree ({@link PointTree}) applied in
   * mapPartitions.
   */
  public static Dataset<Row> access(
      SparkSession spark,
      Dataset<Row> homes,
      Dataset<Row> facilities,
      FacilityCatalog catalog,
      Basis basis) {
    return access(spark, homes, FacilityPoints.byCategory(facilities, catalog), catalog, basis);
  }

  /** As above, from the facilities already collected as points. */
  static Dataset<Row> access(
      SparkSession spark,
      Dataset<Row> homes,
      Map<String, FacilityPoints> points,
      FacilityCatalog catalog,
      Basis basis) {
    List<Column> cols = new ArrayList<>();
    HOME_COLUMNS.forEach(c -> cols.add(col(c)));
    cols.add(lit(-1L).as("home_index"));
    AgeBands.COLUMNS.forEach(c -> cols.add(col(c)));
    return rows(
        spark,
        homes.select(cols.toArray(Column[]::new)).javaRDD(),
        points,
        catalog,
        basis,
        null,
        null);
  }

  /**
   * building_population rows as {@link NearestRows} reads them: building_id, community_code,
   * origin, residents, the home's index (0 to n - 1, from the order the rows are read in), the
   * eight age bands, then district_code.
   */
  static JavaRDD<Row> indexedHomes(Dataset<Row> homes, int partitions) {
    List<Column> cols = new ArrayList<>();
    HOME_COLUMNS.forEach(c -> cols.add(col(c)));
    AgeBands.COLUMNS.forEach(c -> cols.add(col(c)));
    cols.add(col("district_code"));
    return homes
        .select(cols.toArray(Column[]::new))
        .javaRDD()
        .zipWithIndex()
        .map(
            t -> {
              Row r = t._1();
              Object[] v = new Object[r.length() + 1];
              for (int i = 0; i < r.length(); i++) {
                v[i < HOME_INDEX ? i : i + 1] = r.get(i);
              }
              v[HOME_INDEX] = t._2();
              return RowFactory.create(v);
            })
        // After the indexes are given (each row carries its own): the order rows arrive in after
        // the shuffle does not matter.
        .repartition(partitions);
  }

  /**
   * Tasks for the pass that writes building_access: one per {@link #HOMES_PER_WRITE_TASK} homes, at
   * least one per core. Delta sorts each write task's rows by the partition columns before it
   * writes them, so a task's rows (one per home and category) are held in memory at once; at SF 1
   * two tasks of 15 M rows each spilled 1.3 GB to disk.
   */
  static int writeTasks(SparkSession spark, long homes) {
    return (int)
        Math.max(
            spark.sparkContext().defaultParallelism(),
            (homes + HOMES_PER_WRITE_TASK - 1) / HOMES_PER_WRITE_TASK);
  }

  /**
   * building_access rows, one per home and category, from homes laid out as {@link #indexedHomes}
   * lays them out; with {@code network} (null: none) filling the network columns and {@code tally}
   * (with the network) counting what network_stats reports as the rows are made.
   */
  static Dataset<Row> rows(
      SparkSession spark,
      JavaRDD<Row> homes,
      Map<String, FacilityPoints> points,
      FacilityCatalog catalog,
      Basis basis,
      Broadcast<NetworkDistances> network,
      AccessTally tally) {
    Map<String, FacilityIndex> indexes = new LinkedHashMap<>();
    points.forEach((code, p) -> indexes.put(code, new FacilityIndex(p.ids(), p.xs(), p.ys())));
    Broadcast<Map<String, FacilityIndex>> shared =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(indexes);
    List<String> bandNames = AgeBands.COLUMNS;
    JavaRDD<InternalRow> rows =
        homes.mapPartitions(
            it ->
                new NearestRows(
                    it,
                    shared.value(),
                    network == null ? null : network.value(),
                    catalog,
                    basis,
                    bandNames,
                    tally));
    // Spark's internal rows, made a frame as Placement does (Scala-private to Spark's sql package,
    // public in the bytecode): no per-row conversion from Row objects.
    return spark.internalCreateDataFrame(
        rows.rdd(), Contract.of(Tables.BUILDING_ACCESS).schemaWithoutPartitions(), false);
  }
}
