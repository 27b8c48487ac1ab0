package org.lifecircle.access;

import static org.apache.spark.sql.functions.col;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.io.Tables;
import org.lifecircle.network.FacilityPoints;
import org.lifecircle.network.NetworkAccess;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.io.WKBReader;

/**
 * The homes that facilities opened, closed or moved since the previous snapshot can reach, per
 * category, from each home's previous building_access row ({@link #reaches}). The check is a
 * nearest search in a broadcast index of the arrived facilities, as the access stage's own search
 * is ({@link FacilityIndex}: chosen over Sedona's KNN join by measurement); a home-by-home bound,
 * not a join of geometries.
 */
final class FacilityReach {
  private static final String IDS = "building_id";

  /** Headroom for rounding: a walk computed in doubles may come out a hair under the chord. */
  private static final double RELATIVE_SLACK = 1e-9;

  private static final double ABSOLUTE_SLACK_M = 1e-6;

  private FacilityReach() {}

  /**
   * One category's changes: the facilities whose old position no longer holds (removed or moved)
   * and the new positions (added or moved), indexed for nearest search.
   */
  static final class CategoryChange implements Serializable {
    // A class, not a record: the change travels by broadcast, and Kryo cannot rebuild records.
    private final Set<String> gone;
    private final FacilityIndex arrived;
    private final double cutoffM;

    CategoryChange(Set<String> gone, FacilityIndex arrived, double cutoffM) {
      this.gone = new HashSet<>(gone);
      this.arrived = arrived;
      this.cutoffM = cutoffM;
    }

    Set<String> gone() {
      return gone;
    }

    FacilityIndex arrived() {
      return arrived;
    }

    /** The category's network search cutoff; NaN without a walk network. */
    double cutoffM() {
      return cutoffM;
    }

    boolean none() {
      return gone.isEmpty() && arrived.size() == 0;
    }
  }

  /**
   * Per category (catalog order): the facilities removed or moved since the previous snapshot, and
   * those added or moved, as {@link FacilityPoints} place them (a facility's first coordinate, by
   * id); a facility in {@code resnapped} (near a changed walk edge) counts as both.
   */
  static Map<String, CategoryChange> changes(
      Map<String, FacilityPoints> before,
      Map<String, FacilityPoints> after,
      FacilityCatalog catalog,
      double cutoffMultiple,
      boolean network,
      Set<String> resnapped) {
    Map<String, CategoryChange> out = new LinkedHashMap<>();
    for (FacilityCatalog.Category c : catalog.categories()) {
      Map<String, double[]> old = positions(before.get(c.code()));
      Map<String, double[]> now = positions(after.get(c.code()));
      Set<String> gone = new HashSet<>();
      old.forEach(
          (id, xy) -> {
            double[] n = now.get(id);
            if (n == null || n[0] != xy[0] || n[1] != xy[1] || resnapped.contains(id)) {
              gone.add(id);
            }
          });
      List<String> ids = new ArrayList<>();
      now.forEach(
          (id, xy) -> {
            double[] o = old.get(id);
            if (o == null || o[0] != xy[0] || o[1] != xy[1] || resnapped.contains(id)) {
              ids.add(id);
            }
          });
      double[] xs = new double[ids.size()];
      double[] ys = new double[ids.size()];
      for (int i = 0; i < ids.size(); i++) {
        xs[i] = now.get(ids.get(i))[0];
        ys[i] = now.get(ids.get(i))[1];
      }
      out.put(
          c.code(),
          new CategoryChange(
              gone,
              new FacilityIndex(ids.toArray(String[]::new), xs, ys),
              network ? NetworkAccess.cutoffM(c, cutoffMultiple) : Double.NaN));
    }
    return out;
  }

  private static Map<String, double[]> positions(FacilityPoints p) {
    Map<String, double[]> m = new HashMap<>();
    if (p != null) {
      for (int i = 0; i < p.ids().length; i++) {
        m.put(p.ids()[i], new double[] {p.xs()[i], p.ys()[i]});
      }
    }
    return m;
  }

  /**
   * Whether a change of one category can alter a home's row of that category, from the row's
   * previous values: its nearest facility (straight line, {@code nearest}; network, {@code
   * networkNearest}) is gone, or a facility that arrived lies within the distance it would have to
   * beat. {@code cutoff} is NaN without a walk network; {@code snapped}: the home snapped to it.
   */
  static boolean reaches(
      CategoryChange change,
      double x,
      double y,
      String nearest,
      Double distance,
      String networkNearest,
      Double networkDistance,
      boolean snapped) {
    if (nearest != null && change.gone().contains(nearest)
        || networkNearest != null && change.gone().contains(networkNearest)) {
      return true;
    }
    FacilityIndex.Hit hit = change.arrived().nearest(x, y);
    if (hit == null) {
      return false;
    }
    if (distance == null) {
      return true; // the category had no facility: any arrival is the nearest
    }
    double bound = distance;
    // An unsnapped home (whose origin and the walk network are as before) has no walk to beat.
    if (!Double.isNaN(change.cutoffM()) && snapped) {
      bound = Math.max(bound, networkDistance != null ? networkDistance : change.cutoffM());
    }
    return hit.distance() <= bound * (1 + RELATIVE_SLACK) + ABSOLUTE_SLACK_M;
  }

  /** The building_ids of the previous rows that a category's change {@link #reaches}. */
  static Dataset<Row> reached(
      SparkSession spark, Dataset<Row> previousRows, Map<String, CategoryChange> changes) {
    Map<String, CategoryChange> some = new HashMap<>();
    changes.forEach(
        (code, c) -> {
          if (!c.none()) {
            some.put(code, c);
          }
        });
    Broadcast<Map<String, CategoryChange>> shared =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(some);
    return previousRows
        .where(col("category").isin(some.keySet().toArray()))
        .select(
            IDS,
            "category",
            "origin",
            "nearest_facility_id",
            "distance_m",
            "network_facility_id",
            "network_distance_m",
            "snapped")
        .mapPartitions(
            (MapPartitionsFunction<Row, String>)
                rows -> {
                  WKBReader reader = new WKBReader();
                  Map<String, CategoryChange> byCode = shared.value();
                  List<String> hits = new ArrayList<>();
                  while (rows.hasNext()) {
                    Row r = rows.next();
                    Coordinate o =
                        NetworkAccess.read(
                                reader, (byte[]) r.get(2), Tables.BUILDING_ACCESS, r.getString(0))
                            .getCoordinate();
                    if (reaches(
                        byCode.get(r.getString(1)),
                        o.x,
                        o.y,
                        r.getString(3),
                        r.isNullAt(4) ? null : r.getDouble(4),
                        r.getString(5),
                        r.isNullAt(6) ? null : r.getDouble(6),
                        !r.isNullAt(7) && r.getBoolean(7))) {
                      hits.add(r.getString(0));
                    }
                  }
                  return hits.iterator();
                },
            Encoders.STRING())
        .toDF(IDS)
        .distinct();
  }
}
