package org.lifecircle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.DeltaStageTables;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.WKBWriter;

/**
 * Writes hand-written rows (column -> value, the rest null) into a table, through a stage's door:
 * the Delta warehouse ({@code DeltaStageTables}) or tables in memory ({@code MemoryStageTables}).
 */
public final class SilverRows {
  private static final GeometryFactory GF = new GeometryFactory();

  private SilverRows() {}

  /** Into a test warehouse. */
  public static void write(
      SparkSession spark, RunContext ctx, String table, List<Map<String, Object>> rows) {
    write(spark, DeltaStageTables.of(spark, ctx), table, rows);
  }

  public static void write(
      SparkSession spark, StageTables tables, String table, List<Map<String, Object>> rows) {
    Contract contract = Contract.of(table);
    StructType schema = contract.schemaWithoutPartitions();
    List<Row> out = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      Object[] v = new Object[schema.size()];
      int i = 0;
      for (StructField f : schema.fields()) {
        Object x = r.get(f.name());
        v[i++] = x instanceof Geometry g ? wkb(g) : x;
      }
      out.add(RowFactory.create(v));
    }
    StructType loose =
        new StructType(
            Arrays.stream(schema.fields())
                .map(f -> new StructField(f.name(), f.dataType(), true, f.metadata()))
                .toArray(StructField[]::new));
    tables.replaceSnapshot(table, spark.createDataFrame(out, loose));
  }

  public static byte[] wkb(Geometry g) {
    return new WKBWriter(2).write(g);
  }

  public static Geometry point(double x, double y) {
    return GF.createPoint(new Coordinate(x, y));
  }

  /** Axis-aligned rectangle. */
  public static Geometry box(double x0, double y0, double x1, double y1) {
    return GF.createPolygon(
        new Coordinate[] {
          new Coordinate(x0, y0),
          new Coordinate(x1, y0),
          new Coordinate(x1, y1),
          new Coordinate(x0, y1),
          new Coordinate(x0, y0)
        });
  }
}
