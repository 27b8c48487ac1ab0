package org.lifecircle.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.lifecircle.common.ChinaOffsets;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.CrsRegistry;
import org.lifecircle.common.CrsTransform;
import org.lifecircle.common.DatasetSource;
import org.lifecircle.common.PipelineException;
import org.lifecircle.io.SingleFile;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.io.WKBWriter;
import org.locationtech.jts.io.WKTWriter;
import org.locationtech.proj4j.CoordinateTransform;
import org.locationtech.proj4j.CoordinateTransformFactory;
import org.locationtech.proj4j.ProjCoordinate;

/**
 * Turns generated features (attribute values in contract order plus a metric geometry) into one
 * source file set: renamed through the source's column mapping, moved into its declared CRS and
 * written in its declared format and encoding.
 */
final class SampleWriter {
  private static final String WKB = "__wkb";

  private SampleWriter() {}

  /** One generated record: attribute values in the plan's field order, geometry in metres. */
  record Feature(Object[] values, Geometry geometry) {}

  /** Emits the features of one entity index (a block, a community, a grid cell...). */
  interface FeatureSource extends Serializable {
    void emit(CityLayout layout, long index, List<Feature> out);
  }

  /** What to generate for one dataset: contract fields (no geometry), index range, emitter. */
  record Plan(
      String dataset, StructType fields, long count, int perPartition, FeatureSource source) {}

  private enum Style {
    WKB,
    WKT,
    LON_LAT,
    NONE
  }

  static long write(SparkSession spark, CityConfig city, CityLayout layout, Plan plan) {
    DatasetSource src = city.dataset(plan.dataset());
    if ("shapefile".equals(src.format())) {
      throw PipelineException.cannot(
          "generate",
          "dataset " + plan.dataset(),
          "the generator cannot write shapefiles",
          src.path());
    }
    Style style =
        !"csv".equals(src.format())
            ? Style.WKB
            : src.wktColumn() != null ? Style.WKT : Style.LON_LAT;
    StructType schema = outputSchema(plan.fields(), src, style);
    int parts = partitions(plan);
    Dataset<Row> df =
        spark
            .range(0, plan.count(), 1, parts)
            .mapPartitions(
                new Generate(
                    layout, plan.source(), city.metricCrs(), src.crs(), style, schema.size()),
                Encoders.row(schema));
    String path = city.resolve(src.path()).toString();
    String geometry = src.sourceColumn("geometry");
    String firstColumn = schema.fields()[0].name();
    // One plain file per input, as a city's own data would be: a user can open and edit it.
    Dataset<Row> one =
        single(
            "geoparquet".equals(src.format()) || "geojson".equals(src.format())
                ? withGeometry(df, geometry)
                : df,
            firstColumn,
            parts);
    SingleFile.write(
        Path.of(path),
        "sample dataset " + plan.dataset(),
        folder -> {
          switch (src.format()) {
            case "geoparquet" ->
                one.write().mode(SaveMode.Overwrite).format("geoparquet").save(folder);
            // One Feature per line (a GeoJSON text sequence): the ingest reads it as a stream,
            // which a
            // FeatureCollection of a megacity's two million edges, one JSON value, would not allow.
            case "geojson" ->
                one.write()
                    .mode(SaveMode.Overwrite)
                    .format("geojson")
                    .option("geometry.column", geometry)
                    .option("ignoreNullFields", "false")
                    .save(folder);
            default ->
                one.write()
                    .mode(SaveMode.Overwrite)
                    .option("header", "true")
                    .option("encoding", src.encoding())
                    .csv(folder);
          }
        });
    return countWritten(spark, src, path);
  }

  /** The plan's rows without geometry and without writing them (tests, checks). */
  static Dataset<Row> rows(SparkSession spark, CityLayout layout, Plan plan) {
    return spark
        .range(0, plan.count(), 1, partitions(plan))
        .mapPartitions(
            new Generate(layout, plan.source(), null, null, Style.NONE, plan.fields().size()),
            Encoders.row(plan.fields()));
  }

  // A function of the plan alone, never of the machine, so part files split identically everywhere.
  private static int partitions(Plan plan) {
    return (int)
        Math.max(
            1, Math.min(10_000, (plan.count() + plan.perPartition() - 1) / plan.perPartition()));
  }

  private static StructType outputSchema(StructType fields, DatasetSource src, Style style) {
    List<StructField> out = new ArrayList<>();
    for (StructField f : fields.fields()) {
      out.add(DataTypes.createStructField(src.sourceColumn(f.name()), f.dataType(), true));
    }
    switch (style) {
      case WKB -> out.add(DataTypes.createStructField(WKB, DataTypes.BinaryType, true));
      case WKT -> out.add(DataTypes.createStructField(src.wktColumn(), DataTypes.StringType, true));
      case LON_LAT -> {
        out.add(DataTypes.createStructField(src.lonColumn(), DataTypes.DoubleType, true));
        out.add(DataTypes.createStructField(src.latColumn(), DataTypes.DoubleType, true));
      }
      default -> {}
    }
    return DataTypes.createStructType(out);
  }

