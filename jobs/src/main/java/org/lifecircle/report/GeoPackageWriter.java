package org.lifecircle.report;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;
import org.lifecircle.common.PipelineException;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ByteOrderValues;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;

/**
 * Writes one feature table as an OGC GeoPackage 1.3 file (QGIS' default format) in EPSG:4326
 * lon/lat, through sqlite-jdbc: the required gpkg_spatial_ref_sys, gpkg_contents (with the data's
 * bounds) and gpkg_geometry_columns tables, and the feature table with an integer {@code fid} and a
 * {@code geom} column of GeoPackage binary geometries (GP header with the envelope, then standard
 * little-endian WKB). No spatial index (an optional extension): QGIS and GDAL build one when asked.
 *
 * <p>Written by hand on SQLite because GeoTools (gt-geopkg), the Java library that writes
 * GeoPackages, is not served by this project's Maven registry; sqlite-jdbc is. The file is written
 * beside the target and moved onto it when complete, so a failed export leaves no half file.
 */
final class GeoPackageWriter {
  /** 'GPKG' in ASCII: the application_id a GeoPackage's SQLite header carries. */
  static final int APPLICATION_ID = 0x47504B47;

  /** GeoPackage 1.3.0. */
  static final int USER_VERSION = 10300;

  static final int SRS_ID = 4326;
  private static final String WGS84_WKT =
      "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\","
          + "6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],"
          + "PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,"
          + "AUTHORITY[\"EPSG\",\"9122\"]],AUTHORITY[\"EPSG\",\"4326\"]]";
  private static final DateTimeFormatter DATETIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

  private GeoPackageWriter() {}

