package org.lifecircle.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lifecircle.common.PipelineException;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.WKBWriter;
import org.locationtech.jts.operation.union.UnaryUnionOp;

/**
 * The grid outline against JTS's own union of the marked squares (the oracle), on random patterns
 * dense with holes, islands in holes and cells touching only at a corner; and the cells marked
 * against a brute-force distance from every cell's centre to the pieces.
 */
class ServiceAreaRasterTest {
  private static final GeometryFactory GF = new GeometryFactory();

  @ParameterizedTest
  @ValueSource(doubles = {0.2, 0.5, 0.8})
  void theOutlineIsTheUnionOfTheMarkedCells(double fill) {
    SplittableRandom r = new SplittableRandom(Double.doubleToLongBits(fill));
    for (int round = 0; round < 20; round++) {
      int nx = r.nextInt(1, 25);
      int ny = r.nextInt(1, 25);
      BitSet marked = new BitSet(nx * ny);
      for (int k = 0; k < nx * ny; k++) {
        marked.set(k, r.nextDouble() < fill);
      }
      // Far from the origin, as a metric CRS's coordinates are.
      ServiceAreaRaster.Grid g =
          new ServiceAreaRaster.Grid(250_000 + round, 330_000 - round, 10, nx, ny, marked);
      Geometry outline = new ServiceAreaRaster(GF).outline(g);
      Geometry oracle = UnaryUnionOp.union(squares(g));
      assertThat(outline.isValid()).as("round %d", round).isTrue();
      if (oracle == null) {
        assertThat(outline.isEmpty()).isTrue();
        continue;
      }
      assertThat(outline.symDifference(oracle).getArea()).as("round %d", round).isZero();
      assertThat(outline.getArea()).isEqualTo(marked.cardinality() * 100.0);
    }
  }

  /** A rerun, or a cluster, must write the same bytes: JTS's Polygonizer alone did not. */
  @Test
  void theOutlineIsTheSameBytesOnEveryCall() {
    SplittableRandom r = new SplittableRandom(3);
    BitSet marked = new BitSet();
    for (int k = 0; k < 900; k++) {
      marked.set(k, r.nextDouble() < 0.7);
    }
    ServiceAreaRaster.Grid g = new ServiceAreaRaster.Grid(52_800, 338_500, 10, 30, 30, marked);
    Set<String> seen = new HashSet<>();
    for (int call = 0; call < 10; call++) {
      seen.add(
          HexFormat.of().formatHex(new WKBWriter().write(new ServiceAreaRaster(GF).outline(g))));
    }
    assertThat(seen).hasSize(1);
  }

  @Test
  void cellsTouchingAtACornerAndAHoleAreKeptApart() {
    // X . X      two diagonal pairs around the centre, and a ring with a hole below
    // . X .
    // X X X
    // X . X
    // X X X
    int[][] rows = {{1, 1, 1}, {1, 0, 1}, {1, 1, 1}, {0, 1, 0}, {1, 0, 1}};
    BitSet marked = new BitSet();
    for (int j = 0; j < rows.length; j++) {
      for (int i = 0; i < 3; i++) {
        marked.set(j * 3 + i, rows[j][i] == 1);
      }
    }
    Geometry outline =
        new ServiceAreaRaster(GF).outline(new ServiceAreaRaster.Grid(0, 0, 1, 3, 5, marked));
    assertThat(outline.isValid()).isTrue();
    assertThat(outline.getArea()).isEqualTo(11.0);
    assertThat(outline.covers(GF.createPoint(new Coordinate(1.5, 1.5)))).isFalse();
    assertThat(outline.covers(GF.createPoint(new Coordinate(1.5, 3.5)))).isTrue();
    assertThat(outline.covers(GF.createPoint(new Coordinate(1.5, 4.5)))).isFalse();
  }

  @Test
  void aCellIsMarkedExactlyWhenItsCentreIsWithinTheRadius() {
    SplittableRandom r = new SplittableRandom(7);
    List<Geometry> pieces = new ArrayList<>();
    for (int k = 0; k < 12; k++) {
      double x = r.nextDouble(400_000, 400_300);
      double y = r.nextDouble(3_000_000, 3_000_300);
      pieces.add(
          k % 4 == 0
              ? GF.createPoint(new Coordinate(x, y))
              : GF.createLineString(
                  new Coordinate[] {
                    new Coordinate(x, y),
                    new Coordinate(x + r.nextDouble(-60, 60), y + r.nextDouble(-60, 60)),
                    new Coordinate(x + r.nextDouble(-90, 90), y + r.nextDouble(-90, 90))
                  }));
    }
    double buffer = 25;
    ServiceAreaRaster.Grid g = ServiceAreaRaster.cells(pieces, buffer);
    Geometry all = GF.buildGeometry(pieces);
    double radius = buffer - g.cell() * Math.sqrt(0.5);
    int checkedNear = 0;
    for (int j = 0; j < g.ny(); j++) {
      for (int i = 0; i < g.nx(); i++) {
        double d =
            all.distance(
                GF.createPoint(new Coordinate(g.x(i) + g.cell() / 2, g.y(j) + g.cell() / 2)));
        if (Math.abs(d - radius) < 1e-6) {
          continue;
        }
        assertThat(g.at(i, j)).as("cell %d %d at %s m", i, j, d).isEqualTo(d < radius);
        checkedNear += d < radius + g.cell() && d > radius - g.cell() ? 1 : 0;
      }
    }
    assertThat(checkedNear).isGreaterThan(100);
    // Every cell the marking could reach lies on the grid.
    Envelope grid = new Envelope(g.x(0), g.x(g.nx()), g.y(0), g.y(g.ny()));
    Envelope reach = all.getEnvelopeInternal();
    reach.expandBy(radius);
    assertThat(grid.covers(reach)).isTrue();
  }

  @Test
  void aCityGridTooLargeForIntIndicesIsRefusedByName() {
    // 500 km square at 10 m cells: 50,001 x 50,001 cells, more than 2^31.
    Envelope env = new Envelope(0, 500_000, 3_000_000, 3_500_000);
    assertThatThrownBy(() -> ServiceAreaRaster.CityGrid.covering(env, 25))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot draw service areas: the city's grid has more cells than an int indexes; raise"
                + " limits.service_area_buffer_m (50001 x 50001 cells of 10.0 m)");
    assertThat(ServiceAreaRaster.CityGrid.covering(env, 250).width()).isEqualTo(5001);
  }

  private static List<Geometry> squares(ServiceAreaRaster.Grid g) {
    List<Geometry> out = new ArrayList<>();
    for (int j = 0; j < g.ny(); j++) {
      for (int i = 0; i < g.nx(); i++) {
        if (g.at(i, j)) {
          out.add(GF.toGeometry(new Envelope(g.x(i), g.x(i + 1), g.y(j), g.y(j + 1))));
        }
      }
    }
    return out;
  }
}
