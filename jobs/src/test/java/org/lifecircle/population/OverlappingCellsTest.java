package org.lifecircle.population;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.WKBWriter;

/**
 * Overlapping grid cells against a brute-force JTS loop over every pair: a tiling grid of 100 m
 * cells (neighbours touch, none overlaps), plus cells shifted by random amounts, some by less than
 * a metre (slivers under 1 m², which do not count) and one triangle whose box overlaps a cell's but
 * whose area does not.
 */
class OverlappingCellsTest {
  private static final GeometryFactory GF = new GeometryFactory();

  private static Geometry box(double x, double y, double w, double h) {
    return GF.toGeometry(new Envelope(x, x + w, y, y + h));
  }

  @Test
  void overlappingPairsEqualABruteForceOverEveryPair() {
    List<Geometry> cells = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      for (int j = 0; j < 12; j++) {
        cells.add(box(i * 100, j * 100, 100, 100));
      }
    }
    SplittableRandom r = new SplittableRandom(3);
    for (int k = 0; k < 40; k++) {
      double shift = k % 4 == 0 ? r.nextDouble(0, 0.009) : r.nextDouble(0, 60);
      cells.add(box(r.nextInt(11) * 100 + shift, r.nextInt(11) * 100 + shift / 2, 100, 100));
    }
    // Its box overlaps the cell at (0, 0) by 50 m x 50 m; the triangle (x + y >= 200) only
    // touches that cell, at (100, 100), and overlaps its three other neighbours.
    cells.add(
        GF.createPolygon(
            new Coordinate[] {
              new Coordinate(50, 150),
              new Coordinate(150, 150),
              new Coordinate(150, 50),
              new Coordinate(50, 150)
            }));
    long expected = 0;
    for (int i = 0; i < cells.size(); i++) {
      for (int j = i + 1; j < cells.size(); j++) {
        if (cells.get(i).intersection(cells.get(j)).getArea() > 1.0) {
          expected++;
        }
      }
    }
    SparkSession spark = TestSpark.session();
    List<Row> rows = new ArrayList<>();
    WKBWriter wkb = new WKBWriter();
    for (int i = 0; i < cells.size(); i++) {
      rows.add(RowFactory.create(String.format("C%04d", i), wkb.write(cells.get(i))));
    }
    StructType schema = new StructType().add("unit_id", "string").add("geometry", "binary");
    assertThat(expected).as("the layout has overlaps to find").isGreaterThan(20);
    assertThat(Placement.overlappingPairs(spark.createDataFrame(rows, schema))).isEqualTo(expected);
  }
}
