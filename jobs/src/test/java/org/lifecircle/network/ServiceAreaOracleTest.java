package org.lifecircle.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jgrapht.Graph;
import org.jgrapht.alg.shortestpath.DijkstraShortestPath;
import org.jgrapht.graph.DefaultWeightedEdge;
import org.jgrapht.graph.WeightedPseudograph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.linearref.LengthIndexedLine;

/**
 * Service areas against an oracle the test computes on its own: random jittered street grids with
 * bent streets, a facility near them; the facility's foot on its nearest street found by brute
 * force over every street, JGraphT's Dijkstra from it over the test's own graph, and every street
 * sampled each metre, a sample's walk being min(d(u) + t, d(v) + L - t), or offset + |t - foot| on
 * the facility's own street. Checked: every sample within the walk budget lies in the polygon; no
 * point of the polygon is farther than the buffer from a reached sample (nor from the facility than
 * the budget plus the buffer).
 */
class ServiceAreaOracleTest {
  private static final GeometryFactory GF = new GeometryFactory();
  private static final double BUFFER = 25;
  private static final double STEP = 1.0;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void everyReachedPointIsInsideAndNothingBeyondTheBufferIs(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<LineString> streets = grid(r, 6, 6, 120);
    double fx = r.nextDouble(50, 550);
    double fy = r.nextDouble(50, 550);
    double[] budgets = {40, 150, 300, 450};
    WalkGraph g = graph(streets);
    Geometry[] areas = new ReachedNetwork(g, GF).areas(fx, fy, 200, budgets, BUFFER);

    List<Sample> samples = oracle(streets, fx, fy);
    Point facility = GF.createPoint(new Coordinate(fx, fy));
    for (int b = 0; b < budgets.length; b++) {
      double budget = budgets[b];
      Geometry area = areas[b];
      List<Coordinate> reached = new ArrayList<>();
      for (Sample s : samples) {
        if (s.walk() <= budget) {
          reached.add(s.at());
          assertThat(area.distance(GF.createPoint(s.at())))
              .as("seed %d, budget %s: sample %s walked %s m", seed, budget, s.at(), s.walk())
              .isLessThan(1e-6);
        }
      }
      assertThat(reached).isNotEmpty();
      for (Coordinate v : area.getCoordinates()) {
        assertThat(v.distance(facility.getCoordinate()))
            .isLessThanOrEqualTo(budget + BUFFER + 1e-6);
        double nearest = Double.POSITIVE_INFINITY;
        for (Coordinate c : reached) {
          nearest = Math.min(nearest, c.distance(v));
        }
        assertThat(nearest)
            .as("seed %d, budget %s: polygon vertex %s", seed, budget, v)
            .isLessThanOrEqualTo(BUFFER + STEP);
      }
      if (b > 0) {
        assertThat(area.getArea()).isGreaterThanOrEqualTo(areas[b - 1].getArea());
      }
    }
  }

  @Test
  void aFacilityBeyondTheSnapLimitHasNoArea() {
    WalkGraph g = graph(List.of(line(0, 0, 500, 0)));
    Geometry[] areas = new ReachedNetwork(g, GF).areas(100, 300, 200, new double[] {300}, BUFFER);
    assertThat(areas[0]).isNull();
  }

  @Test
  void aWalkEndingOnANodeStillDrawsIt() {
    // Facility on a street at x = 100, 100 m from the junction at x = 200 where a side street
    // leaves: a 100 m budget ends exactly on the junction.
    WalkGraph g = graph(List.of(line(0, 0, 200, 0), line(200, 0, 400, 0), line(200, 0, 200, 300)));
    Geometry area = new ReachedNetwork(g, GF).areas(100, 0, 50, new double[] {100}, 5)[0];
    assertThat(area.covers(GF.createPoint(new Coordinate(200, 0)))).isTrue();
    assertThat(area.covers(GF.createPoint(new Coordinate(200, 6)))).isFalse();
    assertThat(area.covers(GF.createPoint(new Coordinate(0, 0)))).isTrue();
    assertThat(area.covers(GF.createPoint(new Coordinate(-6, 0)))).isFalse();
  }

  record Sample(Coordinate at, double walk) {}

