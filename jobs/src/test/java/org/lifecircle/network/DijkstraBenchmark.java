package org.lifecircle.network;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultWeightedEdge;

/**
 * Not a test: a benchmark run by hand, that decides between JGraphT and our own array search (the
 * issue: use the library unless our own is at least 3x faster at benchmark scale).
 *
 * <p>A grid of {@code side x side} nodes 50 m apart (jittered by up to 3 m, so lengths differ and
 * ties are rare), {@code 2 side (side - 1)} edges: 2 M edges at the default side 1000, a 50 x 50 km
 * megacity. Four categories with realistic facility counts and cutoffs (2 x threshold) are searched
 * by both implementations after one warm-up each; results are checked equal.
 *
 * <pre>
 * cd jobs && java -Xmx8g -cp target/test-classes:target/classes:$(cat target/launcher.classpath) \
 *     org.lifecircle.network.DijkstraBenchmark [side] [repeats]
 * </pre>
 */
public final class DijkstraBenchmark {
  private DijkstraBenchmark() {}

  private record Category(String name, double cutoff, int facilities) {}

  public static void main(String[] args) {
    int side = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    double spacing = 50;
    Random rnd = new Random(42);
    double[] jx = new double[side * side];
    double[] jy = new double[side * side];
    for (int v = 0; v < jx.length; v++) {
      jx[v] = (v % side) * spacing + (rnd.nextDouble() * 6 - 3);
      jy[v] = (v / side) * spacing + (rnd.nextDouble() * 6 - 3);
    }
    List<GraphBuilder.Way> ways = new ArrayList<>(2 * side * (side - 1));
    for (int v = 0; v < jx.length; v++) {
      int i = v % side;
      int j = v / side;
      if (i + 1 < side) {
        ways.add(
            new GraphBuilder.Way(
                id(ways.size()), null, null, new double[] {jx[v], jy[v], jx[v + 1], jy[v + 1]}));
      }
      if (j + 1 < side) {
        ways.add(
            new GraphBuilder.Way(
                id(ways.size()),
                null,
                null,
                new double[] {jx[v], jy[v], jx[v + side], jy[v + side]}));
      }
    }
    long t0 = System.nanoTime();
    WalkGraph g =
        GraphBuilder.build(ways, GraphBuilder.MERGE_TOLERANCE_M, GraphBuilder.IslandRule.DEFAULT);
    long t1 = System.nanoTime();
    ways = null;
    Graph<Integer, DefaultWeightedEdge> jg = JGraphTSearch.toJGraphT(g);
    long t2 = System.nanoTime();
    System.out.printf(
        Locale.ROOT,
        "grid %d x %d: %,d nodes, %,d edges; WalkGraph build %.1f s,"
            + " JGraphT graph build %.1f s%n",
        side,
        side,
        g.nodeCount(),
        g.edgeCount(),
        (t1 - t0) / 1e9,
        (t2 - t1) / 1e9);

    double extent = (side - 1) * spacing;
    List<Category> categories =
        List.of(
            new Category("kindergarten (cutoff 600 m)", 600, 2000),
            new Category("convenience_store (600 m)", 600, 6000),
            new Category("primary_school (1000 m)", 1000, 800),
            new Category("middle_school (2000 m)", 2000, 300));
    double arrayTotal = 0;
    double jgraphtTotal = 0;
    for (Category c : categories) {
      double[] xs = new double[c.facilities()];
      double[] ys = new double[c.facilities()];
      for (int f = 0; f < xs.length; f++) {
        xs[f] = rnd.nextDouble() * extent;
        ys[f] = rnd.nextDouble() * extent;
      }
      EdgeSnapper.Snaps snaps = EdgeSnapper.snapAll(g, xs, ys, 150);
      NearestSearch.Seeds seeds = NearestSearch.seeds(g, snaps);
      NearestSearch.Reach a = NearestSearch.run(g, seeds, c.cutoff()); // warm-up
      NearestSearch.Reach j = JGraphTSearch.run(jg, g.nodeCount(), seeds, c.cutoff());
      boolean same =
          Arrays.equals(a.distance(), j.distance()) && Arrays.equals(a.source(), j.source());
      double arrayBest = Double.MAX_VALUE;
      double jgraphtBest = Double.MAX_VALUE;
      for (int r = 0; r < repeats; r++) {
        long s = System.nanoTime();
        NearestSearch.run(g, seeds, c.cutoff());
        arrayBest = Math.min(arrayBest, (System.nanoTime() - s) / 1e6);
        s = System.nanoTime();
        JGraphTSearch.run(jg, g.nodeCount(), seeds, c.cutoff());
        jgraphtBest = Math.min(jgraphtBest, (System.nanoTime() - s) / 1e6);
      }
      int reached = 0;
      for (int v = 0; v < g.nodeCount(); v++) {
        reached += a.reached(v) ? 1 : 0;
      }
      arrayTotal += arrayBest;
      jgraphtTotal += jgraphtBest;
      System.out.printf(
          Locale.ROOT,
          "%-30s %,6d facilities, %,9d nodes reached: array %8.1f ms,"
              + " JGraphT %8.1f ms, ratio %5.1fx, results equal: %s%n",
          c.name(),
          c.facilities(),
          reached,
          arrayBest,
          jgraphtBest,
          jgraphtBest / arrayBest,
          same);
    }
    System.out.printf(
        Locale.ROOT,
        "total (best of %d per category): array %.1f ms, JGraphT %.1f ms,"
            + " JGraphT / array = %.1fx%n",
        repeats,
        arrayTotal,
        jgraphtTotal,
        jgraphtTotal / arrayTotal);
  }

  private static String id(int k) {
    return String.format("E%08d", k);
  }
}
