package org.lifecircle.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.lifecircle.common.Contract;
import org.lifecircle.common.CrsRegistry;
import org.lifecircle.common.CrsTransform;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.io.DeltaTables;
import org.lifecircle.io.RunLog;
import org.lifecircle.io.SingleFile;
import org.lifecircle.io.Tables;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;

/**
 * Writes one table's snapshot for GIS tools as ONE file, in WGS84 lon/lat:
 *
 * <ul>
 *   <li>{@code geoparquet}: GeoParquet 1.1 ({@code .parquet}) with the CRS (PROJJSON of OGC:CRS84)
 *       and a {@code bbox} covering column (struct xmin/ymin/xmax/ymax, declared as the geometry's
 *       {@code covering} in the {@code geo} metadata), written by Sedona's writer through Spark;
 *   <li>{@code geojson}: an RFC 7946 FeatureCollection ({@code .geojson}); Sedona's writer gives
 *       one Feature per line and they are wrapped in the collection while the part file is copied;
 *   <li>{@code gpkg}: a GeoPackage 1.3 ({@code .gpkg}, QGIS' default) by {@link GeoPackageWriter},
 *       rows streamed to the driver a partition at a time.
 * </ul>
 *
 * <p>Spark writes a folder of part files (with {@code _SUCCESS} and {@code .crc} files); a GIS
 * opens a file. So Spark writes one partition ({@code coalesce(1)}) and {@link SingleFile} moves
 * its single part file to the target's name (GeoParquet), or to a hidden file beside it that is
 * copied into the collection (GeoJSON); the temporary folder is removed. Exports are one city and
 * date of one table, so one task writes them (the demo's largest, building_access: see
 * docs/TABLES.md).
 *
 * <p>The geometry is the table's own (the first geometry column of its contract:
 * gap_fill_candidates by its site points); tables without one get the community (or area) polygon
 * from admin_areas.
 */
public final class Exporter {
  /** PROJJSON of OGC:CRS84 (WGS84 lon/lat), the CRS of every export. */
  static final String CRS84_PROJJSON =
      "{\"$schema\":\"https://proj.org/schemas/v0.7/projjson.schema.json\","
          + "\"type\":\"GeographicCRS\",\"name\":\"WGS 84 (CRS84)\",\"datum\":{\"type\":"
          + "\"GeodeticReferenceFrame\",\"name\":\"World Geodetic System 1984\",\"ellipsoid\":{\"name\":"
          + "\"WGS 84\",\"semi_major_axis\":6378137,\"inverse_flattening\":298.257223563}},"
          + "\"coordinate_system\":{\"subtype\":\"ellipsoidal\",\"axis\":[{\"name\":\"Geodetic longitude\","
          + "\"abbreviation\":\"Lon\",\"direction\":\"east\",\"unit\":\"degree\"},{\"name\":"
          + "\"Geodetic latitude\",\"abbreviation\":\"Lat\",\"direction\":\"north\",\"unit\":\"degree\"}]},"
          + "\"id\":{\"authority\":\"OGC\",\"code\":\"CRS84\"}}";

  private Exporter() {}

  /** The formats {@code --format} takes, with the file extension each writes. */
  public static final Map<String, String> FORMATS =
      Map.of("geoparquet", ".parquet", "geojson", ".geojson", "gpkg", ".gpkg");

