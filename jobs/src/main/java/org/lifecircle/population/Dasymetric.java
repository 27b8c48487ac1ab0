package org.lifecircle.population;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.row_number;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapGroupsFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.lifecircle.catalog.AgeBands;

/**
 * Dasymetric allocation of grid-cell population to residential buildings by floor area, with the
 * largest-remainder method so that every cell's total per age band is preserved exactly in whole
 * persons (rounding each share would gain or lose people).
 */
public final class Dasymetric {
  private Dasymetric() {}

  /** (unit_id, building_id, residential_floor_area_m2): each home in exactly one cell. */
  static Dataset<Row> homesInCells(Dataset<Row> cells, Dataset<Row> homes) {
    Dataset<Row> cellGeoms =
        cells
            .where(col("geometry").isNotNull())
            .select(col("unit_id"), expr("ST_GeomFromWKB(geometry)").as("cell_geom"));
    return homes
        .select(col("building_id"), col("origin"), col("residential_floor_area_m2"))
        .join(cellGeoms, expr("ST_Intersects(cell_geom, origin)"))
        .withColumn("n", row_number().over(Window.partitionBy("building_id").orderBy("unit_id")))
        .where(col("n").equalTo(1))
        .select("unit_id", "building_id", "residential_floor_area_m2");
  }

  /** (building_id, pop_* bands) allocated from the cells' band totals. */
  static Dataset<Row> allocate(Dataset<Row> cellHomes, Dataset<Row> cells) {
    List<String> bands = AgeBands.COLUMNS;
    List<Column> cols =
        new ArrayList<>(
            List.of(col("unit_id"), col("building_id"), col("residential_floor_area_m2")));
    bands.forEach(b -> cols.add(col(b)));
    Dataset<Row> joined =
        cellHomes
            .join(cells.drop("source_row", "geometry"), "unit_id")
            .select(cols.toArray(Column[]::new));
    StructType schema = new StructType().add("building_id", DataTypes.StringType, false);
    for (String b : bands) {
      schema = schema.add(b, DataTypes.LongType, false);
    }
    // Grouped as a Dataset, not an RDD's groupByKey: the rows cross the shuffle in Spark's own
    // binary form instead of as Kryo-serialized Row objects (Kryo was about a third of SF 1's
    // population samples in JFR, session 17).
    int bandCount = bands.size();
    return joined
        .groupByKey((MapFunction<Row, String>) r -> r.getString(0), Encoders.STRING())
        .flatMapGroups(
            (FlatMapGroupsFunction<String, Row, Row>)
                (unit, rows) -> allocateCell(rows, bandCount).iterator(),
            Encoders.row(schema));
  }

  private static List<Row> allocateCell(Iterator<Row> rows, int bandCount) {
    List<Row> homes = new ArrayList<>();
    rows.forEachRemaining(homes::add);
    homes.sort(Comparator.comparing(r -> r.getString(1)));
    double[] weights = new double[homes.size()];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = homes.get(i).isNullAt(2) ? 0 : Math.max(0, homes.get(i).getDouble(2));
    }
    long[][] byBand = new long[bandCount][];
    for (int b = 0; b < bandCount; b++) {
      Row first = homes.get(0);
      long total = first.isNullAt(3 + b) ? 0 : first.getLong(3 + b);
      byBand[b] = largestRemainder(total, weights);
    }
    List<Row> out = new ArrayList<>(homes.size());
    for (int i = 0; i < homes.size(); i++) {
      Object[] v = new Object[bandCount + 1];
      v[0] = homes.get(i).getString(1);
      for (int b = 0; b < bandCount; b++) {
        v[b + 1] = byBand[b][i];
      }
      out.add(RowFactory.create(v));
    }
    return out;
  }

  /**
   * Splits {@code total} persons in proportion to {@code weights}: floors of the exact quotas, then
   * one more person to the largest fractional parts (ties: lower index, i.e. smaller building id).
   * Equal shares when every weight is zero. The parts always sum to {@code total}.
   */
  public static long[] largestRemainder(long total, double[] weights) {
    int n = weights.length;
    long[] parts = new long[n];
    if (n == 0 || total == 0) {
      return parts;
    }
    double sum = 0;
    for (double w : weights) {
      sum += w;
    }
    double[] w = weights;
    if (sum <= 0) {
      w = new double[n];
      Arrays.fill(w, 1.0);
      sum = n;
    }
    double[] fraction = new double[n];
    long assigned = 0;
    for (int i = 0; i < n; i++) {
      double quota = total * (w[i] / sum);
      parts[i] = (long) Math.floor(quota);
      fraction[i] = quota - parts[i];
      assigned += parts[i];
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    final double[] f = fraction;
    Arrays.sort(order, (a, b) -> f[a] != f[b] ? Double.compare(f[b], f[a]) : Integer.compare(a, b));
    // Floating point can leave the floors one over or under in extreme cases: settle exactly.
    long rest = total - assigned;
    for (int k = 0; rest > 0; k = (k + 1) % n, rest--) {
      parts[order[k]]++;
    }
    for (int k = n - 1; rest < 0; k = (k - 1 + n) % n) {
      if (parts[order[k]] > 0) {
        parts[order[k]]--;
        rest++;
      }
    }
    return parts;
  }
}
