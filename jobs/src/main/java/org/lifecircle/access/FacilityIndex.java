package org.lifecircle.access;

import java.io.Serializable;
import java.util.List;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.index.strtree.ItemDistance;
import org.locationtech.jts.index.strtree.STRtree;

/**
 * The facilities of one category as compact arrays (sorted by id, so index order is id order),
 * shipped to executors by broadcast; each executor builds its JTS STRtree once, lazily. Chosen over
 * Sedona's ST_KNN join by measurement (bench/, docs/BENCHMARKS.md): per-building nearest search
 * against a small broadcast index avoids the shuffle of a KNN join and ran ~1.5x faster.
 */
public final class FacilityIndex implements Serializable {
  private final String[] ids;
  private final double[] xs;
  private final double[] ys;
  private transient volatile STRtree tree;

  /** Result of a nearest search: the facility's index and the distance in metres. */
  public record Hit(int index, double distance) {}

  public FacilityIndex(String[] ids, double[] xs, double[] ys) {
    this.ids = ids;
    this.xs = xs;
    this.ys = ys;
  }

  public int size() {
    return ids.length;
  }

  public String id(int i) {
    return ids[i];
  }

  private STRtree tree() {
    STRtree t = tree;
    if (t == null) {
      synchronized (this) {
        t = tree;
        if (t == null) {
          t = new STRtree();
          for (int i = 0; i < ids.length; i++) {
            t.insert(new Envelope(xs[i], xs[i], ys[i], ys[i]), i);
          }
          t.build();
          tree = t;
        }
      }
    }
    return t;
  }

  /**
   * The nearest facility to (x, y); among facilities at exactly the same distance the smallest id
   * wins, so results do not depend on tree layout. Null when the category has no facility.
   */
  public Hit nearest(double x, double y) {
    if (ids.length == 0) {
      return null;
    }
    double[] query = {x, y};
    ItemDistance byPoint =
        (a, b) -> {
          double[] q = a.getItem() instanceof double[] d ? d : (double[]) b.getItem();
          int i = a.getItem() instanceof Integer ia ? ia : (Integer) b.getItem();
          return Math.hypot(xs[i] - q[0], ys[i] - q[1]);
        };
    int best = (Integer) tree().nearestNeighbour(new Envelope(x, x, y, y), query, byPoint);
    double d = Math.hypot(xs[best] - x, ys[best] - y);
    // Ties: every facility at distance d lies in this box; keep the smallest index (= id).
    @SuppressWarnings("unchecked")
    List<Integer> near = tree().query(new Envelope(x - d, x + d, y - d, y + d));
    for (int i : near) {
      if (i < best && Math.hypot(xs[i] - x, ys[i] - y) == d) {
        best = i;
      }
    }
    return new Hit(best, d);
  }
}
