package org.lifecircle.network;

import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Points to walk to from many sources (the uncovered homes of the gap categories, from every
 * candidate site), snapped once and indexed by the walk graph's edges, so that one bounded search
 * from a source finds every target it can reach by looking at the edges the search touched: no
 * straight-line join to find the candidates first, no shuffle of source-target pairs.
 *
 * <p>Each target has a point, a snap ({@link EdgeSnapper}, as the access stage snaps a building's
 * origin) and one or more entries: a group (a category's index) and a weight (its target residents
 * in that category). {@link Walker#within} visits an entry when the walk from the source to the
 * target ({@link BuildingDistances#walk}, the rule of the access stage's walk) and the straight
 * line between them are both within the group's radius. The straight-line test keeps the result
 * equal to the pairs of a straight-line distance join followed by the walk (the walk is never
 * shorter than the straight line, but both are rounded).
 *
 * <p>Why a new index and not the join: at scale factor 0.1 the recommend stage spent 25 s in the
 * Sedona join and 27 s shuffling and walking its pairs (docs/BENCHMARKS.md, session 13); the join
 * finds, per source, the same targets the search reaches anyway.
 *
 * <p>Plain arrays (a broadcast of a million targets is tens of megabytes, not a million objects;
 * Kryo serializes plain classes, not records).
 */
public final class WalkTargets implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The one source of a search, as {@link BuildingDistances#walk} lists sources on an edge. */
  private static final List<Integer> SOURCE = List.of(0);

  private final double[] x;
  private final double[] y;
  private final EdgeSnapper.Snaps snaps;
  private final int[] entryStart;
  private final int[] entryGroup;
  private final long[] entryWeight;
  // Snapped targets by edge (CSR over edges), and per node the edges at it that hold targets.
  private final int[] edgeStart;
  private final int[] edgeTargets;
  private final int[] nodeStart;
  private final int[] nodeEdges;

  /**
   * Targets {@code 0..n-1} at ({@code x[i]}, {@code y[i]}) with their snaps on {@code g}; target
   * i's entries are {@code entryStart[i]..entryStart[i+1]-1} of {@code entryGroup} and {@code
   * entryWeight}.
   */
  public WalkTargets(
      WalkGraph g,
      double[] x,
      double[] y,
      EdgeSnapper.Snaps snaps,
      int[] entryStart,
      int[] entryGroup,
      long[] entryWeight) {
    int n = x.length;
    if (y.length != n
        || snaps.size() != n
        || entryStart.length != n + 1
        || entryGroup.length != entryStart[n]
        || entryWeight.length != entryStart[n]) {
      throw new IllegalArgumentException("target arrays differ in length");
    }
    this.x = x;
    this.y = y;
    this.snaps = snaps;
    this.entryStart = entryStart;
    this.entryGroup = entryGroup;
    this.entryWeight = entryWeight;
    int edges = g.edgeCount();
    edgeStart = new int[edges + 1];
    for (int i = 0; i < n; i++) {
      if (snaps.snapped(i)) {
        edgeStart[snaps.edge[i] + 1]++;
      }
    }
    for (int e = 0; e < edges; e++) {
      edgeStart[e + 1] += edgeStart[e];
    }
    edgeTargets = new int[edgeStart[edges]];
    int[] fill = Arrays.copyOf(edgeStart, edges);
    for (int i = 0; i < n; i++) {
      if (snaps.snapped(i)) {
        edgeTargets[fill[snaps.edge[i]]++] = i;
      }
    }
    int nodes = g.nodeCount();
    nodeStart = new int[nodes + 1];
    for (int e = 0; e < edges; e++) {
      if (edgeStart[e + 1] > edgeStart[e]) {
        nodeStart[g.edgeFrom[e] + 1]++;
        nodeStart[g.edgeTo[e] + 1]++;
      }
    }
    for (int v = 0; v < nodes; v++) {
      nodeStart[v + 1] += nodeStart[v];
    }
    nodeEdges = new int[nodeStart[nodes]];
    int[] at = Arrays.copyOf(nodeStart, nodes);
    for (int e = 0; e < edges; e++) {
      if (edgeStart[e + 1] > edgeStart[e]) {
        nodeEdges[at[g.edgeFrom[e]]++] = e;
        nodeEdges[at[g.edgeTo[e]]++] = e;
      }
    }
  }

  /**
   * The targets of {@code entries}, snapped as the access stage snaps a home's origin (on the
   * executors, {@link TargetChunk}). Columns of {@code entries}: building_id, origin (WKB), group
   * (int), weight (long), then any string columns that hold one value per building; a building's
   * consecutive rows become one target and its entries. {@code homes} receives, in target order, a
   * row per target: its building_id and those further columns.
   */
  public static WalkTargets collect(Dataset<Row> entries, WalkNetwork network, List<Row> homes) {
    int extras = entries.columns().length - 4;
    Broadcast<WalkGraph> graph = network.graph();
    double maxSnapM = network.maxSnapM();
    List<TargetChunk> chunks =
        entries
            .mapPartitions(
                (MapPartitionsFunction<Row, TargetChunk>)
                    rows ->
                        List.of(TargetChunk.read(rows, graph.value(), maxSnapM, extras)).iterator(),
                Encoders.kryo(TargetChunk.class))
            .collectAsList();
    int n = 0;
    int m = 0;
    for (TargetChunk c : chunks) {
      n += c.size();
      m += c.entryGroup.length;
    }
    double[] xs = new double[n];
    double[] ys = new double[n];
    EdgeSnapper.Snaps snaps = new EdgeSnapper.Snaps(n);
    int[] entryStart = new int[n + 1];
    int[] entryGroup = new int[m];
    long[] entryWeight = new long[m];
    int i = 0;
    int k = 0;
    for (TargetChunk c : chunks) {
      System.arraycopy(c.x, 0, xs, i, c.size());
      System.arraycopy(c.y, 0, ys, i, c.size());
      System.arraycopy(c.snapEdge, 0, snaps.edge, i, c.size());
      System.arraycopy(c.snapPosition, 0, snaps.position, i, c.size());
      System.arraycopy(c.snapOffset, 0, snaps.offset, i, c.size());
      System.arraycopy(c.entryGroup, 0, entryGroup, k, c.entryGroup.length);
      System.arraycopy(c.entryWeight, 0, entryWeight, k, c.entryWeight.length);
      k += c.entryGroup.length;
      for (int t = 0; t < c.size(); t++) {
        entryStart[i + 1] = entryStart[i] + c.entryCount[t];
        Object[] home = new Object[1 + extras];
        home[0] = c.ids[t];
        System.arraycopy(c.extras[t], 0, home, 1, extras);
        homes.add(RowFactory.create(home));
        i++;
      }
    }
    return new WalkTargets(
        network.graph().value(), xs, ys, snaps, entryStart, entryGroup, entryWeight);
  }

  /** The index of {@code category} in {@code groups}: a target entry's group, as a column. */
  public static Column group(List<String> groups, Column category) {
    List<Column> index = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      index.add(lit(groups.get(i)));
      index.add(lit(i));
    }
    return element_at(map(index.toArray(Column[]::new)), category);
  }

  public int size() {
    return x.length;
  }

  /** What {@link Walker#within} calls for each entry within its group's radius. */
  @FunctionalInterface
  public interface Visitor {
    void visit(int target, int group, long weight, double walkM);
  }

  /**
   * One task's searches over the targets: {@link #from} a source, then {@link #within} the radii.
   * Holds a search workspace sized to the graph; not thread-safe.
   */
  public static final class Walker {
    private final WalkGraph g;
    private final WalkTargets t;
    private final double maxSnapM;
    private final NearestSearch.Workspace workspace;
    private final int[] edgeSeen;
    private final int[] found = new int[1];
    private int search;
    private double sx;
    private double sy;
    private double cutoff;
    private EdgeSnapper.Snaps source;
    private int sourceEdge = -1;

    public Walker(WalkGraph g, WalkTargets t, double maxSnapM) {
      this.g = g;
      this.t = t;
      this.maxSnapM = maxSnapM;
      workspace = new NearestSearch.Workspace(g);
      edgeSeen = new int[g.edgeCount()];
    }

    /**
     * One bounded search from the source at ({@code x}, {@code y}), snapped as a facility is, out
     * to {@code cutoff} metres. Returns false when the source is unsnapped (it reaches nothing).
     */
    public boolean from(double x, double y, double cutoff) {
      sx = x;
      sy = y;
      this.cutoff = cutoff;
      source = new EdgeSnapper.Snaps(1);
      source.set(0, EdgeSnapper.snap(g, x, y, maxSnapM));
      sourceEdge = source.snapped(0) ? source.edge[0] : -1;
      if (sourceEdge >= 0) {
        workspace.search(NearestSearch.seeds(g, source), cutoff);
      }
      return sourceEdge >= 0;
    }

    /**
     * Visits every entry of every target whose walk from the last source and straight line to it
     * are both within {@code radius[group]} (NaN: the group is not wanted), in no particular order.
     * Radii above the search's cutoff are held to the cutoff.
     */
    public void within(double[] radius, Visitor visitor) {
      if (sourceEdge < 0) {
        return;
      }
      search++;
      visitEdge(sourceEdge, radius, visitor);
      int[] reached = workspace.reachedNodes();
      for (int v : reached) {
        for (int k = t.nodeStart[v]; k < t.nodeStart[v + 1]; k++) {
          visitEdge(t.nodeEdges[k], radius, visitor);
        }
      }
    }

    private void visitEdge(int e, double[] radius, Visitor visitor) {
      if (edgeSeen[e] == search) {
        return;
      }
      edgeSeen[e] = search;
      NearestSearch.Reach reach = workspace.reach();
      for (int k = t.edgeStart[e]; k < t.edgeStart[e + 1]; k++) {
        int i = t.edgeTargets[k];
        double walk =
            BuildingDistances.walk(
                g,
                e,
                t.snaps.position[i],
                t.snaps.offset[i],
                reach,
                e == sourceEdge ? SOURCE : null,
                source,
                found);
        if (found[0] < 0 || walk > cutoff) {
          continue;
        }
        double dx = t.x[i] - sx;
        double dy = t.y[i] - sy;
        double squared = dx * dx + dy * dy;
        for (int j = t.entryStart[i]; j < t.entryStart[i + 1]; j++) {
          int group = t.entryGroup[j];
          double r = radius[group];
          if (!(walk <= r)) {
            continue; // NaN (not wanted) or too far
          }
          if (within(squared, dx, dy, r)) {
            visitor.visit(i, group, t.entryWeight[j], walk);
          }
        }
      }
    }

    /**
     * Whether the straight line of (dx, dy) is within {@code r}, exactly as {@code Math.hypot(dx,
     * dy) <= r} answers (so as JTS and Sedona's ST_Distance measure two points). Math.hypot is
     * StrictMath's, about a tenth of the recommend stage's CPU at scale factor 1 when called for
     * every pair (JFR, session 16); the squared distance settles every pair but those within a
     * relative 1e-12 of r², where the rounding of either could matter, and those ask hypot.
     */
    static boolean within(double squared, double dx, double dy, double r) {
      double r2 = r * r;
      if (squared < 1e-280
          || squared == Double.POSITIVE_INFINITY
          || r2 == Double.POSITIVE_INFINITY) {
        return Math.hypot(dx, dy) <= r; // where squares underflow or overflow
      }
      if (squared <= r2 * (1 - 1e-12)) {
        return true;
      }
      if (squared > r2 * (1 + 1e-12)) {
        return false;
      }
      return Math.hypot(dx, dy) <= r;
    }
  }
}
