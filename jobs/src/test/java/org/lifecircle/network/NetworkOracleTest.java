package org.lifecircle.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Network distances of the stage's transforms against an oracle written here from scratch: its own
 * brute-force snapping over the fixture's lines, the snapped edges split at every snapped point,
 * and a plain single-source Dijkstra from each building over a map of string-keyed nodes.
 */
class NetworkOracleTest {
  private static final double MAX_SNAP = 150;
  private static final List<double[]> LINES = NetworkFixture.lines();
  private static final int MAIN_LINES = LINES.size() - NetworkFixture.islandCount();
  private static WalkGraph graph;
  private static double[][] buildings;
  private static Map<String, double[][]> facilities; // category -> points, ids are "<cat>-<i>"
  private static Map<String, String[]> facilityIds;
  private static Map<String, Double> cutoffs;

  @BeforeAll
  static void fixture() {
    graph = GraphBuilder.build(NetworkFixture.ways(LINES), 0.5, GraphBuilder.IslandRule.DEFAULT);
    Random rnd = new Random(20260630);
    List<double[]> b = new ArrayList<>();
    b.add(new double[] {150, 103}); // 0: tie via nodes (G1 / G2)
    b.add(new double[] {450, 3}); // 1: same edge as two tied facilities (F1 / F2)
    b.add(new double[] {5, 290}); // 2: south bank; the facility across the river is 120 m away
    b.add(new double[] {-500, -500}); // 3: beyond the snap limit
    b.add(new double[] {2025, 10}); // 4: next to the island only
    b.add(new double[] {250, 3}); // 5: same edge as S1
    for (int i = 0; i < 60; i++) {
      b.add(new double[] {-50 + 800 * rnd.nextDouble(), -50 + 800 * rnd.nextDouble()});
    }
    buildings = b.toArray(double[][]::new);
    facilities = new LinkedHashMap<>();
    facilities.put("tie_nodes", new double[][] {{203, 50}, {97, 50}});
    facilities.put("tie_edge", new double[][] {{480, -2}, {420, -2}});
    facilities.put("river", new double[][] {{5, 410}, {2030, 40}}); // the second snaps to nothing
    facilities.put("same", new double[][] {{280, -2}, {-400, 0}}); // the second is too far out
    facilities.put("few", randomPoints(rnd, 3));
    facilities.put("many", randomPoints(rnd, 9));
    cutoffs =
        Map.of(
            "tie_nodes",
            2000.0,
            "tie_edge",
            2000.0,
            "river",
            2000.0,
            "same",
            600.0,
            "few",
            600.0,
            "many",
            1000.0);
    facilityIds = new HashMap<>();
    facilities.forEach(
        (c, pts) -> {
          String[] ids = new String[pts.length];
          for (int i = 0; i < ids.length; i++) {
            ids[i] = c + "-" + (char) ('A' + i);
          }
          facilityIds.put(c, ids);
        });
  }

  private static double[][] randomPoints(Random rnd, int n) {
    double[][] out = new double[n][];
    for (int i = 0; i < n; i++) {
      out[i] = new double[] {-40 + 780 * rnd.nextDouble(), -40 + 780 * rnd.nextDouble()};
    }
    return out;
  }

  private static EdgeSnapper.Snaps snaps(double[][] pts) {
    double[] xs = new double[pts.length];
    double[] ys = new double[pts.length];
    for (int i = 0; i < pts.length; i++) {
      xs[i] = pts[i][0];
      ys[i] = pts[i][1];
    }
    return EdgeSnapper.snapAll(graph, xs, ys, MAX_SNAP);
  }

  private static BuildingDistances.Result stage(String category) {
    return BuildingDistances.forCategory(
        graph, snaps(buildings), snaps(facilities.get(category)), cutoffs.get(category));
  }

  @Test
  void graphHasTheGridTheRiverAndOneIsland() {
    WalkGraph.Summary s = graph.summary();
    int gridEdges = 2 * NetworkFixture.SIZE * (NetworkFixture.SIZE - 1) - (NetworkFixture.SIZE - 1);
    assertThat(s.edges()).isEqualTo(gridEdges + 4);
    assertThat(s.nodes()).isEqualTo(NetworkFixture.SIZE * NetworkFixture.SIZE + 4);
    assertThat(s.components()).isEqualTo(2);
    assertThat(s.islands()).isEqualTo(1);
    assertThat(s.islandEdges()).isEqualTo(4);
    assertThat(s.islandLengthM()).isEqualTo(200.0);
    assertThat(s.mainEdges()).isEqualTo(gridEdges);
    assertThat(graph.edgeLength(3 + 6 * (NetworkFixture.SIZE - 1)))
        .isCloseTo(2 * Math.hypot(50, 30), within(1e-9));
  }

