package org.lifecircle.network;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.linearref.LengthIndexedLine;

/**
 * The part of the walk network a walker reaches from one point within a budget of metres: the
 * pieces of every edge whose points lie within the budget along the network (the point's own
 * connector to its snap, the reached stretch of its own edge, and from each reached node the
 * stretch of each incident edge the rest of the budget covers), and the service-area polygon, those
 * pieces widened by a buffer distance on a grid ({@link ServiceAreaRaster}: JTS's buffer of the
 * pieces took 9.4 s a facility on OpenStreetMap's dense footways).
 *
 * <p>Why buffered pieces and not a concave hull of reached points: a hull fills the blocks between
 * reached streets and bridges a river the walk has to go round, so it would draw homes as served
 * that the walk does not reach; buffered pieces keep the shape of the streets (R5 and pandana draw
 * isochrones the same way). The buffer is the city's {@code limits.service_area_buffer_m}: how far
 * off a reached street a home still counts as on it for the map.
 *
 * <p>A point on edge e = (u, v) at position t (metres from u) is reached within D when d(u) + t <=
 * D or d(v) + (L - t) <= D, or, on the source's own edge, offset + |t - position| <= D. These are
 * exactly the distances the access stage gives a home snapped there, without its own offset.
 */
public final class ReachedNetwork {
  private final WalkGraph g;
  private final int[] incidentStart;
  private final int[] incident;
  private final NearestSearch.Workspace workspace;
  private final GeometryFactory factory;
  private final ServiceAreaRaster raster;
  // Edges already drawn for the current source and budget: seen[e] == stamp (no reset needed).
  private final int[] seen;
  private int stamp;

  /** A reusable state for many sources on {@code g} (one per task). */
  public ReachedNetwork(WalkGraph g, GeometryFactory factory) {
    this.g = g;
    this.factory = factory;
    this.raster = new ServiceAreaRaster(factory);
    this.workspace = new NearestSearch.Workspace(g);
    this.seen = new int[g.edgeCount()];
    // Main edges by node (CSR): the adjacency holds targets and weights, not edge ids.
    int n = g.nodeCount();
    int[] degree = new int[n + 1];
    for (int e = 0; e < g.edgeCount(); e++) {
      if (g.edgeMain[e]) {
        degree[g.edgeFrom[e] + 1]++;
        degree[g.edgeTo[e] + 1]++;
      }
    }
    for (int v = 0; v < n; v++) {
      degree[v + 1] += degree[v];
    }
    incidentStart = degree;
    incident = new int[degree[n]];
    int[] fill = Arrays.copyOf(degree, n);
    for (int e = 0; e < g.edgeCount(); e++) {
      if (g.edgeMain[e]) {
        incident[fill[g.edgeFrom[e]]++] = e;
        incident[fill[g.edgeTo[e]]++] = e;
      }
    }
  }

  /**
   * The service areas of the point (x, y) for each budget (metres, ascending): polygons, or null
   * for every budget when the point is farther than {@code maxSnapM} from every main edge.
   */
  public Geometry[] areas(double x, double y, double maxSnapM, double[] budgets, double buffer) {
    ServiceAreaRaster.Grid[] grids = grids(x, y, maxSnapM, budgets, buffer);
    Geometry[] out = new Geometry[budgets.length];
    for (int b = 0; grids != null && b < budgets.length; b++) {
      out[b] = raster.outline(grids[b]);
    }
    return out;
  }

  /**
   * The cells of each budget's service area ({@link ServiceAreaRaster}), or null when unsnapped.
   */
  ServiceAreaRaster.Grid[] grids(
      double x, double y, double maxSnapM, double[] budgets, double buffer) {
    List<List<Geometry>> pieces = pieces(x, y, maxSnapM, budgets);
    if (pieces == null) {
      return null;
    }
    ServiceAreaRaster.Grid[] out = new ServiceAreaRaster.Grid[budgets.length];
    for (int b = 0; b < budgets.length; b++) {
      out[b] = ServiceAreaRaster.cells(pieces.get(b), buffer);
    }
    return out;
  }