  /** Walk distances from (fx, fy) of points every metre along every street, by the oracle. */
  private static List<Sample> oracle(List<LineString> streets, double fx, double fy) {
    Coordinate f = new Coordinate(fx, fy);
    int own = -1;
    double foot = 0;
    double offset = Double.POSITIVE_INFINITY;
    for (int i = 0; i < streets.size(); i++) {
      LengthIndexedLine li = new LengthIndexedLine(streets.get(i));
      double t = li.project(f);
      double d = li.extractPoint(t).distance(f);
      if (d < offset) {
        offset = d;
        own = i;
        foot = t;
      }
    }
    Graph<String, DefaultWeightedEdge> g = new WeightedPseudograph<>(DefaultWeightedEdge.class);
    g.addVertex("F");
    for (int i = 0; i < streets.size(); i++) {
      LineString s = streets.get(i);
      String u = key(s.getCoordinateN(0));
      String v = key(s.getCoordinateN(s.getNumPoints() - 1));
      g.addVertex(u);
      g.addVertex(v);
      g.setEdgeWeight(g.addEdge(u, v), s.getLength());
      if (i == own) {
        g.setEdgeWeight(g.addEdge("F", u), offset + foot);
        g.setEdgeWeight(g.addEdge("F", v), offset + s.getLength() - foot);
      }
    }
    DijkstraShortestPath.SingleSourcePaths<String, DefaultWeightedEdge> paths =
        new DijkstraShortestPath<>(g).getPaths("F");
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < streets.size(); i++) {
      LineString s = streets.get(i);
      LengthIndexedLine li = new LengthIndexedLine(s);
      double len = s.getLength();
      double du = paths.getWeight(key(s.getCoordinateN(0)));
      double dv = paths.getWeight(key(s.getCoordinateN(s.getNumPoints() - 1)));
      for (double t = 0; t <= len; t += STEP) {
        double w = Math.min(du + t, dv + len - t);
        if (i == own) {
          w = Math.min(w, offset + Math.abs(t - foot));
        }
        out.add(new Sample(li.extractPoint(t), w));
      }
    }
    // The walk from the facility to its foot.
    Coordinate footAt = new LengthIndexedLine(streets.get(own)).extractPoint(foot);
    for (double t = 0; t <= offset; t += STEP) {
      double k = offset == 0 ? 0 : t / offset;
      out.add(new Sample(new Coordinate(fx + k * (footAt.x - fx), fy + k * (footAt.y - fy)), t));
    }
    return out;
  }

  /** A jittered grid of streets, every other one bent through a midpoint. */
  private static List<LineString> grid(SplittableRandom r, int nx, int ny, double spacing) {
    double[][][] at = new double[nx][ny][];
    for (int i = 0; i < nx; i++) {
      for (int j = 0; j < ny; j++) {
        at[i][j] =
            new double[] {i * spacing + r.nextDouble(-20, 20), j * spacing + r.nextDouble(-20, 20)};
      }
    }
    List<LineString> out = new ArrayList<>();
    for (int i = 0; i < nx; i++) {
      for (int j = 0; j < ny; j++) {
        if (i + 1 < nx) {
          out.add(street(r, at[i][j], at[i + 1][j]));
        }
        if (j + 1 < ny) {
          out.add(street(r, at[i][j], at[i][j + 1]));
        }
      }
    }
    return out;
  }

  private static LineString street(SplittableRandom r, double[] a, double[] b) {
    if (r.nextBoolean()) {
      return line(a[0], a[1], b[0], b[1]);
    }
    double mx = (a[0] + b[0]) / 2 + r.nextDouble(-25, 25);
    double my = (a[1] + b[1]) / 2 + r.nextDouble(-25, 25);
    return GF.createLineString(
        new Coordinate[] {
          new Coordinate(a[0], a[1]), new Coordinate(mx, my), new Coordinate(b[0], b[1])
        });
  }

  private static LineString line(double x0, double y0, double x1, double y1) {
    return GF.createLineString(new Coordinate[] {new Coordinate(x0, y0), new Coordinate(x1, y1)});
  }

  private static WalkGraph graph(List<LineString> streets) {
    List<GraphBuilder.Way> ways = new ArrayList<>();
    for (int i = 0; i < streets.size(); i++) {
      Coordinate[] cs = streets.get(i).getCoordinates();
      double[] xy = new double[cs.length * 2];
      for (int k = 0; k < cs.length; k++) {
        xy[2 * k] = cs[k].x;
        xy[2 * k + 1] = cs[k].y;
      }
      ways.add(new GraphBuilder.Way("E" + i, null, null, xy));
    }
    return GraphBuilder.build(
        ways, GraphBuilder.MERGE_TOLERANCE_M, GraphBuilder.IslandRule.DEFAULT);
  }

  private static String key(Coordinate c) {
    return c.x + "," + c.y;
  }
}
