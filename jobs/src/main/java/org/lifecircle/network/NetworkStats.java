package org.lifecircle.network;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.grouping;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.Contract;
import org.lifecircle.io.Tables;

/**
 * The network_stats rows (one per district or 'city' and metric), the stage's metrics and its
 * headlines: graph size, islands, snapped counts per dataset, the detour ratio per district, and
 * per category the share of target residents whose coverage flips between the straight line ({@code
 * within_threshold}) and the network ({@code within_threshold_network}).
 *
 * <p>Detour ratio: per building and category where both are known and the straight line is not 0,
 * {@code network_distance_m / distance_m}: the network distance to the nearest facility along the
 * network over the straight-line distance to the nearest facility by straight line, the factor that
 * the {@code straight_line_detour} basis approximates with one configured number.
 */
public final class NetworkStats {
  static final String CITY = "city";

  /** Straight-line distance below which a building-facility pair is left out of detour ratios. */
  static final double MIN_DETOUR_PAIR_M = 1.0;

  private static final double MEAN_SCALE = 1e6;
  private static final double PERCENTILE_SCALE = 1e4;

  record Stat(String district, String metric, double value, String unit) {}

  private final List<Stat> stats;
  private final Map<String, Object> metrics;
  private final List<String> headlines;

  private NetworkStats(List<Stat> stats, Map<String, Object> metrics, List<String> headlines) {
    this.stats = stats;
    this.metrics = metrics;
    this.headlines = headlines;
  }

  List<Stat> stats() {
    return stats;
  }

  public Map<String, Object> metrics() {
    return metrics;
  }

  public List<String> headlines() {
    return headlines;
  }

  public Dataset<Row> rows(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (Stat s : stats) {
      rows.add(RowFactory.create(s.district(), s.metric(), s.value(), s.unit()));
    }
    return spark.createDataFrame(rows, Contract.of(Tables.NETWORK_STATS).schemaWithoutPartitions());
  }

  /**
   * @param snaps per building of building_population: building_id, district_code, edge (-1 when
   *     unsnapped)
   * @param access building_access for the snapshot as written, network columns filled
   */
  static NetworkStats compute(
      SparkSession spark,
      WalkGraph.Summary g,
      EdgeSnapper.Snaps buildings,
      List<NetworkAccess.CategoryFacilities> facilities,
      Dataset<Row> snaps,
      Dataset<Row> access,
      double maxSnap) {
    List<Stat> stats = new ArrayList<>();
    Map<String, Object> metrics = new LinkedHashMap<>();
    List<String> headlines = new ArrayList<>();
    add(stats, metrics, "nodes", g.nodes(), "count");
    add(stats, metrics, "edges", g.edges(), "count");
    add(stats, metrics, "network_length_m", g.lengthM(), "m");
    add(stats, metrics, "components", g.components(), "count");
    add(stats, metrics, "islands", g.islands(), "count");
    add(stats, metrics, "island_edges", g.islandEdges(), "count");
    add(stats, metrics, "island_length_m", g.islandLengthM(), "m");
    add(stats, metrics, "node_id_mismatches", g.nodeIdMismatches(), "count");
    int bSnapped = buildings.snappedCount();
    int bUnsnapped = buildings.size() - bSnapped;
    int fSnapped = 0;
    int fAll = 0;
    for (NetworkAccess.CategoryFacilities f : facilities) {
      fSnapped += f.snaps().snappedCount();
      fAll += f.snaps().size();
    }
    add(stats, metrics, "buildings_snapped", bSnapped, "count");
    add(stats, metrics, "buildings_unsnapped", bUnsnapped, "count");
    add(stats, metrics, "facilities_snapped", fSnapped, "count");
    add(stats, metrics, "facilities_unsnapped", fAll - fSnapped, "count");
    for (Row r :
        snaps
            .where(col("district_code").isNotNull())
            .groupBy("district_code")
            .agg(
                sum(when(col("edge").geq(0), 1L).otherwise(0L)),
                sum(when(col("edge").lt(0), 1L).otherwise(0L)))
            .orderBy("district_code")
            .collectAsList()) {
      stats.add(new Stat(r.getString(0), "buildings_snapped", r.getLong(1), "count"));
      stats.add(new Stat(r.getString(0), "buildings_unsnapped", r.getLong(2), "count"));
    }

    // One pass for the city and every district: rollup's grand-total row (grouping = 1) is the
    // city.
    // Pairs under a metre apart (a home in the building its facility occupies: the same interior
    // point computed twice, 1e-9 m apart) have no meaningful ratio and would swamp the mean.
    Dataset<Row> ratios =
        access
            .where(
                col("network_distance_m").isNotNull().and(col("distance_m").geq(MIN_DETOUR_PAIR_M)))
            .select(
                col("building_id"), col("network_distance_m").divide(col("distance_m")).as("ratio"))
            .join(snaps.select("building_id", "district_code"), "building_id");
    Row city = null;
    for (Row r :
        ratios
            .rollup("district_code")
            .agg(
                grouping("district_code"),
                count(lit(1)),
                // The mean of the ratios in millionths, summed as whole numbers: exact, so the
                // same whatever order the rows arrive in (a sum of doubles is not, and access's
                // rows arrive in another order when its plan changes).
                sum(scaled(MEAN_SCALE)),
                // Exact percentiles of the ratios in ten-thousandths: the same numbers whatever
                // the partitioning (percentile_approx's sketch depends on the order partial
                // results merge in, so two Spark settings gave two answers), in memory bounded by
                // the distinct rounded ratios (tens of thousands), not the pairs (30 M at SF 1).
                // Rounded by arithmetic, not round(ratio, 4): Spark's round goes through a
                // decimal string per value, 20 of the stage's 31 s at SF 1 (JFR, session 14).
                expr(
                    String.format(
                        Locale.ROOT,
                        "percentile(floor(ratio * %.0f + 0.5), array(0.1, 0.5, 0.9))",
                        PERCENTILE_SCALE)))
            .orderBy(col("district_code").asc_nulls_first())
            .collectAsList()) {
      if (r.getByte(1) == 1) {
        city = r;
        addDetour(stats, CITY, r, 2);
      } else if (!r.isNullAt(0)) {
        addDetour(stats, r.getString(0), r, 2);
      }
    }
    if (city == null) {
      stats.add(new Stat(CITY, "detour_pairs", 0, "count")); // no pair has both distances
    }

    headlines.add(
        String.format(
            Locale.ROOT,
            "  walk network: %,d nodes, %,d edges (%.1f km), %d components; %d islands (%,d edges, %.2f km)"
                + " left out of snapping",
            g.nodes(),
            g.edges(),
            g.lengthM() / 1000,
            g.components(),
            g.islands(),
            g.islandEdges(),
            g.islandLengthM() / 1000));
    headlines.add(
        String.format(
            Locale.ROOT,
            "  snapped within %.0f m: buildings %s (%,d not), facilities %s (%,d not)",
            maxSnap,
            share(bSnapped, buildings.size()),
            bUnsnapped,
            share(fSnapped, fAll),
            fAll - fSnapped));
    if (city != null && city.getLong(2) > 0) {
      List<Double> q = percentiles(city, 4);
      headlines.add(
          String.format(
              Locale.ROOT,
              "  detour ratio network / straight line (city, %,d building-category pairs): p10 %.2f,"
                  + " p50 %.2f, p90 %.2f, mean %.2f",
              city.getLong(2),
              q.get(0),
              q.get(1),
              q.get(2),
              mean(city, 2)));
    }
    flips(access, facilities, metrics, headlines);
    return new NetworkStats(stats, metrics, headlines);
  }

