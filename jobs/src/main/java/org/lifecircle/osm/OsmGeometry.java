package org.lifecircle.osm;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.operation.polygonize.Polygonizer;
import org.locationtech.jts.operation.union.UnaryUnionOp;

/**
 * Geometry of OSM elements from their nodes (WGS84 lon/lat), in plain JTS so each rule is tested on
 * its own: way lines and rings, walkable ways split into edges at junctions, multipolygon relations
 * from their member ways. A node the extract lacks is given as a null coordinate.
 */
public final class OsmGeometry {
  static final GeometryFactory GF = new GeometryFactory();

  /** Why an element has no area geometry (counted in run_log, never silently lost). */
  public static final String TOO_FEW_NODES = "ways_too_few_nodes";

  public static final String NOT_CLOSED = "ways_not_closed";
  public static final String UNASSEMBLED = "relations_unassembled";

  private OsmGeometry() {}

  /** One way: its geometry (polygon when closed and complete, else a line) and what is wrong. */
  public record WayShape(Geometry geometry, boolean area, String problem) {}

  /**
   * A closed way with every node present (at least 4 refs, first = last) is a polygon. Otherwise a
   * line through its present nodes (at least 2) stands in for point-like uses (a facility's
   * centroid), with the reason it is no area; fewer than 2 present nodes give no geometry.
   */
  public static WayShape way(long[] refs, Coordinate[] coords) {
    List<Coordinate> present = new ArrayList<>();
    for (Coordinate c : coords) {
      if (c != null) {
        present.add(c);
      }
    }
    if (present.size() < 2) {
      return new WayShape(null, false, TOO_FEW_NODES);
    }
    boolean complete = present.size() == coords.length;
    boolean closed = refs.length >= 4 && refs[0] == refs[refs.length - 1];
    if (complete && closed) {
      return new WayShape(GF.createPolygon(coords), true, null);
    }
    LineString line = GF.createLineString(present.toArray(Coordinate[]::new));
    return new WayShape(line, false, complete ? NOT_CLOSED : TOO_FEW_NODES);
  }

  /** One walk edge: consecutive nodes of a way between two junctions (or ends, or gaps). */
  public record Edge(int seq, long fromNode, long toNode, LineString line) {}

  /**
   * Splits a walkable way into edges: an edge ends at a junction (a node used more than once by
   * walkable ways, this way's own repeats included), at the way's end, and before a node the
   * extract lacks; the next edge starts at the next present node. A gap is never bridged: the
   * walker cannot be assumed to get across what the extract does not show.
   */
  public static List<Edge> split(long[] refs, Coordinate[] coords, boolean[] junction) {
    List<Edge> out = new ArrayList<>();
    List<Coordinate> piece = new ArrayList<>();
    long start = 0;
    for (int i = 0; i <= refs.length; i++) {
      boolean end = i == refs.length || coords[i] == null;
      if (end) {
        emit(out, piece, start, i == 0 ? 0 : refs[i - 1]);
        piece.clear();
        continue;
      }
      if (piece.isEmpty()) {
        start = refs[i];
      }
      piece.add(coords[i]);
      if (junction[i] && piece.size() >= 2) {
        emit(out, piece, start, refs[i]);
        piece.clear();
        piece.add(coords[i]);
        start = refs[i];
      }
    }
    return out;
  }

  private static void emit(List<Edge> out, List<Coordinate> piece, long from, long to) {
    if (piece.size() >= 2) {
      out.add(
          new Edge(out.size(), from, to, GF.createLineString(piece.toArray(Coordinate[]::new))));
    }
  }

  /**
   * A multipolygon from its member ways' lines (null for a member the extract lacks entirely or in
   * part): the outer lines polygonized into rings, less the inner rings. Null when a member is
   * missing, or the outer lines leave dangling ends or form no ring: the relation cannot be
   * assembled and is counted, not guessed.
   */
  public static Geometry multipolygon(List<LineString> outers, List<LineString> inners) {
    // Streams, not contains(null): immutable lists throw on a null query.
    if (outers.isEmpty()
        || outers.stream().anyMatch(Objects::isNull)
        || inners.stream().anyMatch(Objects::isNull)) {
      return null;
    }
    Geometry outer = rings(outers);
    if (outer == null) {
      return null;
    }
    Geometry inner = inners.isEmpty() ? null : rings(inners);
    if (!inners.isEmpty() && inner == null) {
      return null;
    }
    Geometry result = inner == null ? outer : outer.difference(inner);
    return result.isEmpty() ? null : canonical(result);
  }

  /**
   * The polygon in one canonical form: each ring starting at its least vertex, shells
   * counter-clockwise and holes clockwise (as GeoJSON has them), parts and holes in JTS's order.
   * Union and polygonizing do not fix where a ring starts: the same relation came out of two
   * Helsinki runs with its courtyard starting at another vertex (r1858248), equal as geometry,
   * different as WKB, and so a change to any diff of two snapshots.
   */
  static Geometry canonical(Geometry g) {
    Geometry n = g.copy();
    n.normalize(); // JTS's normal form: shells clockwise, holes counter-clockwise
    return n.reverse(); // each ring reversed in place: same start vertex, GeoJSON's orientation
  }

  @SuppressWarnings("unchecked")
  private static Geometry rings(List<LineString> lines) {
    Polygonizer p = new Polygonizer(true);
    // Noding by union splits lines where they meet, so rings made of several ways close.
    p.add(UnaryUnionOp.union(new ArrayList<Geometry>(lines)));
    if (!p.getDangles().isEmpty()
        || !p.getCutEdges().isEmpty()
        || !p.getInvalidRingLines().isEmpty()) {
      return null;
    }
    List<Polygon> polygons = new ArrayList<>((Collection<Polygon>) p.getPolygons());
    if (polygons.isEmpty()) {
      return null;
    }
    return UnaryUnionOp.union(new ArrayList<Geometry>(polygons));
  }
}
