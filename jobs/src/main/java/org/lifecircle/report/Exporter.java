package org.lifecircle.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.lifecircle.common.Contract;
import org.lifecircle.common.CrsTransform;
import org.lifecircle.common.CrsRegistry;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.io.DeltaTables;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;

/**
 * Writes one gold table's snapshot for GIS tools: GeoParquet and GeoJSON (one Feature per line,
 * as QGIS reads GeoJSONSeq), both in WGS84 lon/lat (GeoJSON requires it; for GeoParquet it is the
 * default CRS, and the PROJJSON is written explicitly). Tables without their own geometry get the
 * community (or area) polygon from admin_areas.
 */
public final class Exporter {
  /** PROJJSON of OGC:CRS84 (WGS84 lon/lat), the CRS of every export. */
  static final String CRS84_PROJJSON = "{\"$schema\":\"https://proj.org/schemas/v0.7/projjson.schema.json\","
      + "\"type\":\"GeographicCRS\",\"name\":\"WGS 84 (CRS84)\",\"datum\":{\"type\":"
      + "\"GeodeticReferenceFrame\",\"name\":\"World Geodetic System 1984\",\"ellipsoid\":{\"name\":"
      + "\"WGS 84\",\"semi_major_axis\":6378137,\"inverse_flattening\":298.257223563}},"
      + "\"coordinate_system\":{\"subtype\":\"ellipsoidal\",\"axis\":[{\"name\":\"Geodetic longitude\","
      + "\"abbreviation\":\"Lon\",\"direction\":\"east\",\"unit\":\"degree\"},{\"name\":"
      + "\"Geodetic latitude\",\"abbreviation\":\"Lat\",\"direction\":\"north\",\"unit\":\"degree\"}]},"
      + "\"id\":{\"authority\":\"OGC\",\"code\":\"CRS84\"}}";

  private Exporter() {}

  public static Path export(SparkSession spark, RunContext ctx, String table, String format, Path out) {
    if (!List.of("geoparquet", "geojson").contains(format)) {
      throw PipelineException.cannot("export", "table " + table, "format must be geoparquet or geojson", format);
    }
    Contract contract = Contract.of(table);
    Dataset<Row> df = DeltaTables.input(spark, ctx, table);
    String geom = contract.fields().stream().filter(Contract.Field::isGeometry).map(Contract.Field::name)
        .filter(n -> !n.equals("entrance")).findFirst().orElse(null);
    if (geom == null) {
      String key = Arrays.asList(df.columns()).contains("community_code") ? "community_code"
          : Arrays.asList(df.columns()).contains("area_code") ? "area_code" : null;
      if (key == null) {
        throw PipelineException.cannot("export", "table " + table, "it has no geometry and no area code", null);
      }
      Dataset<Row> areas = DeltaTables.input(spark, ctx, "admin_areas")
          .select(col("area_code").as("__area"), col("geometry").as("__geometry"));
      df = df.join(areas, col(key).equalTo(col("__area")), "left").drop("__area");
      geom = "__geometry";
    }
    String metric = ctx.city().metricCrs();
    UDF1<byte[], byte[]> toLonLat = new UDF1<>() {
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
    String[] otherGeometry = Arrays.stream(df.columns()).filter(c -> !c.equals("geometry")
        && (c.equals(source) || contract.fields().stream().anyMatch(
            f -> f.name().equals(c) && f.isGeometry()))).toArray(String[]::new);
    Dataset<Row> geo = df.withColumn("geometry",
            expr("ST_GeomFromWKB(lifecircle_to_lonlat(`" + source + "`))"))
        .drop(otherGeometry);
    Path target = out.resolve(table + "_" + ctx.cityCode() + "_" + ctx.snapshotDate()
        + ("geoparquet".equals(format) ? ".parquet" : ".geojson"));
    if ("geoparquet".equals(format)) {
      geo.write().format("geoparquet").mode("overwrite").option("geoparquet.crs", CRS84_PROJJSON)
          .save(target.toString());
    } else {
      geo.coalesce(1).write().format("geojson").mode("overwrite").save(target.toString());
    }
    return target;
  }

}