  /** Share of target residents whose coverage differs between straight line and network. */
  private static void flips(
      Dataset<Row> access,
      List<NetworkAccess.CategoryFacilities> facilities,
      Map<String, Object> metrics,
      List<String> headlines) {
    Column flipped = not(col("within_threshold").eqNullSafe(col("within_threshold_network")));
    Map<String, long[]> byCategory = new LinkedHashMap<>();
    for (Row r :
        access
            .groupBy("category")
            .agg(
                sum("target_residents"),
                sum(when(flipped, col("target_residents")).otherwise(0L)),
                sum(
                    when(
                            col("within_threshold").and(not(col("within_threshold_network"))),
                            col("target_residents"))
                        .otherwise(0L)))
            .collectAsList()) {
      byCategory.put(r.getString(0), new long[] {r.getLong(1), r.getLong(2), r.getLong(3)});
    }
    headlines.add(
        "  coverage flips between straight line and network (share of each category's"
            + " target residents):");
    List<String> none = new ArrayList<>();
    for (NetworkAccess.CategoryFacilities f : facilities) {
      long[] v = byCategory.getOrDefault(f.code(), new long[3]);
      metrics.put("flip_share." + f.code(), v[0] == 0 ? null : (double) v[1] / v[0]);
      if (f.ids().length == 0) {
        none.add(f.code());
        continue;
      }
      headlines.add(
          String.format(
              Locale.ROOT,
              "    %-18s %7s of %,d flip (%,d lose coverage, %,d gain)",
              f.code(),
              share(v[1], v[0]),
              v[0],
              v[2],
              v[1] - v[2]));
    }
    if (!none.isEmpty()) {
      headlines.add("    no facility, covered by neither: " + String.join(", ", none));
    }
  }

  private static void addDetour(List<Stat> stats, String district, Row r, int offset) {
    long n = r.getLong(offset);
    stats.add(new Stat(district, "detour_pairs", n, "count"));
    if (n == 0) {
      return;
    }
    List<Double> q = percentiles(r, offset + 2);
    stats.add(new Stat(district, "detour_ratio_p10", q.get(0), "ratio"));
    stats.add(new Stat(district, "detour_ratio_p50", q.get(1), "ratio"));
    stats.add(new Stat(district, "detour_ratio_p90", q.get(2), "ratio"));
    stats.add(new Stat(district, "detour_ratio_mean", mean(r, offset), "ratio"));
  }

  /** The ratio column in 1 / {@code scale} units, rounded half up: a whole number. */
  private static Column scaled(double scale) {
    return floor(col("ratio").multiply(scale).plus(0.5));
  }

  /** The mean ratio of an aggregated row: count at {@code offset}, scaled sum after it. */
  private static double mean(Row r, int offset) {
    return r.getLong(offset + 1) / (double) r.getLong(offset) / MEAN_SCALE;
  }

  private static List<Double> percentiles(Row r, int at) {
    return r.<Double>getList(at).stream().map(v -> v / PERCENTILE_SCALE).toList();
  }

  private static void add(
      List<Stat> stats, Map<String, Object> metrics, String metric, double value, String unit) {
    stats.add(new Stat(CITY, metric, value, unit));
    metrics.put(metric, value);
  }

  static String share(long part, long whole) {
    return whole == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
  }
}
