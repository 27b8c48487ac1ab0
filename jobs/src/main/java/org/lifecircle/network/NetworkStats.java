package org.lifecircle.network;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.Contract;
import org.lifecircle.common.PipelineException;
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
   * @param tally the access pass's tally of the rows it wrote
   * @param homes building_population's rows, each of which the tally must have counted once
   */
  static NetworkStats compute(
      WalkGraph.Summary g,
      List<NetworkAccess.CategoryFacilities> facilities,
      AccessTally tally,
      long homes,
      double maxSnap) {
    if (tally.homes() != homes) {
      throw PipelineException.cannot(
          "compute",
          Tables.NETWORK_STATS,
          "the access pass tallied another number of homes than building_population holds",
          tally.homes() + " of " + homes);
    }
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
    // From the tally, not the searches' snaps: an incremental run snaps only the homes it
    // recomputes and tallies the homes it copies from their rows.
    AccessTally.District everyone = tally.city();
    long bSnapped = everyone.snapped;
    long bUnsnapped = everyone.unsnapped;
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
    Map<String, AccessTally.District> districts = tally.districts();
    districts.forEach(
        (code, d) -> {
          if (code != null) {
            stats.add(new Stat(code, "buildings_snapped", d.snapped, "count"));
            stats.add(new Stat(code, "buildings_unsnapped", d.unsnapped, "count"));
          }
        });

    // Detour ratios for the city (homes without a district included) and every district with a
    // pair. Pairs under a metre apart (a home in the building its facility occupies: the same
    // interior point computed twice, 1e-9 m apart) have no meaningful ratio and would swamp the
    // mean. The mean is over ratios in millionths summed as whole numbers, exact whatever order
    // the rows arrive in (a sum of doubles is not); the percentiles are exact over ratios in
    // ten-thousandths (percentile_approx's sketch depends on the order partial results merge in).
    AccessTally.District city = tally.city();
    if (city.pairs == 0) {
      stats.add(new Stat(CITY, "detour_pairs", 0, "count")); // no pair has both distances
    } else {
      addDetour(stats, CITY, city);
    }
    districts.forEach(
        (code, d) -> {
          if (code != null && d.pairs > 0) {
            addDetour(stats, code, d);
          }
        });

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
            share(bSnapped, bSnapped + bUnsnapped),
            bUnsnapped,
            share(fSnapped, fAll),
            fAll - fSnapped));
    if (city.pairs > 0) {
      List<Double> q = city.percentiles(0.1, 0.5, 0.9);
      headlines.add(
          String.format(
              Locale.ROOT,
              "  detour ratio network / straight line (city, %,d building-category pairs): p10 %.2f,"
                  + " p50 %.2f, p90 %.2f, mean %.2f",
              city.pairs,
              q.get(0),
              q.get(1),
              q.get(2),
              city.mean()));
    }
    flips(tally, facilities, metrics, headlines);
    return new NetworkStats(stats, metrics, headlines);
  }

  /** Share of target residents whose coverage differs between straight line and network. */
  private static void flips(
      AccessTally tally,
      List<NetworkAccess.CategoryFacilities> facilities,
      Map<String, Object> metrics,
      List<String> headlines) {
    headlines.add(
        "  coverage flips between straight line and network (share of each category's"
            + " target residents):");
    List<String> none = new ArrayList<>();
    for (int k = 0; k < facilities.size(); k++) {
      NetworkAccess.CategoryFacilities f = facilities.get(k);
      long[] v = tally.flips(k);
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

  private static void addDetour(List<Stat> stats, String district, AccessTally.District d) {
    stats.add(new Stat(district, "detour_pairs", d.pairs, "count"));
    List<Double> q = d.percentiles(0.1, 0.5, 0.9);
    stats.add(new Stat(district, "detour_ratio_p10", q.get(0), "ratio"));
    stats.add(new Stat(district, "detour_ratio_p50", q.get(1), "ratio"));
    stats.add(new Stat(district, "detour_ratio_p90", q.get(2), "ratio"));
    stats.add(new Stat(district, "detour_ratio_mean", d.mean(), "ratio"));
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