  /**
   * Writes {@code rows} (schema {@code schema}; {@code geometryColumn} holds 2D WKB in lon/lat, the
   * other columns become attributes) as the feature table {@code table} of a new GeoPackage at
   * {@code target}, replacing a file there. Returns the number of features written.
   */
  static long write(
      Path target,
      String table,
      String description,
      StructType schema,
      String geometryColumn,
      Iterator<Row> rows) {
    Path partial = target.resolveSibling("." + target.getFileName() + ".partial");
    try {
      Files.deleteIfExists(partial);
      long n;
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + partial.toAbsolutePath())) {
        n = writeTo(c, table, description, schema, geometryColumn, rows);
      }
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
      return n;
    } catch (SQLException | IOException | ParseException e) {
      throw PipelineException.cannot(
          "write", "GeoPackage " + target.getFileName(), e.getMessage(), target, e);
    } finally {
      try {
        Files.deleteIfExists(partial);
      } catch (IOException ignored) {
        // best effort: the partial file is hidden and replaced by the next export
      }
    }
  }

  private static long writeTo(
      Connection c,
      String table,
      String description,
      StructType schema,
      String geometryColumn,
      Iterator<Row> rows)
      throws SQLException, ParseException {
    List<StructField> attributes = new ArrayList<>();
    for (StructField f : schema.fields()) {
      if (!f.name().equals(geometryColumn)) {
        attributes.add(f);
      }
    }
    int geomIndex = schema.fieldIndex(geometryColumn);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA application_id = " + APPLICATION_ID);
      s.execute("PRAGMA user_version = " + USER_VERSION);
    }
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,"
              + " organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,"
              + " definition TEXT NOT NULL, description TEXT)");
      s.execute(
          "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY,"
              + " data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',"
              + " last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
              + " min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,"
              + " CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))");
      s.execute(
          "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL,"
              + " column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,"
              + " z TINYINT NOT NULL, m TINYINT NOT NULL,"
              + " CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),"
              + " CONSTRAINT uk_gc_table_name UNIQUE (table_name),"
              + " CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),"
              + " CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))");
      StringBuilder ddl =
          new StringBuilder(
              "CREATE TABLE "
                  + quote(table)
                  + " (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom GEOMETRY");
      for (StructField f : attributes) {
        ddl.append(", ").append(quote(f.name())).append(' ').append(sqlType(f.dataType()));
      }
      s.execute(ddl.append(')').toString());
    }
    try (PreparedStatement p =
        c.prepareStatement("INSERT INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)")) {
      srs(
          p,
          "Undefined cartesian SRS",
          -1,
          "NONE",
          -1,
          "undefined",
          "undefined cartesian coordinate reference system");
      srs(
          p,
          "Undefined geographic SRS",
          0,
          "NONE",
          0,
          "undefined",
          "undefined geographic coordinate reference system");
      srs(
          p,
          "WGS 84 geodetic",
          SRS_ID,
          "EPSG",
          SRS_ID,
          WGS84_WKT,
          "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid");
    }
    StringBuilder insert = new StringBuilder("INSERT INTO " + quote(table) + " (geom");
    attributes.forEach(f -> insert.append(", ").append(quote(f.name())));
    insert.append(") VALUES (?").append(", ?".repeat(attributes.size())).append(')');
    Envelope bounds = new Envelope();
    TreeSet<String> types = new TreeSet<>();
    long n = 0;
    WKBReader reader = new WKBReader();
    try (PreparedStatement p = c.prepareStatement(insert.toString())) {
      while (rows.hasNext()) {
        Row r = rows.next();
        if (r.isNullAt(geomIndex)) {
          p.setNull(1, Types.BLOB);
        } else {
          Geometry g = reader.read((byte[]) r.get(geomIndex));
          p.setBytes(1, gpkgBinary(g));
          bounds.expandToInclude(g.getEnvelopeInternal());
          types.add(g.getGeometryType().toUpperCase(Locale.ROOT));
        }
        for (int i = 0; i < attributes.size(); i++) {
          StructField f = attributes.get(i);
          set(p, i + 2, r.get(schema.fieldIndex(f.name())), f.dataType());
        }
        p.addBatch();
        if (++n % 10_000 == 0) {
          p.executeBatch();
        }
      }
      p.executeBatch();
    }
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO gpkg_contents (table_name, data_type,"
                + " identifier, description, min_x, min_y, max_x, max_y, srs_id) VALUES (?,?,?,?,?,?,?,?,?)")) {
      p.setString(1, table);
      p.setString(2, "features");
      p.setString(3, table);
      p.setString(4, description == null ? "" : description);
      if (bounds.isNull()) {
        for (int i = 5; i <= 8; i++) {
          p.setNull(i, Types.DOUBLE);
        }
      } else {
        p.setDouble(5, bounds.getMinX());
        p.setDouble(6, bounds.getMinY());
        p.setDouble(7, bounds.getMaxX());
        p.setDouble(8, bounds.getMaxY());
      }
      p.setInt(9, SRS_ID);
      p.executeUpdate();
    }
    try (PreparedStatement p =
        c.prepareStatement("INSERT INTO gpkg_geometry_columns VALUES (?,?,?,?,0,0)")) {
      p.setString(1, table);
      p.setString(2, "geom");
      p.setString(3, types.size() == 1 ? types.first() : "GEOMETRY");
      p.setInt(4, SRS_ID);
      p.executeUpdate();
    }
    c.commit();
    return n;
  }

  /**
   * GeoPackage binary: 'GP', version 0, flags (envelope [minx, maxx, miny, maxy], little endian;
   * the empty flag and no envelope for an empty geometry), srs_id, envelope, then standard WKB.
   */
  static byte[] gpkgBinary(Geometry g) {
    byte[] wkb = new WKBWriter(2, ByteOrderValues.LITTLE_ENDIAN).write(g);
    boolean empty = g.isEmpty();
    int envelopeBytes = empty ? 0 : 32;
    ByteBuffer b =
        ByteBuffer.allocate(8 + envelopeBytes + wkb.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 'G').put((byte) 'P').put((byte) 0);
    b.put((byte) ((empty ? 0b1_000_0 : 0b0_001_0) | 1));
    b.putInt(SRS_ID);
    if (!empty) {
      Envelope e = g.getEnvelopeInternal();
      b.putDouble(e.getMinX()).putDouble(e.getMaxX()).putDouble(e.getMinY()).putDouble(e.getMaxY());
    }
    return b.put(wkb).array();
  }

  private static void srs(
      PreparedStatement p,
      String name,
      int id,
      String org,
      int orgId,
      String definition,
      String description)
      throws SQLException {
    p.setString(1, name);
    p.setInt(2, id);
    p.setString(3, org);
    p.setInt(4, orgId);
    p.setString(5, definition);
    p.setString(6, description);
    p.executeUpdate();
  }

  /** GeoPackage column types (spec table 1); anything else travels as its text. */
  private static String sqlType(DataType t) {
    if (t instanceof BooleanType) {
      return "BOOLEAN";
    } else if (t instanceof IntegerType || t instanceof LongType || t instanceof ShortType) {
      return "INTEGER";
    } else if (t instanceof DoubleType || t instanceof FloatType) {
      return "DOUBLE";
    } else if (t instanceof DateType) {
      return "DATE";
    } else if (t instanceof TimestampType) {
      return "DATETIME";
    } else if (t instanceof BinaryType) {
      return "BLOB";
    }
    return "TEXT";
  }

  private static void set(PreparedStatement p, int i, Object v, DataType t) throws SQLException {
    if (v == null) {
      p.setObject(i, null);
    } else if (t instanceof BooleanType) {
      p.setInt(i, (Boolean) v ? 1 : 0);
    } else if (t instanceof IntegerType || t instanceof LongType || t instanceof ShortType) {
      p.setLong(i, ((Number) v).longValue());
    } else if (t instanceof DoubleType || t instanceof FloatType) {
      p.setDouble(i, ((Number) v).doubleValue());
    } else if (t instanceof DateType) {
      p.setString(i, v.toString()); // java.sql.Date#toString is ISO yyyy-MM-dd
    } else if (t instanceof TimestampType) {
      // Spark's session time zone is UTC; GeoPackage DATETIME is ISO 8601 in UTC with 'Z'.
      Instant at = v instanceof Timestamp ts ? ts.toInstant() : (Instant) v;
      p.setString(i, DATETIME.format(at.truncatedTo(ChronoUnit.MILLIS).atZone(ZoneOffset.UTC)));
    } else if (v instanceof byte[] bytes) {
      p.setBytes(i, bytes);
    } else {
      p.setString(i, v.toString());
    }
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
