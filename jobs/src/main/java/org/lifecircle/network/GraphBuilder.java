package org.lifecircle.network;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lifecircle.common.PipelineException;

/**
 * Builds a {@link WalkGraph} from the lines of the silver walk_network.
 *
 * <p>Nodes: a line whose {@code from_node} and {@code to_node} are both given joins the nodes of
 * those ids (ids win over geometry: two ways crossing at different levels stay apart). A line
 * without both ids joins, at each end, the nearest existing node within the merge tolerance (ids'
 * nodes included), else a new node; endpoints are looked up in a hash grid of tolerance-sized cells
 * (3 x 3 cells around the point), so merging is linear, not quadratic. Lines with ids are placed
 * first, then the others, each group in edge_id order, so the result never depends on the order
 * rows arrive in. Interior vertices of a line are never nodes.
 *
 * <p>Islands: connected components (union-find over nodes) are "islands" when their total length is
 * below {@link IslandRule#minLengthShare()} of the whole network or they have fewer than {@link
 * IslandRule#minEdges()} edges; the component with the most length is never an island, whatever the
 * rule says. Two large halves of a city (a river without bridges in the data) both stay. Island
 * edges stay in the graph (they are counted) but take no snapped point, so a building next to a
 * stray fragment is snapped to the main network or not at all, never routed inside the fragment.
 */
public final class GraphBuilder {
  /** Default endpoint merge tolerance in metres. */
  public static final double MERGE_TOLERANCE_M = 0.5;

  private GraphBuilder() {}

  /** One input line: id, optional endpoint ids, and its vertices as x0, y0, x1, y1, ... */
  public record Way(String edgeId, String fromNode, String toNode, double[] xy) {
    public Way {
      if (xy == null || xy.length < 4 || xy.length % 2 != 0) {
        throw PipelineException.cannot(
            "build", "walk network", "an edge needs at least two vertices", edgeId);
      }
      for (double c : xy) {
        if (!Double.isFinite(c)) {
          throw PipelineException.cannot(
              "build", "walk network", "edge has a non-finite coordinate", edgeId);
        }
      }
    }

    boolean hasIds() {
      return fromNode != null && toNode != null;
    }
  }

  /** When a connected component is an island (see the class comment). */
  public record IslandRule(double minLengthShare, int minEdges) {
    /** Below 1 % of the network's length or fewer than 10 edges. */
    public static final IslandRule DEFAULT = new IslandRule(0.01, 10);
  }

  /** The order edges get their indexes in: ways with both end ids first, then by edge id. */
  private static final Comparator<Way> ORDER =
      Comparator.comparing((Way w) -> !w.hasIds())
          .thenComparing(Way::edgeId, Comparator.nullsFirst(Comparator.naturalOrder()));

  /**
   * Per edge id, whether the island rule keeps the edge (false: on an island), as the access
   * stage's graph decides it (merge tolerance {@link #MERGE_TOLERANCE_M}, {@link
   * IslandRule#DEFAULT}).
   */
  public static Map<String, Boolean> mainByEdge(List<Way> ways) {
    WalkGraph g = build(ways, MERGE_TOLERANCE_M, IslandRule.DEFAULT);
    List<Way> ordered = new ArrayList<>(ways);
    ordered.sort(ORDER);
    Map<String, Boolean> out = new HashMap<>();
    for (int e = 0; e < ordered.size(); e++) {
      out.put(ordered.get(e).edgeId(), g.edgeMain[e]);
    }
    return out;
  }

  public static WalkGraph build(List<Way> ways, double mergeToleranceM, IslandRule rule) {
    if (!(mergeToleranceM > 0)) {
      throw PipelineException.cannot(
          "build", "walk network", "merge tolerance must be > 0", mergeToleranceM);
    }
    List<Way> ordered = new ArrayList<>(ways);
    ordered.sort(ORDER);
    int m = ordered.size();
    Nodes nodes = new Nodes(mergeToleranceM);
    int[] from = new int[m];
    int[] to = new int[m];
    double[] length = new double[m];
    int[] coordStart = new int[m + 1];
    int vertices = 0;
    for (Way w : ordered) {
      vertices += w.xy().length / 2;
    }
    double[] cx = new double[vertices];
    double[] cy = new double[vertices];
    int k = 0;
    int mismatches = 0;
    for (int e = 0; e < m; e++) {
      Way w = ordered.get(e);
      double[] xy = w.xy();
      int last = xy.length - 2;
      if (w.hasIds()) {
        from[e] = nodes.byId(w.fromNode(), xy[0], xy[1]);
        to[e] = nodes.byId(w.toNode(), xy[last], xy[last + 1]);
        mismatches += nodes.far(from[e], xy[0], xy[1]) ? 1 : 0;
        mismatches += nodes.far(to[e], xy[last], xy[last + 1]) ? 1 : 0;
      } else {
        from[e] = nodes.near(xy[0], xy[1]);
        to[e] = nodes.near(xy[last], xy[last + 1]);
      }
      coordStart[e] = k;
      double len = 0;
      for (int i = 0; i < xy.length; i += 2) {
        cx[k] = xy[i];
        cy[k++] = xy[i + 1];
        if (i > 0) {
          len += Math.hypot(xy[i] - xy[i - 2], xy[i + 1] - xy[i - 1]);
        }
      }
      length[e] = len;
    }
    coordStart[m] = k;
    int n = nodes.size();
    double[] nx = Arrays.copyOf(nodes.xs, n);
    double[] ny = Arrays.copyOf(nodes.ys, n);
    Islands islands = islands(n, from, to, length, rule);
    return new WalkGraph(
        nx,
        ny,
        from,
        to,
        length,
        islands.edgeMain,
        coordStart,
        cx,
        cy,
        new WalkGraph.Summary(
            n,
            m,
            islands.totalLength,
            islands.components,
            islands.islands,
            islands.islandEdges,
            islands.islandLength,
            islands.mainEdges,
            mismatches));
  }

