package org.lifecircle.network;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.jgrapht.Graph;
import org.jgrapht.Graphs;
import org.jgrapht.graph.DefaultWeightedEdge;
import org.jgrapht.graph.WeightedPseudograph;
import org.jgrapht.traverse.ClosestFirstIterator;

/**
 * The same bounded multi-source search as {@link NearestSearch}, on JGraphT: a temporary super
 * source joined to every seeded node by an edge weighted with the seed's distance, then JGraphT's
 * {@link ClosestFirstIterator} with the cutoff as radius. Sources are labelled while the iterator
 * settles nodes in distance order: a node takes the smallest source among the seeds placed on it at
 * exactly its distance and the settled neighbours {@code u} with {@code dist(u) + w == dist(v)}.
 * That is the same tie rule as the array search for positive edge weights; with zero-length edges
 * the two may pick different (equally near) sources.
 *
 * <p>Used as the reference in tests and in DijkstraBenchmark; the stage uses the array search.
 */
public final class JGraphTSearch {
  private JGraphTSearch() {}

  /** The walk graph as a JGraphT pseudograph (parallel edges kept), vertices 0..n-1. */
  public static Graph<Integer, DefaultWeightedEdge> toJGraphT(WalkGraph g) {
    return toJGraphT(g.nodeCount(), g.edgeFrom, g.edgeTo, g.edgeLength);
  }

  public static Graph<Integer, DefaultWeightedEdge> toJGraphT(
      int n, int[] from, int[] to, double[] weight) {
    WeightedPseudograph<Integer, DefaultWeightedEdge> jg =
        new WeightedPseudograph<>(DefaultWeightedEdge.class);
    for (int v = 0; v < n; v++) {
      jg.addVertex(v);
    }
    for (int e = 0; e < from.length; e++) {
      if (from[e] != to[e]) {
        DefaultWeightedEdge edge = jg.addEdge(from[e], to[e]);
        jg.setEdgeWeight(edge, weight[e]);
      }
    }
    return jg;
  }

  /**
   * Runs the search on {@code jg} (vertices 0..n-1). The graph gets a temporary super-source vertex
   * n, removed before returning, so one graph must not be searched by two threads at once.
   */
  public static NearestSearch.Reach run(
      Graph<Integer, DefaultWeightedEdge> jg, int n, NearestSearch.Seeds seeds, double cutoff) {
    double[] dist = new double[n];
    int[] src = new int[n];
    Arrays.fill(dist, Double.POSITIVE_INFINITY);
    Arrays.fill(src, -1);
    // Per node, the smallest seed distance and, at that distance, the smallest source.
    Map<Integer, double[]> seedAt = new HashMap<>();
    for (int i = 0; i < seeds.size(); i++) {
      double d = seeds.distance()[i];
      int s = seeds.source()[i];
      double[] cur = seedAt.get(seeds.node()[i]);
      if (cur == null || NearestSearch.better(d, s, cur[0], (int) cur[1])) {
        seedAt.put(seeds.node()[i], new double[] {d, s});
      }
    }
    Integer superSource = n;
    jg.addVertex(superSource);
    try {
      for (Map.Entry<Integer, double[]> s : seedAt.entrySet()) {
        DefaultWeightedEdge e = jg.addEdge(superSource, s.getKey());
        jg.setEdgeWeight(e, s.getValue()[0]);
      }
      ClosestFirstIterator<Integer, DefaultWeightedEdge> it =
          new ClosestFirstIterator<>(jg, superSource, cutoff);
      while (it.hasNext()) {
        int v = it.next();
        if (v == n) {
          continue;
        }
        double dv = it.getShortestPathLength(v);
        dist[v] = dv;
        int best = -1;
        double[] seed = seedAt.get(v);
        if (seed != null && seed[0] == dv) {
          best = (int) seed[1];
        }
        for (DefaultWeightedEdge e : jg.edgesOf(v)) {
          int u = Graphs.getOppositeVertex(jg, e, v);
          if (u != n
              && src[u] >= 0
              && dist[u] + jg.getEdgeWeight(e) == dv
              && (best < 0 || src[u] < best)) {
            best = src[u];
          }
        }
        src[v] = best;
      }
    } finally {
      jg.removeVertex(superSource);
    }
    return new NearestSearch.Reach(dist, src);
  }
}
