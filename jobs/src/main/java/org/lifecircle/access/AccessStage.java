package org.lifecircle.access;

import static org.apache.spark.sql.functions.col;

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
import org.apache.spark.sql.SparkSession;
import org.lifecircle.catalog.AgeBands;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;
import org.lifecircle.network.FacilityPoints;
import org.lifecircle.network.NetworkAccess;
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
    Dataset<Row> straightLine = access(spark, homes, points, catalog, basis);
    Map<String, Long> counts = new LinkedHashMap<>();
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("categories", catalog.categories().size());
    long buildings = homes.count();
    List<String> headlines = new ArrayList<>();
    headlines.add(
        String.format(
            "  %d buildings x %d categories, coverage basis: %s",
            buildings, catalog.categories().size(), network ? "network" : basis.name()));
    if (!network) {
      metrics.put("basis", basis.name());
      counts.put(
          Tables.BUILDING_ACCESS, tables.replaceSnapshot(Tables.BUILDING_ACCESS, straightLine));
      headlines.add(
          "  no walk network configured: coverage on the straight line x detour factor "
              + ctx.city().limits().detourFactor());
    } else {
      metrics.put("basis", "network");
      try (NetworkAccess routed =
          NetworkAccess.route(
              spark,
              ctx.cityCode(),
              ctx.city().limits(),
              catalog,
              tables.snapshot(Tables.WALK_NETWORK),
              points,
              homes)) {
        counts.put(
            Tables.BUILDING_ACCESS,
            tables.replaceSnapshot(Tables.BUILDING_ACCESS, routed.withNetwork(straightLine)));
        NetworkStats stats = routed.stats(spark, tables.snapshot(Tables.BUILDING_ACCESS));
        counts.put(
            Tables.NETWORK_STATS, tables.replaceSnapshot(Tables.NETWORK_STATS, stats.rows(spark)));
        metrics.putAll(stats.metrics());
        headlines.addAll(stats.headlines());
      }
    }
    long written = counts.values().stream().mapToLong(Long::longValue).sum();
    return new StageResult(buildings, written, 0, counts, List.of(), metrics, headlines);
  }

  /** How coverage is decided before (or without) network distances. */
  public record Basis(String name, double factor) implements Serializable {}

  /**
   * The transform: homes (building_population rows) x catalog categories, nearest facility by
   * straight line through a broadcast per-category STRtree applied in mapPartitions.
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
    Map<String, FacilityIndex> indexes = new LinkedHashMap<>();
    points.forEach((code, p) -> indexes.put(code, new FacilityIndex(p.ids(), p.xs(), p.ys())));
    Broadcast<Map<String, FacilityIndex>> shared =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(indexes);
    List<String> bandNames = AgeBands.COLUMNS;
    List<String> cols =
        new ArrayList<>(List.of("building_id", "community_code", "origin", "residents"));
    cols.addAll(bandNames);
    JavaRDD<Row> rows =
        homes
            .select(cols.stream().map(c -> col(c)).toArray(Column[]::new))
            .javaRDD()
            .mapPartitions(it -> new NearestRows(it, shared.value(), catalog, basis, bandNames));
    return spark.createDataFrame(
        rows, Contract.of(Tables.BUILDING_ACCESS).schemaWithoutPartitions());
  }
}
