package org.lifecircle.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_keys;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;
import org.lifecircle.common.Contract;
import org.lifecircle.common.DatasetSource;
import org.lifecircle.common.PipelineException;

/**
 * Reads one input dataset in its declared format and stages it for validation: one row per source
 * record with {@code [__raw, __corrupt, <contract input fields>, __lon, __lat]}. Values keep their
 * source types (CSV and GeoJSON properties are text); geometry is WKB, WKT or GeoJSON text.
 * Problems that make the whole file unusable (missing file or column, wrong column type, broken
 * file) stop here with one message naming the file and column.
 */
public final class SourceReader {
  /**
   * Staged rows, the source column behind each input field (for messages), whether geometry is
   * lon/lat text, counts by reason of source records that could not become a row at all (an OSM way
   * without enough nodes, an unmapped tag) and of what the file held (an OSM extract's nodes, ways
   * and relations): reported in run_log beside the reconciliation; and {@code rawText}, the
   * expression that turns a row's {@code __raw} column into the record's text for the quarantine.
   *
   * <p>{@code __raw} holds the record's source values (a struct; an OSM feature's text), and the
   * text is made only for the rows that are quarantined: made for every row, as before, the JSON
   * text (and, for GeoParquet, the WKT of every geometry) was about a sixth of SF 1 ingest's CPU
   * (JFR, session 17), and the cached validated rows carried it.
   */
  public record Staged(
      Dataset<Row> rows,
      List<String> sourceColumns,
      boolean lonLat,
      Map<String, Long> dropped,
      Map<String, Long> elements,
      Column rawText) {
    public Staged {
      dropped = Map.copyOf(dropped);
      elements = Map.copyOf(elements);
    }

    /** A source whose {@code __raw} struct becomes its record's text as JSON. */
    public Staged(Dataset<Row> rows, List<String> sourceColumns, boolean lonLat) {
      this(rows, sourceColumns, lonLat, Map.of(), Map.of(), to_json(col("__raw")));
    }
  }

