package org.lifecircle.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The tree's nearest point against a brute-force loop over every point (hypot, then index). */
class PointTreeTest {

  private static int bruteForce(double[] xs, double[] ys, double x, double y) {
    int best = -1;
    double bestDistance = Double.POSITIVE_INFINITY;
    for (int i = 0; i < xs.length; i++) {
      double d = Math.hypot(xs[i] - x, ys[i] - y);
      if (d < bestDistance) {
        best = i;
        bestDistance = d;
      }
    }
    return best;
  }

  private static void agreesWithBruteForce(double[] xs, double[] ys, double[][] queries) {
    PointTree tree = new PointTree(xs, ys);
    for (double[] q : queries) {
      assertThat(tree.nearest(q[0], q[1]))
          .as("nearest to (%s, %s) among %d points", q[0], q[1], xs.length)
          .isEqualTo(bruteForce(xs, ys, q[0], q[1]));
    }
  }

  @Test
  void randomPointsInMetresAgree() {
    SplittableRandom random = new SplittableRandom(20251);
    for (int n : new int[] {1, 2, 3, 7, 64, 1000, 5003}) {
      double[] xs = new double[n];
      double[] ys = new double[n];
      for (int i = 0; i < n; i++) {
        xs[i] = 38_500_000 + random.nextDouble(0, 20_000);
        ys[i] = 3_300_000 + random.nextDouble(0, 20_000);
      }
      double[][] queries = new double[2000][];
      for (int q = 0; q < queries.length; q++) {
        queries[q] =
            new double[] {
              38_500_000 + random.nextDouble(-2_000, 22_000),
              3_300_000 + random.nextDouble(-2_000, 22_000)
            };
      }
      agreesWithBruteForce(xs, ys, queries);
    }
  }

  // A small integer grid with repeated points: most queries have several points at exactly the
  // same distance, and the smallest index must win whatever the tree's layout.
  @Test
  void tiesGoToTheSmallestIndex() {
    SplittableRandom random = new SplittableRandom(7);
    int n = 3000;
    double[] xs = new double[n];
    double[] ys = new double[n];
    for (int i = 0; i < n; i++) {
      xs[i] = random.nextInt(12);
      ys[i] = random.nextInt(12);
    }
    double[][] queries = new double[3000][];
    for (int q = 0; q < queries.length; q++) {
      queries[q] =
          new double[] {random.nextInt(-2, 14) + 0.5 * random.nextInt(2), random.nextInt(-2, 14)};
    }
    agreesWithBruteForce(xs, ys, queries);
    // Four points at distance 1 around the origin, given in an order the tree will reorder.
    PointTree cross = new PointTree(new double[] {0, 1, -1, 0}, new double[] {1, 0, 0, -1});
    assertThat(cross.nearest(0, 0)).isEqualTo(0);
  }

  // Points on circles around the query, at radii a few ulps apart: their squared distances and
  // Math.hypot may order them differently by rounding, and the tree must answer as hypot does.
  // The query is the origin so that the offsets keep every bit (far from it, the coordinates'
  // own rounding would set the points apart by more than an ulp of their distance).
  @Test
  void nearTiesAreSettledAsHypotSettlesThem() {
    SplittableRandom random = new SplittableRandom(18);
    double cx = 0;
    double cy = 0;
    for (int round = 0; round < 200; round++) {
      int n = 40;
      double[] xs = new double[n];
      double[] ys = new double[n];
      double r = random.nextDouble(1, 2_000);
      for (int i = 0; i < n; i++) {
        double a = random.nextDouble(0, 2 * Math.PI);
        double ri = r + Math.ulp(r) * random.nextInt(-3, 4);
        xs[i] = cx + ri * Math.cos(a);
        ys[i] = cy + ri * Math.sin(a);
      }
      agreesWithBruteForce(xs, ys, new double[][] {{cx, cy}});
    }
  }

  @Test
  void anEmptyTreeHasNoNearestPoint() {
    assertThat(new PointTree(new double[0], new double[0]).nearest(1, 2)).isEqualTo(-1);
  }
}
