package org.lifecircle.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.locationtech.jts.geom.Coordinate;

/**
 * Snapping through the edge index against a brute-force loop over every main edge of the fixture's
 * grid (a bent street, a river, an island that takes no snaps), on random points near and far from
 * the streets and on points exactly equidistant from four streets (ties go to the lowest edge
 * index) or exactly the first box's half-width from one.
 */
class EdgeSnapperTest {
  private static final WalkGraph GRAPH =
      GraphBuilder.build(
          NetworkFixture.ways(NetworkFixture.lines()), 0.5, GraphBuilder.IslandRule.DEFAULT);

  @ParameterizedTest
  @ValueSource(doubles = {40, 150, 300})
  void snapsEqualABruteForceOverEveryEdge(double maxSnap) {
    SplittableRandom r = new SplittableRandom((long) maxSnap);
    int near = 0;
    int far = 0;
    for (int k = 0; k < 3000; k++) {
      double x;
      double y;
      if (k < 4) {
        // Equidistant from four streets (50 m), and the first box's half-width west of x = 0.
        x = new double[] {150, 250, 650, -maxSnap * EdgeSnapper.FIRST_BOX_SHARE}[k];
        y = new double[] {150, 450, 550, 50}[k];
      } else {
        x = r.nextDouble(-250, 950);
        y = r.nextDouble(-250, 950);
      }
      EdgeSnapper.Snap got = EdgeSnapper.snap(GRAPH, x, y, maxSnap);
      EdgeSnapper.Snap want = bruteForce(x, y, maxSnap);
      assertThat(got).as("(%s, %s)", x, y).isEqualTo(want);
      if (want != null && want.offset() < maxSnap * EdgeSnapper.FIRST_BOX_SHARE) {
        near++;
      } else {
        far++;
      }
    }
    // Both kinds occur: snaps settled in the first box, and those it could not settle (or none).
    assertThat(near).isPositive();
    assertThat(far).isPositive();
  }

  /**
   * From (0, 0) with a 150 m limit, whose first box reaches r = 37.5 m: the end of street A at (0.8
   * r, 0.8 r) lies inside that box but 1.13 r away; street B at x = -1.07 r is nearer but outside
   * it. A snapper that kept what it found in the first box would pick A.
   */
  @Test
  void aNearerStreetOutsideTheFirstBoxWins() {
    double r = 150 * EdgeSnapper.FIRST_BOX_SHARE;
    double a = 0.8 * r;
    double b = -1.07 * r;
    WalkGraph g =
        GraphBuilder.build(
            NetworkFixture.ways(
                List.of(
                    new double[] {b, -100, b, 100},
                    new double[] {b, 100, a, 100},
                    new double[] {a, 100, a, a})),
            0.5,
            new GraphBuilder.IslandRule(0, 0));
    EdgeSnapper.Snap s = EdgeSnapper.snap(g, 0, 0, 150);
    assertThat(s).isNotNull();
    assertThat(s.offset()).isEqualTo(-b);
    assertThat(g.edgeFrom(s.edge()) != g.edgeTo(s.edge())).isTrue();
    assertThat(g.nodeX(g.edgeFrom(s.edge()))).isEqualTo(b);
  }

  private static EdgeSnapper.Snap bruteForce(double x, double y, double maxSnap) {
    EdgeSnapper.Snap best = null;
    for (int e = 0; e < GRAPH.edgeCount(); e++) {
      if (!GRAPH.edgeMain(e)) {
        continue;
      }
      double[] proj = EdgeSnapper.project(GRAPH, e, new Coordinate(x, y));
      if (proj[1] <= maxSnap && (best == null || proj[1] < best.offset())) {
        best = new EdgeSnapper.Snap(e, proj[0], proj[1]);
      }
    }
    return best;
  }
}