  /** The polygon of a grid's cells. */
  Geometry outline(ServiceAreaRaster.Grid grid) {
    return raster.outline(grid);
  }

  /** The reached pieces per budget (lines, or points where a budget ends on a node), or null. */
  List<List<Geometry>> pieces(double x, double y, double maxSnapM, double[] budgets) {
    EdgeSnapper.Snap s = EdgeSnapper.snap(g, x, y, maxSnapM);
    if (s == null) {
      return null;
    }
    int e0 = s.edge();
    double off = s.offset();
    double pos = s.position();
    double max = budgets[budgets.length - 1];
    workspace.search(
        new NearestSearch.Seeds(
            new int[] {g.edgeFrom[e0], g.edgeTo[e0]},
            new double[] {off + pos, off + g.edgeLength[e0] - pos},
            new int[] {0, 0}),
        max);
    NearestSearch.Reach reach = workspace.reach();
    int[] reached = workspace.reachedNodes();
    Coordinate origin = new Coordinate(x, y);
    LineString sourceEdge = line(e0);
    Coordinate snapPoint = new LengthIndexedLine(sourceEdge).extractPoint(pos);
    List<List<Geometry>> out = new ArrayList<>();
    for (double budget : budgets) {
      List<Geometry> parts = new ArrayList<>();
      // The walk from the point to its snap, as far as the budget goes.
      LineString connector = factory.createLineString(new Coordinate[] {origin, snapPoint});
      parts.add(
          off <= budget ? connector : new LengthIndexedLine(connector).extractLine(0, budget));
      List<double[]> own = new ArrayList<>();
      if (off <= budget) {
        own.add(new double[] {pos - (budget - off), pos + (budget - off)});
      }
      addEdge(e0, reach, budget, own, parts);
      stamp++;
      seen[e0] = stamp;
      for (int v : reached) {
        if (reach.distance()[v] > budget) {
          continue;
        }
        for (int k = incidentStart[v]; k < incidentStart[v + 1]; k++) {
          int e = incident[k];
          if (seen[e] != stamp) {
            seen[e] = stamp;
            addEdge(e, reach, budget, new ArrayList<>(), parts);
          }
        }
      }
      out.add(parts);
    }
    return out;
  }

  private static boolean within(int v, NearestSearch.Reach reach, double budget) {
    return reach.reached(v) && reach.distance()[v] <= budget;
  }

  /** Adds the reached stretches of edge {@code e}: its end intervals plus {@code extra}. */
  private void addEdge(
      int e, NearestSearch.Reach reach, double budget, List<double[]> extra, List<Geometry> parts) {
    double len = g.edgeLength[e];
    List<double[]> iv = new ArrayList<>(extra);
    int u = g.edgeFrom[e];
    int v = g.edgeTo[e];
    if (within(u, reach, budget)) {
      iv.add(new double[] {0, budget - reach.distance()[u]});
    }
    if (within(v, reach, budget)) {
      iv.add(new double[] {len - (budget - reach.distance()[v]), len});
    }
    if (iv.isEmpty()) {
      return;
    }
    iv.sort((a, b) -> Double.compare(a[0], b[0]));
    LengthIndexedLine line = new LengthIndexedLine(line(e));
    double start = Math.max(0, iv.get(0)[0]);
    double end = Math.min(len, iv.get(0)[1]);
    for (int i = 1; i <= iv.size(); i++) {
      if (i < iv.size() && iv.get(i)[0] <= end) {
        end = Math.max(end, Math.min(len, iv.get(i)[1]));
        continue;
      }
      parts.add(
          end > start
              ? line.extractLine(start, end)
              : factory.createPoint(line.extractPoint(start)));
      if (i < iv.size()) {
        start = Math.max(0, iv.get(i)[0]);
        end = Math.min(len, iv.get(i)[1]);
      }
    }
  }

  private LineString line(int e) {
    int from = g.coordStart[e];
    int to = g.coordStart[e + 1];
    Coordinate[] cs = new Coordinate[to - from];
    for (int k = from; k < to; k++) {
      cs[k - from] = new Coordinate(g.coordX[k], g.coordY[k]);
    }
    return factory.createLineString(cs);
  }
}
