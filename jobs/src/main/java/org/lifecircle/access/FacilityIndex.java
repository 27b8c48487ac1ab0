package org.lifecircle.access;

import java.io.Serializable;

/**
 * The facilities of one category as compact arrays (sorted by id, so index order is id order),
 * shipped to executors by broadcast; each executor builds its {@link PointTree} once, lazily.
 * Chosen over Sedona's ST_KNN join by measurement (bench/, docs/BENCHMARKS.md): per-building
 * nearest search against a small broadcast index avoids the shuffle of a KNN join and ran ~1.5x
 * faster.
 */
public final class FacilityIndex implements Serializable {
  private final String[] ids;
  private final double[] xs;
  private final double[] ys;
  private transient volatile PointTree tree;

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

  private PointTree tree() {
    PointTree t = tree;
    if (t == null) {
      synchronized (this) {
        t = tree;
        if (t == null) {
          t = new PointTree(xs, ys);
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
    int best = tree().nearest(x, y);
    return new Hit(best, Math.hypot(xs[best] - x, ys[best] - y));
  }
}
