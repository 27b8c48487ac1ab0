package org.lifecircle.network;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.lifecircle.common.PipelineException;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.operation.polygonize.Polygonizer;
import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * A service-area polygon drawn from the reached pieces of the network on a grid, instead of JTS's
 * buffer of the pieces: the cells of side {@code buffer / 2.5} whose centre lies within {@code
 * buffer - half a cell's diagonal} of a piece, their outline traced and polygonized.
 *
 * <p>The same two promises as a buffer: every reached point lies in the polygon (its own cell's
 * centre is at most half a diagonal, 0.28 buffer, from it, inside the marking radius of 0.72
 * buffer), and no point of the polygon is farther than {@code buffer} from a reached point (half a
 * diagonal to its cell's centre, plus the marking radius). The outline steps along the grid (10 m
 * cells for the default 25 m buffer); the grid is aligned to the CRS's origin, so polygons of
 * different facilities share their vertices, which the community unions benefit from.
 *
 * <p>Why our own tracing: on the OpenStreetMap extract of central Helsinki, where a 15-minute walk
 * reaches thousands of footway pieces, JTS's buffer of the pieces took over 9 s a facility; JTS's
 * coverage union of the marked cells is the library's way from cells to a polygon, and the
 * outline's chains handed to JTS's {@link Polygonizer} are what is left of it when the cells' inner
 * edges are dropped first, which is cheaper (measured in docs/BENCHMARKS.md, "Service areas on a
 * grid"). The Polygonizer decides the rings, holes and nesting; only the outline is ours.
 */
final class ServiceAreaRaster {
  /** Cells per buffer width: 10 m cells for the default 25 m buffer. */
  static final double CELLS_PER_BUFFER = 2.5;

  private final GeometryFactory factory;

  ServiceAreaRaster(GeometryFactory factory) {
    this.factory = factory;
  }

  /**
   * Marked cells: cell (i, j) spans [(i0 + i) c, (i0 + i + 1) c] x [(j0 + j) c, (j0 + j + 1) c].
   */
  record Grid(long i0, long j0, double cell, int nx, int ny, BitSet marked) {
    boolean at(int i, int j) {
      return i >= 0 && j >= 0 && i < nx && j < ny && marked.get(j * nx + i);
    }

    double x(long i) {
      return (i0 + i) * cell;
    }

    double y(long j) {
      return (j0 + j) * cell;
    }
  }

  /**
   * The grid over a whole city: cell (I, J) of the CRS's grid (I = floor(x / cell)) has the index
   * (I - i0) + (J - j0) width, so a facility's cells and the union of many are sets of ints.
   */
  record CityGrid(long i0, long j0, int width, int height, double cell) implements Serializable {
    /** The grid covering {@code env} for areas drawn with {@code buffer}. */
    static CityGrid covering(Envelope env, double buffer) {
      double cell = buffer / CELLS_PER_BUFFER;
      long i0 = (long) Math.floor(env.getMinX() / cell);
      long j0 = (long) Math.floor(env.getMinY() / cell);
      long width = (long) Math.floor(env.getMaxX() / cell) - i0 + 1;
      long height = (long) Math.floor(env.getMaxY() / cell) - j0 + 1;
      if (width * height > Integer.MAX_VALUE) {
        throw PipelineException.cannot(
            "draw",
            "service areas",
            "the city's grid has more cells than an int indexes; raise"
                + " limits.service_area_buffer_m",
            width + " x " + height + " cells of " + cell + " m");
      }
      return new CityGrid(i0, j0, (int) width, (int) height, cell);
    }

    /** The grid's marked cells as indices of this city grid. */
    RoaringBitmap indices(Grid g) {
      if (g.i0() < i0
          || g.j0() < j0
          || g.i0() + g.nx() > i0 + width
          || g.j0() + g.ny() > j0 + height) {
        throw new IllegalStateException(
            "service area's cells "
                + g.i0()
                + ", "
                + g.j0()
                + " lie outside the city grid "
                + this);
      }
      RoaringBitmap out = new RoaringBitmap();
      for (int j = 0; j < g.ny(); j++) {
        long base = (g.j0() + j - j0) * width + (g.i0() - i0);
        int from = j * g.nx();
        int to = from + g.nx();
        for (int k = g.marked().nextSetBit(from); k >= 0 && k < to; ) {
          int end = Math.min(to, g.marked().nextClearBit(k));
          out.add(base + (k - from), base + (end - from));
          k = g.marked().nextSetBit(end);
        }
      }
      out.runOptimize();
      return out;
    }

    /** The cells of {@code cells} that meet {@code env}, as a grid over them. */
    Grid window(RoaringBitmap cells, Envelope env) {
      long wi0 = Math.max(i0, (long) Math.floor(env.getMinX() / cell));
      long wj0 = Math.max(j0, (long) Math.floor(env.getMinY() / cell));
      long wi1 = Math.min(i0 + width - 1, (long) Math.floor(env.getMaxX() / cell));
      long wj1 = Math.min(j0 + height - 1, (long) Math.floor(env.getMaxY() / cell));
      int nx = (int) Math.max(0, wi1 - wi0 + 1);
      int ny = (int) Math.max(0, wj1 - wj0 + 1);
      BitSet marked = new BitSet(nx * ny);
      PeekableIntIterator it = cells.getIntIterator();
      for (int j = 0; j < ny; j++) {
        long base = (wj0 + j - j0) * width + (wi0 - i0);
        it.advanceIfNeeded((int) base);
        while (it.hasNext() && it.peekNext() < base + nx) {
          marked.set(j * nx + (int) (it.next() - base));
        }
      }
      return new Grid(wi0, wj0, cell, nx, ny, marked);
    }
  }

  /** The cells within the marking radius of a piece. */
  static Grid cells(List<Geometry> pieces, double buffer) {
    double cell = buffer / CELLS_PER_BUFFER;
    double radius = buffer - cell * Math.sqrt(0.5);
    Envelope env = new Envelope();
    for (Geometry p : pieces) {
      env.expandToInclude(p.getEnvelopeInternal());
    }
    env.expandBy(radius);
    long i0 = (long) Math.floor(env.getMinX() / cell);
    long j0 = (long) Math.floor(env.getMinY() / cell);
    int nx = (int) ((long) Math.floor(env.getMaxX() / cell) - i0 + 1);
    int ny = (int) ((long) Math.floor(env.getMaxY() / cell) - j0 + 1);
    Grid g = new Grid(i0, j0, cell, nx, ny, new BitSet(nx * ny));
    for (Geometry p : pieces) {
      if (p instanceof Point pt) {
        mark(g, pt.getX(), pt.getY(), pt.getX(), pt.getY(), radius);
      } else {
        Coordinate[] cs = ((LineString) p).getCoordinates();
        for (int k = 0; k + 1 < cs.length; k++) {
          mark(g, cs[k].x, cs[k].y, cs[k + 1].x, cs[k + 1].y, radius);
        }
        if (cs.length == 1) {
          mark(g, cs[0].x, cs[0].y, cs[0].x, cs[0].y, radius);
        }
      }
    }
    return g;
  }

  /** Marks the cells whose centre is within {@code r} of the segment (ax, ay)-(bx, by). */
  private static void mark(Grid g, double ax, double ay, double bx, double by, double r) {
    double c = g.cell();
    int iFrom = (int) Math.max(0, Math.floor((Math.min(ax, bx) - r) / c - 0.5) - g.i0());
    int iTo = (int) Math.min(g.nx() - 1, Math.ceil((Math.max(ax, bx) + r) / c - 0.5) - g.i0());
    int jFrom = (int) Math.max(0, Math.floor((Math.min(ay, by) - r) / c - 0.5) - g.j0());
    int jTo = (int) Math.min(g.ny() - 1, Math.ceil((Math.max(ay, by) + r) / c - 0.5) - g.j0());
    double dx = bx - ax;
    double dy = by - ay;
    double len2 = dx * dx + dy * dy;
    double r2 = r * r;
    for (int j = jFrom; j <= jTo; j++) {
      double cy = (g.j0() + j + 0.5) * c;
      for (int i = iFrom; i <= iTo; i++) {
        double cx = (g.i0() + i + 0.5) * c;
        double t = len2 == 0 ? 0 : ((cx - ax) * dx + (cy - ay) * dy) / len2;
        t = Math.max(0, Math.min(1, t));
        double ex = ax + t * dx - cx;
        double ey = ay + t * dy - cy;
        if (ex * ex + ey * ey <= r2) {
          g.marked().set(j * g.nx() + i);
        }
      }
    }
  }

  /**
   * The union of the marked cells, as the Polygonizer's polygons of their outline: the edges
   * between a marked and an unmarked cell, joined into chains that turn only where the outline
   * turns and end only where four edges meet (two marked cells touching at a corner), so the
   * Polygonizer nodes a few lines instead of every straight run (measured in docs/BENCHMARKS.md).
   */
  Geometry outline(Grid g) {
    int w = g.nx() + 1;
    int vertices = w * (g.ny() + 1);
    // Each boundary edge directed with its marked cell on the left: a vertex has one edge out, or
    // two where marked cells touch at a corner. out[2v + k] is the direction + 1, 0 when none or
    // already walked.
    byte[] out = new byte[vertices * 2];
    byte[] degree = new byte[vertices];
    for (int j = 0; j <= g.ny(); j++) {
      for (int i = 0; i < g.nx(); i++) {
        boolean above = g.at(i, j);
        if (above != g.at(i, j - 1)) {
          add(out, degree, above ? j * w + i : j * w + i + 1, above ? EAST : WEST);
        }
      }
    }
    for (int i = 0; i <= g.nx(); i++) {
      for (int j = 0; j < g.ny(); j++) {
        boolean right = g.at(i, j);
        if (right != g.at(i - 1, j)) {
          add(out, degree, right ? (j + 1) * w + i : j * w + i, right ? SOUTH : NORTH);
        }
      }
    }
    List<LineString> chains = new ArrayList<>();
    for (int v = 0; v < vertices; v++) {
      for (int k = 0; degree[v] == 2 && k < 2; k++) {
        if (out[2 * v + k] != 0) {
          chains.add(walk(g, out, degree, v, k));
        }
      }
    }
    for (int v = 0; v < vertices; v++) {
      // The rest are closed rings; each starts where it turns, so no vertex lies mid-side.
      if (out[2 * v] != 0 && turns(out, w, vertices, v)) {
        chains.add(walk(g, out, degree, v, 0));
      }
    }
    Polygonizer polygonizer = new Polygonizer(true);
    polygonizer.add(chains);
    Geometry polygons = polygonizer.getGeometry();
    // The Polygonizer's ring order and starting vertices differ from call to call on the same
    // cells (it hashes by identity): the normal form makes a rerun, or a cluster, write the same
    // bytes.
    polygons.normalize();
    return polygons;
  }

  private static final int EAST = 0;
  private static final int NORTH = 1;
  private static final int WEST = 2;
  private static final int SOUTH = 3;
  private static final int[] DI = {1, 0, -1, 0};
  private static final int[] DJ = {0, 1, 0, -1};

  private static void add(byte[] out, byte[] degree, int v, int direction) {
    out[2 * v + degree[v]] = (byte) (direction + 1);
    degree[v]++;
  }

  /** Whether the edge into {@code v} (of a vertex with one edge out) comes from another side. */
  private static boolean turns(byte[] out, int w, int vertices, int v) {
    int d = out[2 * v] - 1;
    int previous = v - DI[d] - DJ[d] * w;
    return previous < 0
        || previous >= vertices
        || (out[2 * previous] - 1 != d && out[2 * previous + 1] - 1 != d);
  }

  /**
   * Walks from {@code start} along its edge {@code k} to the next vertex where four edges meet, or
   * back to {@code start}; the line's vertices are where it turns.
   */
  private LineString walk(Grid g, byte[] out, byte[] degree, int start, int k) {
    int w = g.nx() + 1;
    List<Coordinate> cs = new ArrayList<>();
    int v = start;
    int d = out[2 * v + k] - 1;
    out[2 * v + k] = 0;
    cs.add(vertex(g, v));
    while (true) {
      v += DI[d] + DJ[d] * w;
      if (degree[v] == 2 || v == start) {
        cs.add(vertex(g, v));
        return factory.createLineString(cs.toArray(new Coordinate[0]));
      }
      int next = out[2 * v] - 1;
      out[2 * v] = 0;
      if (next != d) {
        cs.add(vertex(g, v));
      }
      d = next;
    }
  }

  private static Coordinate vertex(Grid g, int v) {
    int w = g.nx() + 1;
    return new Coordinate(g.x(v % w), g.y(v / w));
  }
}
