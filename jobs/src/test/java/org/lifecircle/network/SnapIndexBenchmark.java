package org.lifecircle.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.index.SpatialIndex;
import org.locationtech.jts.index.hprtree.HPRtree;
import org.locationtech.jts.index.strtree.STRtree;

/**
 * Not a test: a benchmark run by hand, that decided how {@link EdgeSnapper} finds its candidate
 * edges. A grid of {@code side x side} nodes {@code spacing} m apart (jittered by up to 3 m), 1 M
 * random points, a 150 m snap limit: JTS's STR-tree and Hilbert-packed R-tree, each queried with
 * the limit's box, or with a quarter of it first ({@link EdgeSnapper#FIRST_BOX_SHARE}). Every
 * variant's edges are checked equal to {@link EdgeSnapper#snap}'s.
 *
 * <pre>
 * cd jobs && java -Xmx6g -cp target/test-classes:target/classes:$(cat target/launcher.classpath) \
 *     org.lifecircle.network.SnapIndexBenchmark [side] [spacing] [points]
 * </pre>
 */
public final class SnapIndexBenchmark {
  private SnapIndexBenchmark() {}

  public static void main(String[] args) {
    int side = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    double spacing = args.length > 1 ? Double.parseDouble(args[1]) : 125;
    int n = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
    double limit = 150;
    Random rnd = new Random(42);
    List<GraphBuilder.Way> ways = new ArrayList<>();
    double[] jx = new double[side * side];
    double[] jy = new double[side * side];
    for (int v = 0; v < jx.length; v++) {
      jx[v] = (v % side) * spacing + (rnd.nextDouble() * 6 - 3);
      jy[v] = (v / side) * spacing + (rnd.nextDouble() * 6 - 3);
    }
    for (int v = 0; v < jx.length; v++) {
      if (v % side + 1 < side) {
        ways.add(way(ways.size(), jx[v], jy[v], jx[v + 1], jy[v + 1]));
      }
      if (v / side + 1 < side) {
        ways.add(way(ways.size(), jx[v], jy[v], jx[v + side], jy[v + side]));
      }
    }
    WalkGraph g =
        GraphBuilder.build(ways, GraphBuilder.MERGE_TOLERANCE_M, GraphBuilder.IslandRule.DEFAULT);
    double extent = (side - 1) * spacing;
    double[] xs = new double[n];
    double[] ys = new double[n];
    for (int i = 0; i < n; i++) {
      xs[i] = rnd.nextDouble() * extent;
      ys[i] = rnd.nextDouble() * extent;
    }
    STRtree str = new STRtree();
    HPRtree hpr = new HPRtree();
    for (int e = 0; e < g.edgeCount(); e++) {
      if (g.edgeMain(e)) {
        Envelope env = g.edgeEnvelope(e);
        str.insert(env, e);
        hpr.insert(env, e);
      }
    }
    str.build();
    hpr.build();
    EdgeSnapper.snap(g, 0, 0, limit); // builds the graph's own index
    System.out.printf(
        Locale.ROOT, "%,d edges, %,d points, limit %.0f m%n", g.edgeCount(), n, limit);
    for (int rep = 0; rep < 3; rep++) {
      long t0 = System.nanoTime();
      int[] want = new int[n];
      for (int i = 0; i < n; i++) {
        EdgeSnapper.Snap s = EdgeSnapper.snap(g, xs[i], ys[i], limit);
        want[i] = s == null ? -1 : s.edge();
      }
      double kept = (System.nanoTime() - t0) / 1e9;
      StringBuilder line =
          new StringBuilder(String.format(Locale.ROOT, "EdgeSnapper %.2f s", kept));
      for (SpatialIndex index : List.<SpatialIndex>of(str, hpr)) {
        for (double share : new double[] {1, EdgeSnapper.FIRST_BOX_SHARE}) {
          long t = System.nanoTime();
          int firstBox = 0;
          for (int i = 0; i < n; i++) {
            double[] first = nearest(g, index, xs[i], ys[i], limit * share, limit);
            double[] best = first;
            if (first[0] < 0 || first[1] >= limit * share - 1e-6) {
              best = nearest(g, index, xs[i], ys[i], limit, limit);
            } else {
              firstBox++;
            }
            if ((int) best[0] != want[i]) {
              throw new IllegalStateException("edges differ at point " + i);
            }
          }
          line.append(
              String.format(
                  Locale.ROOT,
                  ", %s box %.2f: %.2f s (%.1f %% settled first)",
                  index instanceof STRtree ? "STR-tree" : "HPR-tree",
                  share,
                  (System.nanoTime() - t) / 1e9,
                  100.0 * firstBox / n));
        }
      }
      System.out.println(line);
    }
  }

  /** {edge or -1, offset} of the nearest main edge whose envelope meets the box. */
  private static double[] nearest(
      WalkGraph g, SpatialIndex index, double x, double y, double half, double limit) {
    double[] best = {-1, Double.POSITIVE_INFINITY};
    Coordinate p = new Coordinate(x, y);
    index.query(
        new Envelope(x - half, x + half, y - half, y + half),
        item -> {
          int e = (Integer) item;
          double d = EdgeSnapper.project(g, e, p)[1];
          if (d <= limit && (d < best[1] || (d == best[1] && e < best[0]))) {
            best[0] = e;
            best[1] = d;
          }
        });
    return best;
  }

  private static GraphBuilder.Way way(int id, double x0, double y0, double x1, double y1) {
    return new GraphBuilder.Way("w" + id, null, null, new double[] {x0, y0, x1, y1});
  }
}
