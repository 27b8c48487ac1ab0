package org.lifecircle.network;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Network distance from each building to the nearest facility of one category, from the node
 * distances of a {@link NearestSearch}.
 *
 * <p>A building snapped on edge {@code e} at position {@code p} with offset {@code o} leaves by
 * either end: {@code o + p + dist(from)} or {@code o + (len - p) + dist(to)}. A facility snapped on
 * the same edge is also reached directly along the edge: {@code o + |p - p_f| + o_f} (the way round
 * by the endpoints is covered by the node distances and is never shorter). Each term is a walk from
 * the building to the facility, so the result is never shorter than the straight line. Ties go to
 * the smallest facility index (= facility_id order). A building is unreached (NaN, -1) when it is
 * unsnapped or its distance exceeds the cutoff.
 */
public final class BuildingDistances {
  private BuildingDistances() {}

  /** Per building: distance in metres (NaN when none) and facility index (-1 when none). */
  public record Result(double[] distance, int[] facility) {
    public boolean reached(int i) {
      return facility[i] >= 0;
    }

    public int reachedCount() {
      int c = 0;
      for (int f : facility) {
        c += f >= 0 ? 1 : 0;
      }
      return c;
    }
  }

  /** Seeds, search and combination for one category: what one Spark task does. */
  public static Result forCategory(
      WalkGraph g, EdgeSnapper.Snaps buildings, EdgeSnapper.Snaps facilities, double cutoff) {
    NearestSearch.Reach reach = NearestSearch.run(g, NearestSearch.seeds(g, facilities), cutoff);
    return compute(g, buildings, facilities, reach, cutoff);
  }

  public static Result compute(
      WalkGraph g,
      EdgeSnapper.Snaps buildings,
      EdgeSnapper.Snaps facilities,
      NearestSearch.Reach reach,
      double cutoff) {
    Map<Integer, List<Integer>> onEdge = facilitiesByEdge(facilities);
    int n = buildings.size();
    double[] dist = new double[n];
    int[] fac = new int[n];
    Arrays.fill(dist, Double.NaN);
    Arrays.fill(fac, -1);
    int[] source = new int[1];
    for (int i = 0; i < n; i++) {
      int e = buildings.edge[i];
      if (e < 0) {
        continue;
      }
      double best =
          walk(
              g,
              e,
              buildings.position[i],
              buildings.offset[i],
              reach,
              onEdge.get(e),
              facilities,
              source);
      if (source[0] >= 0 && best <= cutoff) {
        dist[i] = best;
        fac[i] = source[0];
      }
    }
    return new Result(dist, fac);
  }

  /**
   * The shortest walk from a point snapped on edge {@code e} (at {@code pos} along it, {@code off}
   * away from it) to a source: out by either end of the edge to the nearest source of {@code
   * reach}, or along the edge to a source snapped on it ({@code sameEdge}, indexes into {@code
   * sources}; null when none). Returns the distance and puts the source in {@code source[0]}, -1
   * (distance +Infinity) when none is reached; ties go to the smallest source index.
   */
  static double walk(
      WalkGraph g,
      int e,
      double pos,
      double off,
      NearestSearch.Reach reach,
      List<Integer> sameEdge,
      EdgeSnapper.Snaps sources,
      int[] source) {
    double best = Double.POSITIVE_INFINITY;
    int bestF = -1;
    int a = g.edgeFrom[e];
    if (reach.reached(a)) {
      best = off + pos + reach.distance()[a];
      bestF = reach.source()[a];
    }
    int b = g.edgeTo[e];
    if (reach.reached(b)) {
      double d = off + (g.edgeLength[e] - pos) + reach.distance()[b];
      if (NearestSearch.better(d, reach.source()[b], best, bestF)) {
        best = d;
        bestF = reach.source()[b];
      }
    }
    if (sameEdge != null) {
      for (int f : sameEdge) {
        double d = off + Math.abs(pos - sources.position[f]) + sources.offset[f];
        if (NearestSearch.better(d, f, best, bestF)) {
          best = d;
          bestF = f;
        }
      }
    }
    source[0] = bestF;
    return best;
  }

  private static Map<Integer, List<Integer>> facilitiesByEdge(EdgeSnapper.Snaps facilities) {
    Map<Integer, List<Integer>> out = new HashMap<>();
    for (int f = 0; f < facilities.size(); f++) {
      if (facilities.edge[f] >= 0) {
        out.computeIfAbsent(facilities.edge[f], k -> new ArrayList<>(2)).add(f);
      }
    }
    return out;
  }
}