  private record Islands(
      boolean[] edgeMain,
      double totalLength,
      int components,
      int islands,
      int islandEdges,
      double islandLength,
      int mainEdges) {}

  private static Islands islands(int n, int[] from, int[] to, double[] length, IslandRule rule) {
    int[] parent = new int[n];
    for (int v = 0; v < n; v++) {
      parent[v] = v;
    }
    for (int e = 0; e < from.length; e++) {
      int a = find(parent, from[e]);
      int b = find(parent, to[e]);
      if (a != b) {
        parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
    double[] compLength = new double[n];
    int[] compEdges = new int[n];
    double total = 0;
    for (int e = 0; e < from.length; e++) {
      int r = find(parent, from[e]);
      compLength[r] += length[e];
      compEdges[r]++;
      total += length[e];
    }
    int components = 0;
    int largest = -1;
    for (int v = 0; v < n; v++) {
      if (find(parent, v) == v) {
        components++;
        if (largest < 0 || compLength[v] > compLength[largest]) {
          largest = v;
        }
      }
    }
    boolean[] island = new boolean[n];
    int islands = 0;
    for (int v = 0; v < n; v++) {
      if (parent[v] == v
          && v != largest
          && (compLength[v] < rule.minLengthShare() * total || compEdges[v] < rule.minEdges())) {
        island[v] = true;
        islands++;
      }
    }
    boolean[] main = new boolean[from.length];
    int islandEdges = 0;
    double islandLength = 0;
    for (int e = 0; e < from.length; e++) {
      main[e] = !island[find(parent, from[e])];
      if (!main[e]) {
        islandEdges++;
        islandLength += length[e];
      }
    }
    return new Islands(
        main, total, components, islands, islandEdges, islandLength, from.length - islandEdges);
  }

  private static int find(int[] parent, int v) {
    while (parent[v] != v) {
      parent[v] = parent[parent[v]];
      v = parent[v];
    }
    return v;
  }

  /**
   * Node table: ids, and a hash grid of cells the size of the tolerance (each cell holds a linked
   * list of its nodes through {@code next}) for geometric lookups.
   */
  private static final class Nodes {
    final double tol;
    double[] xs = new double[1024];
    double[] ys = new double[1024];
    int[] next = new int[1024];
    int size;
    final Map<String, Integer> ids = new HashMap<>();
    final Map<Long, Integer> cellHead = new HashMap<>();

    Nodes(double tol) {
      this.tol = tol;
    }

    int size() {
      return size;
    }

    int byId(String id, double x, double y) {
      Integer v = ids.get(id);
      if (v == null) {
        v = add(x, y);
        ids.put(id, v);
      }
      return v;
    }

    /** An endpoint given an id lies farther than the tolerance from the node's first position. */
    boolean far(int v, double x, double y) {
      return Math.hypot(xs[v] - x, ys[v] - y) > tol;
    }

    /** The nearest node within the tolerance (ties: the oldest), else a new node. */
    int near(double x, double y) {
      long cx = (long) Math.floor(x / tol);
      long cy = (long) Math.floor(y / tol);
      int best = -1;
      double bestD = Double.POSITIVE_INFINITY;
      for (long i = cx - 1; i <= cx + 1; i++) {
        for (long j = cy - 1; j <= cy + 1; j++) {
          Integer head = cellHead.get(key(i, j));
          for (int v = head == null ? -1 : head; v >= 0; v = next[v]) {
            double d = Math.hypot(xs[v] - x, ys[v] - y);
            if (d <= tol && (d < bestD || (d == bestD && v < best))) {
              best = v;
              bestD = d;
            }
          }
        }
      }
      return best >= 0 ? best : add(x, y);
    }

    private int add(double x, double y) {
      if (size == xs.length) {
        xs = Arrays.copyOf(xs, size * 2);
        ys = Arrays.copyOf(ys, size * 2);
        next = Arrays.copyOf(next, size * 2);
      }
      int v = size++;
      xs[v] = x;
      ys[v] = y;
      Long cell = key((long) Math.floor(x / tol), (long) Math.floor(y / tol));
      Integer head = cellHead.put(cell, v);
      next[v] = head == null ? -1 : head;
      return v;
    }

    private static long key(long i, long j) {
      return (i << 32) ^ (j & 0xffffffffL);
    }
  }
}
