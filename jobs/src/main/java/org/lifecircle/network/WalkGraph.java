package org.lifecircle.network;

import java.io.Serializable;
import java.util.Arrays;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.index.hprtree.HPRtree;

/**
 * The walk network as compact primitive arrays, built once on the driver by {@link GraphBuilder}
 * and shipped to executors by broadcast.
 *
 * <ul>
 *   <li>Nodes: coordinates ({@code nodeX}, {@code nodeY}) in the city's metric CRS.
 *   <li>Edges: one per input line; endpoints ({@code edgeFrom}, {@code edgeTo}), length in metres
 *       (the line's own length, interior vertices included) and the line's vertices, flattened
 *       ({@code coordX/coordY[coordStart[e] .. coordStart[e + 1] - 1]}) for snapping.
 *   <li>Adjacency in CSR form, both directions (walking ignores one-way rules): the neighbours of
 *       node {@code v} are {@code adjTarget[adjStart[v] .. adjStart[v + 1] - 1]} with weights
 *       {@code adjWeight[..]}. Self-loops are left out (they never shorten a path).
 *   <li>{@code edgeMain[e]}: the edge is in a component that is not an island; only these edges
 *       take snapped points.
 * </ul>
 *
 * <p>Size, for two-point lines: about 80 bytes per edge (CSR 24, endpoints and length 16, geometry
 * 36) plus 20 per node; a megacity network of 2 M edges and 1 M nodes is about 170 MB, of which
 * about 70 MB (CSR, endpoints, lengths) is what the search itself reads.
 */
public final class WalkGraph implements Serializable {
  private static final long serialVersionUID = 1L;

  final double[] nodeX;
  final double[] nodeY;
  final int[] edgeFrom;
  final int[] edgeTo;
  final double[] edgeLength;
  final boolean[] edgeMain;
  final int[] coordStart;
  final double[] coordX;
  final double[] coordY;
  final int[] adjStart;
  final int[] adjTarget;
  final double[] adjWeight;
  // Driver-side only: transient, so Kryo (which cannot rebuild records) never sees it.
  private final transient Summary summary;
  // The snapping index, built lazily once per JVM (executors build their own after broadcast).
  private transient volatile HPRtree snapIndex;

  /**
   * Whole-graph counts for the stats table and headlines (on the driver; null after a broadcast).
   */
  public record Summary(
      int nodes,
      int edges,
      double lengthM,
      int components,
      int islands,
      int islandEdges,
      double islandLengthM,
      int mainEdges,
      int nodeIdMismatches)
      implements Serializable {}

  WalkGraph(
      double[] nodeX,
      double[] nodeY,
      int[] edgeFrom,
      int[] edgeTo,
      double[] edgeLength,
      boolean[] edgeMain,
      int[] coordStart,
      double[] coordX,
      double[] coordY,
      Summary summary) {
    this.nodeX = nodeX;
    this.nodeY = nodeY;
    this.edgeFrom = edgeFrom;
    this.edgeTo = edgeTo;
    this.edgeLength = edgeLength;
    this.edgeMain = edgeMain;
    this.coordStart = coordStart;
    this.coordX = coordX;
    this.coordY = coordY;
    this.summary = summary;
    int n = nodeX.length;
    int[] degree = new int[n + 1];
    for (int e = 0; e < edgeFrom.length; e++) {
      if (edgeFrom[e] != edgeTo[e]) {
        degree[edgeFrom[e]]++;
        degree[edgeTo[e]]++;
      }
    }
    adjStart = new int[n + 1];
    for (int v = 0; v < n; v++) {
      adjStart[v + 1] = adjStart[v] + degree[v];
    }
    adjTarget = new int[adjStart[n]];
    adjWeight = new double[adjStart[n]];
    int[] fill = Arrays.copyOf(adjStart, n);
    for (int e = 0; e < edgeFrom.length; e++) {
      int a = edgeFrom[e];
      int b = edgeTo[e];
      if (a != b) {
        adjTarget[fill[a]] = b;
        adjWeight[fill[a]++] = edgeLength[e];
        adjTarget[fill[b]] = a;
        adjWeight[fill[b]++] = edgeLength[e];
      }
    }
  }

  public int nodeCount() {
    return nodeX.length;
  }

  public int edgeCount() {
    return edgeFrom.length;
  }

  public Summary summary() {
    return summary;
  }

  public double nodeX(int v) {
    return nodeX[v];
  }

  public double nodeY(int v) {
    return nodeY[v];
  }

  public int edgeFrom(int e) {
    return edgeFrom[e];
  }

  public int edgeTo(int e) {
    return edgeTo[e];
  }

  public double edgeLength(int e) {
    return edgeLength[e];
  }

  public boolean edgeMain(int e) {
    return edgeMain[e];
  }

  /** The CSR offsets (length nodeCount + 1). Shared, not copied: do not modify. */
  public int[] adjStart() {
    return adjStart;
  }

  /** The CSR neighbour ids. Shared, not copied: do not modify. */
  public int[] adjTarget() {
    return adjTarget;
  }

  /** The CSR edge weights in metres. Shared, not copied: do not modify. */
  public double[] adjWeight() {
    return adjWeight;
  }

  /** The envelope of every edge's vertices, islands included. */
  public Envelope extent() {
    Envelope env = new Envelope();
    for (int k = 0; k < coordX.length; k++) {
      env.expandToInclude(coordX[k], coordY[k]);
    }
    return env;
  }

  /**
   * The packed R-tree over the envelopes of the main (non-island) edges, built on first use. JTS's
   * Hilbert-packed tree, not its STR-tree: 1 M snaps on a 2 M-edge grid in 8.3 s against 12.0 s
   * (docs/BENCHMARKS.md, session 19); both are read-only once built, so tasks share one.
   */
  HPRtree snapIndex() {
    HPRtree t = snapIndex;
    if (t == null) {
      synchronized (this) {
        t = snapIndex;
        if (t == null) {
          t = new HPRtree();
          for (int e = 0; e < edgeFrom.length; e++) {
            if (edgeMain[e]) {
              t.insert(edgeEnvelope(e), e);
            }
          }
          t.build();
          snapIndex = t;
        }
      }
    }
    return t;
  }

  /** The envelope of edge {@code e}'s vertices. */
  Envelope edgeEnvelope(int e) {
    double minX = Double.POSITIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (int k = coordStart[e]; k < coordStart[e + 1]; k++) {
      minX = Math.min(minX, coordX[k]);
      maxX = Math.max(maxX, coordX[k]);
      minY = Math.min(minY, coordY[k]);
      maxY = Math.max(maxY, coordY[k]);
    }
    return new Envelope(minX, maxX, minY, maxY);
  }
}
