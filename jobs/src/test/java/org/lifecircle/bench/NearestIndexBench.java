package org.lifecircle.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lifecircle.access.FacilityIndex;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.index.strtree.ItemDistance;
import org.locationtech.jts.index.strtree.STRtree;

/**
 * The access stage's nearest search alone, one thread, on the homes and facilities {@link
 * BaselineExport} wrote: the JTS STRtree query FacilityIndex ran until session 15
 * (nearestNeighbour, then a box query for ties to the smallest index) against FacilityIndex's 2-d
 * tree now. Both run in the same process, in turns, and must give the same facility for every home
 * and category.
 *
 * <p>Usage: {@code NearestIndexBench <export dir> [rounds]}; prints one JSON line.
 */
public final class NearestIndexBench {
  private NearestIndexBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    List<String[]> homes = JtsNearestFloor.read(dir.resolve("homes.csv"));
    Map<String, List<double[]>> byCategory = new LinkedHashMap<>();
    JtsNearestFloor.read(dir.resolve("categories.csv"))
        .forEach(r -> byCategory.put(r[0], new ArrayList<>()));
    for (String[] f : JtsNearestFloor.read(dir.resolve("facilities.csv"))) {
      List<double[]> points = byCategory.get(f[1]);
      if (points != null) {
        points.add(new double[] {Double.parseDouble(f[2]), Double.parseDouble(f[3])});
      }
    }
    int n = homes.size();
    double[] hx = JtsNearestFloor.column(homes, 1);
    double[] hy = JtsNearestFloor.column(homes, 2);
    List<double[][]> categories = new ArrayList<>();
    for (List<double[]> points : byCategory.values()) {
      double[] xs = new double[points.size()];
      double[] ys = new double[points.size()];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = points.get(i)[0];
        ys[i] = points.get(i)[1];
      }
      categories.add(new double[][] {xs, ys});
    }
    double strtreeBest = Double.MAX_VALUE;
    double treeBest = Double.MAX_VALUE;
    long[] strtreeAnswers = new long[1];
    long[] treeAnswers = new long[1];
    for (int round = 0; round < rounds; round++) {
      strtreeBest =
          Math.min(strtreeBest, time(() -> strtreeAnswers[0] = strtree(categories, hx, hy)));
      treeBest = Math.min(treeBest, time(() -> treeAnswers[0] = tree(categories, hx, hy)));
    }
    if (strtreeAnswers[0] != treeAnswers[0]) {
      throw new IllegalStateException(
          "Cannot compare nearest searches: the answers differ ("
              + strtreeAnswers[0]
              + " != "
              + treeAnswers[0]
              + ")");
    }
    System.out.printf(
        Locale.ROOT,
        "{\"bench\": \"nearest_index\", \"homes\": %d, \"categories\": %d, \"queries\": %d,"
            + " \"strtree_s\": %.3f, \"point_tree_s\": %.3f, \"speedup\": %.2f, \"same_answers\": true}%n",
        n,
        categories.size(),
        (long) n * categories.size(),
        strtreeBest,
        treeBest,
        strtreeBest / treeBest);
  }

  private static double time(Runnable work) {
    long t0 = System.nanoTime();
    work.run();
    return (System.nanoTime() - t0) / 1e9;
  }

  // A checksum of the answers (index of the nearest facility per home and category).
  private static long tree(List<double[][]> categories, double[] hx, double[] hy) {
    List<FacilityIndex> indexes = new ArrayList<>();
    for (double[][] c : categories) {
      indexes.add(new FacilityIndex(new String[c[0].length], c[0], c[1]));
    }
    long sum = 0;
    for (int i = 0; i < hx.length; i++) {
      for (FacilityIndex index : indexes) {
        FacilityIndex.Hit hit = index.nearest(hx[i], hy[i]);
        sum = sum * 31 + (hit == null ? -1 : hit.index());
      }
    }
    return sum;
  }

  private static long strtree(List<double[][]> categories, double[] hx, double[] hy) {
    List<STRtree> trees = new ArrayList<>();
    for (double[][] c : categories) {
      STRtree t = new STRtree();
      for (int i = 0; i < c[0].length; i++) {
        t.insert(new Envelope(c[0][i], c[0][i], c[1][i], c[1][i]), i);
      }
      t.build();
      trees.add(t);
    }
    long sum = 0;
    for (int i = 0; i < hx.length; i++) {
      for (int k = 0; k < trees.size(); k++) {
        sum = sum * 31 + strtreeNearest(trees.get(k), categories.get(k), hx[i], hy[i]);
      }
    }
    return sum;
  }

  private static int strtreeNearest(STRtree tree, double[][] c, double x, double y) {
    if (c[0].length == 0) {
      return -1;
    }
    double[] xs = c[0];
    double[] ys = c[1];
    double[] query = {x, y};
    ItemDistance byPoint =
        (a, b) -> {
          double[] q = a.getItem() instanceof double[] d ? d : (double[]) b.getItem();
          int i = a.getItem() instanceof Integer ia ? ia : (Integer) b.getItem();
          return Math.hypot(xs[i] - q[0], ys[i] - q[1]);
        };
    int best = (Integer) tree.nearestNeighbour(new Envelope(x, x, y, y), query, byPoint);
    double d = Math.hypot(xs[best] - x, ys[best] - y);
    @SuppressWarnings("unchecked")
    List<Integer> near = tree.query(new Envelope(x - d, x + d, y - d, y + d));
    for (int i : near) {
      if (i < best && Math.hypot(xs[i] - x, ys[i] - y) == d) {
        best = i;
      }
    }
    return best;
  }
}