  /**
   * Writes the table's snapshot as one file under {@code out}. An empty snapshot is exported (an
   * empty layer with the table's columns) only when {@code writer}, the stage that writes the
   * table, succeeded for the date: then "none" is the answer, e.g. no idle asset to recommend. An
   * empty snapshot nobody wrote stops the export and names the stage to run.
   */
  public static Path export(
      SparkSession spark, RunContext ctx, String table, String writer, String format, Path out) {
    if (!FORMATS.containsKey(format)) {
      throw PipelineException.cannot(
          "export", "table " + table, "format must be geoparquet, geojson or gpkg", format);
    }
    Contract contract = Contract.of(table);
    Dataset<Row> snapshot = DeltaTables.readSnapshot(spark, ctx, table);
    if (snapshot.isEmpty() && !RunLog.succeededFor(spark, ctx, writer)) {
      throw PipelineException.cannot(
          "export",
          "table " + table,
          "it has no rows for city "
              + ctx.cityCode()
              + " on "
              + ctx.snapshotDate()
              + " and stage "
              + writer
              + " has not run for that date; run it first",
          ctx.tablePath(table));
    }
    Dataset<Row> geo = lonLat(spark, ctx, contract, snapshot);
    Path target =
        out.resolve(table + "_" + ctx.cityCode() + "_" + ctx.snapshotDate() + FORMATS.get(format));
    if (Files.isDirectory(target)) {
      throw PipelineException.cannot(
          "export",
          "table " + table,
          "a folder stands where the file" + " goes (written by an older version?); move it away",
          target);
    }
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw PipelineException.cannot(
          "export", "table " + table, "cannot create the folder: " + e.getMessage(), out);
    }
    switch (format) {
      case "geoparquet" -> geoParquet(geo, target);
      case "geojson" -> geoJson(geo, target);
      default ->
          GeoPackageWriter.write(
              target,
              table,
              contract.description() == null ? null : contract.description().toString(),
              geo.schema(),
              "geometry",
              geo.toLocalIterator());
    }
    return target;
  }

  /**
   * The snapshot with one geometry column, {@code geometry}: 2D WKB in WGS84 lon/lat, the table's
   * own geometry or its community's polygon; the table's other geometry columns are dropped.
   */
  private static Dataset<Row> lonLat(
      SparkSession spark, RunContext ctx, Contract contract, Dataset<Row> df) {
    String table = contract.table();
    String geom =
        contract.fields().stream()
            .filter(Contract.Field::isGeometry)
            .map(Contract.Field::name)
            .filter(n -> !n.equals("entrance"))
            .findFirst()
            .orElse(null);
    if (geom == null) {
      String key =
          Arrays.asList(df.columns()).contains("community_code")
              ? "community_code"
              : Arrays.asList(df.columns()).contains("area_code") ? "area_code" : null;
      if (key == null) {
        throw PipelineException.cannot(
            "export", "table " + table, "it has no geometry and no area code", null);
      }
      Dataset<Row> areas =
          DeltaTables.input(spark, ctx, Tables.ADMIN_AREAS)
              .select(col("area_code").as("__area"), col("geometry").as("__geometry"));
      df = df.join(areas, col(key).equalTo(col("__area")), "left").drop("__area");
      geom = "__geometry";
    }
    String metric = ctx.city().metricCrs();
    UDF1<byte[], byte[]> toLonLat =
        new UDF1<>() {
          private transient CrsTransform transform;

          @Override
          public byte[] call(byte[] wkb) throws Exception {
            if (wkb == null) {
              return null;
            }
            if (transform == null) {
              transform = new CrsTransform(metric, CrsRegistry.WGS84);
            }
            return new WKBWriter(2).write(transform.toMetric(new WKBReader().read(wkb)));
          }
        };
    spark.udf().register("lifecircle_to_lonlat", toLonLat, DataTypes.BinaryType);
    String source = geom;
    String[] otherGeometry =
        Arrays.stream(df.columns())
            .filter(
                c ->
                    !c.equals("geometry")
                        && (c.equals(source)
                            || contract.fields().stream()
                                .anyMatch(f -> f.name().equals(c) && f.isGeometry())))
            .toArray(String[]::new);
    return df.withColumn("geometry", expr("lifecircle_to_lonlat(`" + source + "`)"))
        .drop(otherGeometry);
  }

  /** GeoParquet 1.1 with CRS84 and the bbox covering column, one file. */
  private static void geoParquet(Dataset<Row> geo, Path target) {
    Dataset<Row> rows =
        geo.withColumn("geometry", expr("ST_GeomFromWKB(geometry)"))
            .withColumn(
                "bbox",
                expr(
                    "struct(ST_XMin(geometry) AS xmin, ST_YMin(geometry) AS ymin,"
                        + " ST_XMax(geometry) AS xmax, ST_YMax(geometry) AS ymax)"));
    SingleFile.write(
        target,
        "export " + target.getFileName(),
        folder ->
            rows.coalesce(1)
                .write()
                .format("geoparquet")
                .mode("overwrite")
                .option("geoparquet.version", "1.1.0")
                .option("geoparquet.crs", CRS84_PROJJSON)
                .option("geoparquet.covering", "bbox")
                .save(folder));
  }

  /** An RFC 7946 FeatureCollection: Sedona's Features, one per line, wrapped in the collection. */
  private static void geoJson(Dataset<Row> geo, Path target) {
    Dataset<Row> rows = geo.withColumn("geometry", expr("ST_GeomFromWKB(geometry)"));
    Path features =
        SingleFile.write(
            target.resolveSibling("." + target.getFileName() + ".features"),
            "export " + target.getFileName(),
            folder -> rows.coalesce(1).write().format("geojson").mode("overwrite").save(folder));
    Path partial = target.resolveSibling("." + target.getFileName() + ".partial");
    try {
      try (BufferedReader in = Files.newBufferedReader(features, StandardCharsets.UTF_8);
          BufferedWriter w = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
        w.write("{\"type\":\"FeatureCollection\",\"features\":[");
        String sep = "\n";
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (!line.isBlank()) {
            w.write(sep);
            w.write(line);
            sep = ",\n";
          }
        }
        w.write("\n]}\n");
      }
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
      Files.delete(features);
    } catch (IOException e) {
      throw PipelineException.cannot(
          "write", "export " + target.getFileName(), e.getMessage(), target, e);
    }
  }
}