  @Test
  void everyBuildingAndCategoryMatchesThePlainDijkstraOracle() {
    int compared = 0;
    int reached = 0;
    for (String category : facilities.keySet()) {
      BuildingDistances.Result r = stage(category);
      String[] ids = facilityIds.get(category);
      for (int i = 0; i < buildings.length; i++) {
        Oracle.Answer want =
            Oracle.nearest(buildings[i], facilities.get(category), ids, cutoffs.get(category));
        String where = category + " building " + i;
        if (want == null) {
          assertThat(r.reached(i)).as(where).isFalse();
          assertThat(r.distance()[i]).as(where).isNaN();
          continue;
        }
        assertThat(r.reached(i)).as(where).isTrue();
        assertThat(r.distance()[i]).as(where).isCloseTo(want.distance(), within(1e-6));
        assertThat(ids[r.facility()[i]]).as(where).isEqualTo(want.id());
        double[] f = facilities.get(category)[r.facility()[i]];
        assertThat(r.distance()[i])
            .as(where + " >= straight line")
            .isGreaterThanOrEqualTo(
                Math.hypot(f[0] - buildings[i][0], f[1] - buildings[i][1]) - 1e-9);
        compared++;
        reached++;
      }
    }
    assertThat(reached).isGreaterThan(150); // the cutoffs leave most pairs reachable
    assertThat(compared).isEqualTo(reached);
  }

  @Test
  void tiesGoToTheSmallestFacilityId() {
    BuildingDistances.Result nodes = stage("tie_nodes");
    assertThat(nodes.distance()[0]).isEqualTo(106.0);
    assertThat(facilityIds.get("tie_nodes")[nodes.facility()[0]]).isEqualTo("tie_nodes-A");
    BuildingDistances.Result edge = stage("tie_edge");
    assertThat(edge.distance()[1]).isEqualTo(35.0);
    assertThat(facilityIds.get("tie_edge")[edge.facility()[1]]).isEqualTo("tie_edge-A");
  }

  @Test
  void theRiverIsCrossedAtTheOnlyBridgeAndTheSameEdgeIsWalkedDirectly() {
    // (5, 290) -> (0, 300) -> east to x = 500, across, back west to (0, 400) -> (5, 410): 1130 m.
    assertThat(stage("river").distance()[2]).isCloseTo(1130.0, within(1e-9));
    // (250, 3) and (280, -2) on the same street: 3 + 30 + 2, not via a corner.
    BuildingDistances.Result same = stage("same");
    assertThat(same.distance()[5]).isCloseTo(35.0, within(1e-9));
  }

  @Test
  void unsnappedPointsGiveNullNotZero() {
    EdgeSnapper.Snaps b = snaps(buildings);
    assertThat(b.snapped(3)).isFalse();
    assertThat(b.snapped(4)).isFalse(); // the island takes no snaps
    assertThat(snaps(facilities.get("river")).snapped(1)).isFalse();
    assertThat(snaps(facilities.get("same")).snapped(1)).isFalse();
    for (String category : facilities.keySet()) {
      BuildingDistances.Result r = stage(category);
      assertThat(r.reached(3)).isFalse();
      assertThat(r.distance()[3]).isNaN();
      assertThat(r.reached(4)).isFalse();
    }
    assertThat(EdgeSnapper.snap(graph, 350, -149.5, MAX_SNAP)).isNotNull();
    assertThat(EdgeSnapper.snap(graph, 350, -150.5, MAX_SNAP)).isNull();
  }

  @Test
  void arrayAndJGraphTSearchesAgreeOnTheFixture() {
    var jg = JGraphTSearch.toJGraphT(graph);
    for (String category : facilities.keySet()) {
      NearestSearch.Seeds seeds = NearestSearch.seeds(graph, snaps(facilities.get(category)));
      NearestSearch.Reach a = NearestSearch.run(graph, seeds, cutoffs.get(category));
      NearestSearch.Reach j =
          JGraphTSearch.run(jg, graph.nodeCount(), seeds, cutoffs.get(category));
      assertThat(a.distance()).as(category).containsExactly(j.distance());
      assertThat(a.source()).as(category).containsExactly(j.source());
    }
  }

  /** The independent answer: brute-force snap, split edges, single-source Dijkstra per building. */
  static final class Oracle {
    record Answer(double distance, String id) {}

