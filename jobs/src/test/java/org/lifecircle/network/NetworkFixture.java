package org.lifecircle.network;

import java.util.ArrayList;
import java.util.List;

/**
 * A hand-built walk network: an 8 x 8 grid of 100 m blocks (x, y in 0..700), with a "river" between
 * y = 300 and y = 400 that only the street at x = 500 crosses, one bent street (the block side from
 * (300, 600) to (400, 600) detours through (350, 630)), and a 4-edge island square far to the east
 * at x 2000..2050, y 0..50. Lines have no node ids, so nodes come from geometry.
 */
public final class NetworkFixture {
  static final int SIZE = 8;
  static final double BLOCK = 100;
  static final int CROSSING_I = 5;

  private NetworkFixture() {}

  /** Each line as x0, y0, x1, y1, ...; island lines last. */
  public static List<double[]> lines() {
    List<double[]> out = new ArrayList<>();
    for (int j = 0; j < SIZE; j++) {
      for (int i = 0; i + 1 < SIZE; i++) {
        double x = i * BLOCK;
        double y = j * BLOCK;
        if (i == 3 && j == 6) {
          out.add(new double[] {x, y, x + 50, y + 30, x + BLOCK, y});
        } else {
          out.add(new double[] {x, y, x + BLOCK, y});
        }
      }
    }
    for (int i = 0; i < SIZE; i++) {
      for (int j = 0; j + 1 < SIZE; j++) {
        if (j == 3 && i != CROSSING_I) {
          continue; // the river
        }
        out.add(new double[] {i * BLOCK, j * BLOCK, i * BLOCK, (j + 1) * BLOCK});
      }
    }
    out.addAll(islandLines());
    return out;
  }

  static List<double[]> islandLines() {
    return List.of(
        new double[] {2000, 0, 2050, 0},
        new double[] {2050, 0, 2050, 50},
        new double[] {2050, 50, 2000, 50},
        new double[] {2000, 50, 2000, 0});
  }

  static int islandCount() {
    return islandLines().size();
  }

  static List<GraphBuilder.Way> ways(List<double[]> lines) {
    List<GraphBuilder.Way> ways = new ArrayList<>();
    for (int k = 0; k < lines.size(); k++) {
      ways.add(new GraphBuilder.Way(String.format("E%04d", k), null, null, lines.get(k)));
    }
    return ways;
  }

  /** The line as WKT, for fixtures written to Delta. */
  public static String wkt(double[] xy) {
    StringBuilder b = new StringBuilder("LINESTRING (");
    for (int i = 0; i < xy.length; i += 2) {
      b.append(i == 0 ? "" : ", ").append(xy[i]).append(' ').append(xy[i + 1]);
    }
    return b.append(')').toString();
  }
}