  private static final StructType FEATURE =
      new StructType()
          .add("type", DataTypes.StringType)
          .add("id", DataTypes.StringType)
          .add("geometry", DataTypes.StringType)
          .add("properties", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));

  private SourceReader() {}

  public static Staged read(
      SparkSession spark, String dataset, DatasetSource src, Path path, Contract contract) {
    if (!Files.exists(path)) {
      throw PipelineException.cannot("read", "dataset " + dataset, "file does not exist", path);
    }
    String what = "dataset " + dataset;
    // A long-lived session caches file listings and sizes; inputs may be replaced between runs.
    spark.catalog().refreshByPath(path.toUri().toString());
    try {
      return switch (src.format()) {
        case "geoparquet", "shapefile" -> typed(spark, what, src, path, contract);
        case "geojson" -> geojson(spark, what, src, path, contract);
        case "csv" -> csv(spark, what, src, path, contract);
        default -> throw new IllegalStateException(src.format());
      };
    } catch (PipelineException e) {
      throw e;
    } catch (Exception e) { // SparkException is checked, but Scala throws it from any action
      throw unreadable(dataset, src, path, e);
    }
  }

  /**
   * The one message for a file Spark cannot parse. Spark reads lazily, so a truncated Parquet
   * footer or broken JSON may only surface when the staged rows are first counted: the caller wraps
   * that action with this too.
   */
  public static PipelineException unreadable(
      String dataset, DatasetSource src, Path path, Exception e) {
    return PipelineException.cannot(
        "read",
        "dataset " + dataset,
        "file is not readable as " + src.format() + ": " + firstLine(rootMessage(e)),
        path,
        e);
  }

  // GeoParquet and Shapefile carry types; geometry columns become WKB.
  private static Staged typed(
      SparkSession spark, String what, DatasetSource src, Path path, Contract contract) {
    Dataset<Row> df =
        "shapefile".equals(src.format())
            ? spark
                .read()
                .format("shapefile")
                .option("charset", src.encoding())
                .load(path.toString())
            : spark.read().format("geoparquet").load(path.toString());
    Set<String> have = new HashSet<>(Arrays.asList(df.columns()));
    // The raw record keeps a geometry as WKB (the validation reads it as WKB too); its text shows
    // it as WKT, as a file's reader would.
    List<Column> rawCols = new ArrayList<>();
    List<Column> textCols = new ArrayList<>();
    for (StructField f : df.schema().fields()) {
      boolean geometry = isGeometryType(f.dataType());
      rawCols.add(geometry ? expr("ST_AsBinary(`" + f.name() + "`)").as(f.name()) : col(f.name()));
      textCols.add(
          geometry
              ? expr("ST_AsText(ST_GeomFromWKB(`__raw`.`" + f.name() + "`))").as(f.name())
              : col("__raw").getField(f.name()).as(f.name()));
    }
    List<Column> out = new ArrayList<>();
    out.add(struct(rawCols.toArray(Column[]::new)).as("__raw"));
    out.add(lit(null).cast("string").as("__corrupt"));
    List<String> sourceCols = new ArrayList<>();
    for (Contract.Field f : contract.inputFields()) {
      String sc = src.sourceColumn(f.name());
      sourceCols.add(sc);
      if (!have.contains(sc)) {
        out.add(absent(what, src, f, sc, path));
        continue;
      }
      DataType t = df.schema().apply(sc).dataType();
      if (f.isGeometry()) {
        out.add(
            isGeometryType(t)
                ? expr("ST_AsBinary(`" + sc + "`)").as(f.name())
                : col(sc).as(f.name()));
      } else {
        requireCompatible(what, f, sc, t, path);
        out.add(col(sc).as(f.name()));
      }
    }
    out.add(lit(null).cast("string").as("__lon"));
    out.add(lit(null).cast("string").as("__lat"));
    return new Staged(
        df.select(out.toArray(Column[]::new)),
        sourceCols,
        false,
        Map.of(),
        Map.of(),
        to_json(struct(textCols.toArray(Column[]::new))));
  }

  // GeoJSON: a FeatureCollection file, or one Feature per line (as Sedona writes). Geometry and
  // property values are read as JSON text so one bad feature cannot fail the whole file.
  private static Staged geojson(
      SparkSession spark, String what, DatasetSource src, Path path, Contract contract) {
    Dataset<Row> features;
    if (isFeatureCollection(path)) {
      StructType collection =
          new StructType()
              .add("type", DataTypes.StringType)
              .add(
                  "crs",
                  new StructType()
                      .add("type", DataTypes.StringType)
                      .add("properties", new StructType().add("name", DataTypes.StringType)))
              .add("features", DataTypes.createArrayType(FEATURE));
      Dataset<Row> file =
          spark
              .read()
              .option("multiLine", true)
              .option("mode", "FAILFAST")
              .schema(collection)
              .json(path.toString());
      for (Row r :
          file.select(col("crs.properties.name")).where(col("crs").isNotNull()).collectAsList()) {
        GeoJsonCrs.requireAgrees(what, src, r.isNullAt(0) ? null : r.getString(0), path);
      }
      features = file.select(explode(col("features")).as("f")).select("f.*");
    } else {
      features = spark.read().option("mode", "FAILFAST").schema(FEATURE).json(path.toString());
    }
    Set<String> keys = new HashSet<>();
    for (Row r : features.select(explode(map_keys(col("properties")))).distinct().collectAsList()) {
      keys.add(r.getString(0));
    }
    List<Column> out = new ArrayList<>();
    out.add(struct(col("id"), col("geometry"), col("properties")).as("__raw"));
    out.add(lit(null).cast("string").as("__corrupt"));
    List<String> sourceCols = new ArrayList<>();
    for (Contract.Field f : contract.inputFields()) {
      String sc = src.sourceColumn(f.name());
      sourceCols.add(sc);
      if (f.name().equals("geometry")) {
        out.add(col("geometry").as(f.name()));
      } else if (keys.contains(sc)) {
        out.add(col("properties").getItem(sc).as(f.name()));
      } else {
        out.add(absent(what, src, f, sc, path));
      }
    }
    out.add(lit(null).cast("string").as("__lon"));
    out.add(lit(null).cast("string").as("__lat"));
    return new Staged(features.select(out.toArray(Column[]::new)), sourceCols, false);
  }

  // CSV: every column as text, a record that does not fit the header is kept as corrupt (and
  // quarantined), never dropped. multiLine: a quoted field may hold a line break (an address, a
  // name "Shop\nNo. 2") and is still one record; the file is then read by one task, in order.
  private static Staged csv(
      SparkSession spark, String what, DatasetSource src, Path path, Contract contract) {
    String[] header =
        spark
            .read()
            .option("header", true)
            .option("encoding", src.encoding())
            .option("multiLine", true)
            .csv(path.toString())
            .columns();
    StructType schema = new StructType();
    for (String h : header) {
      schema = schema.add(h, DataTypes.StringType);
    }
    schema = schema.add("__corrupt", DataTypes.StringType);
    Dataset<Row> df =
        spark
            .read()
            .option("header", true)
            .option("encoding", src.encoding())
            .option("multiLine", true)
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", "__corrupt")
            .schema(schema)
            .csv(path.toString());
    Set<String> have = new HashSet<>(Arrays.asList(header));
    boolean lonLat = src.lonColumn() != null;
    if (!src.hasCsvGeometry() && !contract.field("geometry").nullable()) {
      throw PipelineException.cannot(
          "read",
          what,
          "no geometry column is configured (wkt_column or lon_column/lat_column)",
          path);
    }
    List<String> geoColumns =
        lonLat
            ? List.of(src.lonColumn(), src.latColumn())
            : src.wktColumn() != null ? List.of(src.wktColumn()) : List.of();
    for (String geo : geoColumns) {
      if (!have.contains(geo)) {
        throw PipelineException.cannot(
            "read", what, "geometry column '" + geo + "' is missing", path);
      }
    }
    List<Column> out = new ArrayList<>();
    out.add(
        struct(Stream.of(header).map(h -> col("`" + h + "`")).toArray(Column[]::new)).as("__raw"));
    out.add(col("__corrupt"));
    List<String> sourceCols = new ArrayList<>();
    for (Contract.Field f : contract.inputFields()) {
      String sc =
          f.name().equals("geometry")
              ? (lonLat ? src.lonColumn() + "/" + src.latColumn() : src.wktColumn())
              : src.sourceColumn(f.name());
      sourceCols.add(sc);
      if (f.name().equals("geometry")) {
        out.add(
            sc == null || lonLat
                ? lit(null).cast("string").as(f.name())
                : col("`" + sc + "`").as(f.name()));
      } else if (have.contains(sc)) {
        out.add(col("`" + sc + "`").as(f.name()));
      } else {
        out.add(absent(what, src, f, sc, path));
      }
    }
    out.add(
        lonLat
            ? col("`" + src.lonColumn() + "`").as("__lon")
            : lit(null).cast("string").as("__lon"));
    out.add(
        lonLat
            ? col("`" + src.latColumn() + "`").as("__lat")
            : lit(null).cast("string").as("__lat"));
    return new Staged(df.select(out.toArray(Column[]::new)), sourceCols, lonLat);
  }

  /** An optional, unmapped field may be absent (null); a required or mapped one may not. */
  private static Column absent(
      String what, DatasetSource src, Contract.Field f, String sc, Path path) {
    if (!f.nullable() || src.columns().containsKey(f.name())) {
      throw PipelineException.cannot("read", what, "column '" + sc + "' is missing", path);
    }
    return lit(null).cast(f.isGeometry() ? DataTypes.StringType : f.sparkType()).as(f.name());
  }

  private static void requireCompatible(
      String what, Contract.Field f, String sc, DataType t, Path path) {
    boolean ok =
        switch (f.type()) {
          case "string" -> true;
          // dBase numbers arrive as decimals; a fractional value is rejected per row, not per file.
          case "int", "long" ->
              t instanceof IntegralType
                  || t instanceof DecimalType
                  || t.equals(DataTypes.StringType);
          case "double" -> t instanceof NumericType || t.equals(DataTypes.StringType);
          case "boolean" -> t.equals(DataTypes.BooleanType) || t.equals(DataTypes.StringType);
          case "date" ->
              t.equals(DataTypes.DateType)
                  || t.equals(DataTypes.TimestampType)
                  || t.equals(DataTypes.StringType);
          default -> false;
        };
    if (!ok) {
      throw PipelineException.cannot(
          "read",
          what,
          "column '" + sc + "' has type " + t.simpleString() + ", expected " + f.type(),
          path);
    }
  }

  private static boolean isGeometryType(DataType t) {
    return t instanceof UserDefinedType<?> u && u.userClass().getSimpleName().contains("Geometry");
  }

  /** A FeatureCollection starts with an object whose "type" is FeatureCollection. */
  private static boolean isFeatureCollection(Path path) {
    Path file = path;
    try {
      if (Files.isDirectory(path)) {
        try (Stream<Path> s = Files.list(path)) {
          file =
              s.filter(
                      p ->
                          !p.getFileName().toString().startsWith(".")
                              && !p.getFileName().toString().startsWith("_"))
                  .sorted()
                  .findFirst()
                  .orElse(path);
        }
      }
      if (Files.isDirectory(file)) {
        return false;
      }
      byte[] head = new byte[4096];
      int n;
      try (InputStream in = Files.newInputStream(file)) {
        n = in.readNBytes(head, 0, head.length);
      }
      String text = new String(head, 0, Math.max(n, 0), StandardCharsets.UTF_8);
      int fc = text.indexOf("\"FeatureCollection\"");
      int f = text.indexOf("\"Feature\"");
      return fc >= 0 && (f < 0 || fc < f);
    } catch (IOException e) {
      throw PipelineException.cannot("read", "file", "cannot open", path, e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl > 0 ? s.substring(0, nl) : s;
  }
}