    record Snap(int line, double along, double offset) {}

    static Snap snap(double[] p) {
      Snap best = null;
      for (int l = 0; l < MAIN_LINES; l++) {
        double[] xy = LINES.get(l);
        double along = 0;
        for (int k = 0; k + 3 < xy.length; k += 2) {
          double dx = xy[k + 2] - xy[k];
          double dy = xy[k + 3] - xy[k + 1];
          double len = Math.sqrt(dx * dx + dy * dy);
          double t = ((p[0] - xy[k]) * dx + (p[1] - xy[k + 1]) * dy) / (len * len);
          t = Math.max(0, Math.min(1, t));
          double d = Math.hypot(p[0] - (xy[k] + t * dx), p[1] - (xy[k + 1] + t * dy));
          if (d <= MAX_SNAP && (best == null || d < best.offset())) {
            best = new Snap(l, along + t * len, d);
          }
          along += len;
        }
      }
      return best;
    }

    static double length(double[] xy) {
      double len = 0;
      for (int k = 0; k + 3 < xy.length; k += 2) {
        len += Math.hypot(xy[k + 2] - xy[k], xy[k + 3] - xy[k + 1]);
      }
      return len;
    }

    static Answer nearest(double[] building, double[][] facilityPts, String[] ids, double cutoff) {
      Snap sb = snap(building);
      if (sb == null) {
        return null;
      }
      // Points on each line: the building ("B") and every snapped facility ("F<i>").
      Map<Integer, TreeMap<Double, List<String>>> onLine = new HashMap<>();
      onLine
          .computeIfAbsent(sb.line(), k -> new TreeMap<>())
          .computeIfAbsent(sb.along(), k -> new ArrayList<>())
          .add("B");
      Map<String, Double> facilityOffset = new HashMap<>();
      for (int f = 0; f < facilityPts.length; f++) {
        Snap s = snap(facilityPts[f]);
        if (s != null) {
          onLine
              .computeIfAbsent(s.line(), k -> new TreeMap<>())
              .computeIfAbsent(s.along(), k -> new ArrayList<>())
              .add("F" + f);
          facilityOffset.put("F" + f, s.offset());
        }
      }
      Map<String, Map<String, Double>> adj = new HashMap<>();
      for (int l = 0; l < LINES.size(); l++) {
        double[] xy = LINES.get(l);
        String prev = xy[0] + "," + xy[1];
        double prevAlong = 0;
        for (Map.Entry<Double, List<String>> e :
            onLine.getOrDefault(l, new TreeMap<>()).entrySet()) {
          for (String p : e.getValue()) {
            link(adj, prev, p, e.getKey() - prevAlong);
            prev = p;
            prevAlong = e.getKey();
          }
        }
        link(adj, prev, xy[xy.length - 2] + "," + xy[xy.length - 1], length(xy) - prevAlong);
      }
      Map<String, Double> dist = dijkstra(adj, "B", sb.offset());
      Answer best = null;
      for (int f = 0; f < facilityPts.length; f++) {
        Double d = dist.get("F" + f);
        if (d == null) {
          continue;
        }
        double total = d + facilityOffset.get("F" + f);
        if (best == null
            || total < best.distance()
            || (total == best.distance() && ids[f].compareTo(best.id()) < 0)) {
          best = new Answer(total, ids[f]);
        }
      }
      return best == null || best.distance() > cutoff ? null : best;
    }

    private static void link(Map<String, Map<String, Double>> adj, String a, String b, double w) {
      adj.computeIfAbsent(a, k -> new HashMap<>()).merge(b, w, Math::min);
      adj.computeIfAbsent(b, k -> new HashMap<>()).merge(a, w, Math::min);
    }

    private static Map<String, Double> dijkstra(
        Map<String, Map<String, Double>> adj, String start, double d0) {
      Map<String, Double> done = new HashMap<>();
      PriorityQueue<Object[]> queue =
          new PriorityQueue<>((x, y) -> Double.compare((double) x[1], (double) y[1]));
      queue.add(new Object[] {start, d0});
      while (!queue.isEmpty()) {
        Object[] top = queue.poll();
        String v = (String) top[0];
        if (done.containsKey(v)) {
          continue;
        }
        done.put(v, (double) top[1]);
        for (Map.Entry<String, Double> e : adj.getOrDefault(v, Map.of()).entrySet()) {
          if (!done.containsKey(e.getKey())) {
            queue.add(new Object[] {e.getKey(), (double) top[1] + e.getValue()});
          }
        }
      }
      return done;
    }
  }
}
