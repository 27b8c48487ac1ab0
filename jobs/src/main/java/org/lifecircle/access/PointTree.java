package org.lifecircle.access;

/**
 * A static 2-d tree over points held in primitive arrays, for the one query access asks 30 M times
 * at SF 1: the nearest point, ties to the smallest index.
 *
 * <p>Why not JTS's STRtree, which FacilityIndex used before: its {@code nearestNeighbour} is a
 * branch-and-bound over a priority queue that allocates a pair object per node visited, and each
 * query then needed a second box query to settle ties. Measured on SF 1 (docs/BENCHMARKS.md,
 * "nearest search in primitive arrays"), this tree answers the same queries several times faster,
 * with the same answers (PointTreeTest checks it against a brute-force loop, ties included).
 *
 * <p>Layout: the points are permuted so that every range's middle element splits it on the axis of
 * its depth (x, then y); nothing but three arrays is allocated, and a query allocates nothing.
 */
final class PointTree {
  // A point whose squared distance exceeds the best one's by more than this share cannot be as
  // near by Math.hypot; rounding of both is some 1e-16, so the slack only admits true candidates.
  private static final double SLACK = 1 + 1e-9;

  private final double[] xs;
  private final double[] ys;
  private final int[] index;

  /** Builds over the points (xs[i], ys[i]); the arrays are copied, not kept. */
  PointTree(double[] xs, double[] ys) {
    int n = xs.length;
    this.xs = xs.clone();
    this.ys = ys.clone();
    this.index = new int[n];
    for (int i = 0; i < n; i++) {
      index[i] = i;
    }
    build(0, n, 0);
  }

  int size() {
    return index.length;
  }

  /**
   * The index of the point nearest to (x, y) by Math.hypot, the smallest among equals; -1 if none.
   */
  int nearest(double x, double y) {
    Search s = new Search(x, y);
    s.visit(0, index.length, 0);
    return s.best;
  }

  private final class Search {
    private final double qx;
    private final double qy;
    private int best = -1;
    private double bestSquared = Double.POSITIVE_INFINITY;
    private double bestDx;
    private double bestDy;
    private double bestDistance = Double.NaN; // Math.hypot(bestDx, bestDy) once asked
    private double bound = Double.POSITIVE_INFINITY;

    Search(double qx, double qy) {
      this.qx = qx;
      this.qy = qy;
    }

    void visit(int lo, int hi, int axis) {
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        double dx = xs[mid] - qx;
        double dy = ys[mid] - qy;
        double squared = dx * dx + dy * dy;
        if (squared <= bound && nearer(squared, dx, dy, index[mid])) {
          best = index[mid];
          bestSquared = squared;
          bestDx = dx;
          bestDy = dy;
          // MIN_NORMAL: below it squares lose their relative precision (no city is that small).
          bound = squared * SLACK + Double.MIN_NORMAL;
        }
        double diff = axis == 0 ? qx - xs[mid] : qy - ys[mid];
        int next = 1 - axis;
        if (diff < 0) {
          visit(lo, mid, next);
          if (diff * diff > bound) {
            return;
          }
          lo = mid + 1;
        } else {
          visit(mid + 1, hi, next);
          if (diff * diff > bound) {
            return;
          }
          hi = mid;
        }
        axis = next;
      }
    }

    /**
     * Whether the point at (dx, dy) from the query is nearer than the best so far by Math.hypot, or
     * as near with a smaller index. Math.hypot is StrictMath's: asked for every point visited it
     * took 1,485 of the tree's 2,063 samples at SF 1 (JFR, session 18). Squares, within a few ulps
     * of the true squares, settle every point more than a relative 1e-9 nearer; only near-ties ask
     * hypot.
     */
    private boolean nearer(double squared, double dx, double dy, int candidate) {
      if (best < 0) {
        return true;
      }
      if (bestSquared > 1e-280
          && bestSquared != Double.POSITIVE_INFINITY
          && squared < bestSquared * (1 - 1e-9)) {
        bestDistance = Double.NaN;
        return true;
      }
      if (Double.isNaN(bestDistance)) {
        bestDistance = Math.hypot(bestDx, bestDy);
      }
      double d = Math.hypot(dx, dy);
      if (d < bestDistance || (d == bestDistance && candidate < best)) {
        bestDistance = d;
        return true;
      }
      return false;
    }
  }

  // Puts the median of [lo, hi) on the axis at its middle, smaller before, larger after; recurses.
  private void build(int lo, int hi, int axis) {
    if (hi - lo < 2) {
      return;
    }
    int mid = (lo + hi) >>> 1;
    select(lo, hi - 1, mid, axis == 0 ? xs : ys);
    build(lo, mid, 1 - axis);
    build(mid + 1, hi, 1 - axis);
  }

  // Quickselect (Hoare partition, middle pivot) of the k-th smallest key into position k.
  private void select(int left, int right, int k, double[] keys) {
    while (left < right) {
      double pivot = keys[(left + right) >>> 1];
      int i = left;
      int j = right;
      while (i <= j) {
        while (keys[i] < pivot) {
          i++;
        }
        while (keys[j] > pivot) {
          j--;
        }
        if (i <= j) {
          swap(i, j);
          i++;
          j--;
        }
      }
      if (k <= j) {
        right = j;
      } else if (k >= i) {
        left = i;
      } else {
        return;
      }
    }
  }

  private void swap(int a, int b) {
    double tx = xs[a];
    xs[a] = xs[b];
    xs[b] = tx;
    double ty = ys[a];
    ys[a] = ys[b];
    ys[b] = ty;
    int ti = index[a];
    index[a] = index[b];
    index[b] = ti;
  }
}