  private static Dataset<Row> withGeometry(Dataset<Row> df, String name) {
    return df.withColumn(name, expr("ST_GeomFromWKB(" + WKB + ")")).drop(WKB);
  }

  // One output file, in id order: with many partitions a sort keeps generation parallel and the
  // file's row order independent of task timing (coalesce keeps partition order).
  private static Dataset<Row> single(Dataset<Row> df, String idColumn, int parts) {
    return parts == 1 ? df.coalesce(1) : df.orderBy(col("`" + idColumn + "`")).coalesce(1);
  }

  // Counted from what landed on disk, so a retried task can never inflate the number.
  private static long countWritten(SparkSession spark, DatasetSource src, String path) {
    return switch (src.format()) {
      case "geoparquet" -> spark.read().parquet(path).count();
      case "geojson" -> spark.read().text(path).count();
      default ->
          spark
              .read()
              .option("header", "true")
              .option("encoding", src.encoding())
              .csv(path)
              .count();
    };
  }

  /** Per partition: emits features and converts geometry; proj4j transforms are per task. */
  private static final class Generate implements MapPartitionsFunction<Long, Row> {
    private final CityLayout layout;
    private final FeatureSource source;
    private final String metricCrs;
    private final String targetCrs;
    private final Style style;
    private final int width;

    Generate(
        CityLayout layout,
        FeatureSource source,
        String metricCrs,
        String targetCrs,
        Style style,
        int width) {
      this.layout = layout;
      this.source = source;
      this.metricCrs = metricCrs;
      this.targetCrs = targetCrs;
      this.style = style;
      this.width = width;
    }

    @Override
    public Iterator<Row> call(Iterator<Long> indices) {
      Projector projector = style == Style.NONE ? null : new Projector(metricCrs, targetCrs);
      WKBWriter wkb = new WKBWriter();
      WKTWriter wkt = new WKTWriter();
      ArrayDeque<Row> buffer = new ArrayDeque<>();
      List<Feature> scratch = new ArrayList<>();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          while (buffer.isEmpty() && indices.hasNext()) {
            scratch.clear();
            source.emit(layout, indices.next(), scratch);
            for (Feature f : scratch) {
              buffer.add(toRow(f, projector, wkb, wkt));
            }
          }
          return !buffer.isEmpty();
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return buffer.poll();
        }
      };
    }

    private Row toRow(Feature f, Projector projector, WKBWriter wkb, WKTWriter wkt) {
      Object[] v = Arrays.copyOf(f.values(), width);
      int at = f.values().length;
      Geometry g =
          f.geometry() == null || projector == null ? null : projector.project(f.geometry());
      switch (style) {
        case WKB -> v[at] = g == null ? null : wkb.write(g);
        case WKT -> v[at] = g == null ? null : wkt.write(g);
        case LON_LAT -> {
          if (g != null && !(g instanceof Point)) {
            throw PipelineException.cannot(
                "generate", "lon/lat columns", "the geometry is not a point", g.getGeometryType());
          }
          v[at] = g == null ? null : ((Point) g).getX();
          v[at + 1] = g == null ? null : ((Point) g).getY();
        }
        default -> {}
      }
      return RowFactory.create(v);
    }
  }

  /**
   * Metric coordinates to a source CRS: an EPSG code through proj4j, or WGS84 plus a China offset.
   */
  static final class Projector {
    private final boolean identity;
    private final String offset;
    private final CoordinateTransform transform;
    private final ProjCoordinate in = new ProjCoordinate();
    private final ProjCoordinate out = new ProjCoordinate();

    Projector(String metricCrs, String targetCrs) {
      String target = CrsRegistry.normalize(targetCrs);
      this.offset = CrsRegistry.isOffset(target) ? target : null;
      this.identity = offset == null && target.equals(CrsRegistry.normalize(metricCrs));
      this.transform =
          identity
              ? null
              : new CoordinateTransformFactory()
                  .createTransform(
                      CrsRegistry.crs(metricCrs),
                      CrsRegistry.crs(offset != null ? CrsRegistry.WGS84 : target));
    }

    double[] apply(double x, double y) {
      if (identity) {
        return new double[] {x, y};
      }
      in.x = x;
      in.y = y;
      transform.transform(in, out);
      if (offset == null) {
        return new double[] {out.x, out.y};
      }
      return CrsRegistry.GCJ02.equals(offset)
          ? ChinaOffsets.wgs84ToGcj02(out.x, out.y)
          : ChinaOffsets.wgs84ToBd09(out.x, out.y);
    }

    Geometry project(Geometry g) {
      if (identity) {
        return g;
      }
      return CrsTransform.mapCoordinates(g, this::apply);
    }
  }
}
