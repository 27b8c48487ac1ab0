package org.lifecircle.ingest;

import java.io.Serializable;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.Contract;
import org.lifecircle.common.CrsTransform;
import org.lifecircle.common.PipelineException;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.util.GeometryFixer;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;
import org.locationtech.jts.io.WKTReader;
import org.locationtech.jts.io.geojson.GeoJsonReader;

/**
 * Checks one staged record against its contract and turns it into a silver row in the metric CRS,
 * or names the first thing wrong with it as a reason code and a message. Runs inside Spark tasks:
 * holds only serializable settings and builds its readers and CRS transform per task.
 *
 * <p>Staged input row: {@code [__raw, __corrupt, <input fields in contract order>, __lon, __lat]},
 * with the geometry as WKB bytes, WKT text, GeoJSON text, or null with lon/lat text. Output row:
 * the silver contract fields without city_code and snapshot_date, then __reason, __message, __raw
 * (the staged source record, on a rejected row only), __repaired.
 */
public final class RecordValidator implements Serializable {
  /** Relative area change a repair may make and still keep the geometry. */
  static final double REPAIR_AREA_TOLERANCE = 0.01;

  private final String dataset;
  private final Contract contract;
  private final String sourceCrs;
  private final String metricCrs;
  private final CityConfig.Bounds bounds;
  private final LocalDate snapshotDate;
  private final Set<String> catalogCodes;
  private final boolean lonLatGeometry;
  private final List<String> sourceColumns;

  private transient CrsTransform crs;
  private transient WKBReader wkbReader;
  private transient WKTReader wktReader;
  private transient GeoJsonReader geoJsonReader;
  private transient WKBWriter wkbWriter;
  private transient int[] layout;
  private transient int keyIn;
  private transient int keyOut;

  private static final int SOURCE_ROW = -2;

  public RecordValidator(
      String dataset,
      Contract contract,
      String sourceCrs,
      String metricCrs,
      CityConfig.Bounds bounds,
      LocalDate snapshotDate,
      Set<String> catalogCodes,
      boolean lonLatGeometry,
      List<String> sourceColumns) {
    this.dataset = dataset;
    this.contract = contract;
    this.sourceCrs = sourceCrs;
    this.metricCrs = metricCrs;
    this.bounds = bounds;
    this.snapshotDate = snapshotDate;
    this.catalogCodes = catalogCodes;
    this.lonLatGeometry = lonLatGeometry;
    this.sourceColumns = sourceColumns;
  }

  /**
   * The output schema: silver fields (less partition columns) and the verdict columns; {@code
   * __raw} has the staged rows' type {@code raw}.
   */
  public static StructType outputSchema(Contract contract, DataType raw) {
    List<StructField> fields = new ArrayList<>();
    for (Contract.Field f : contract.fields()) {
      if (!isPartition(f)) {
        fields.add(DataTypes.createStructField(f.name(), f.sparkType(), true));
      }
    }
    fields.add(DataTypes.createStructField("__reason", DataTypes.StringType, true));
    fields.add(DataTypes.createStructField("__message", DataTypes.StringType, true));
    fields.add(DataTypes.createStructField("__raw", raw, true));
    fields.add(DataTypes.createStructField("__repaired", DataTypes.BooleanType, false));
    return DataTypes.createStructType(fields);
  }

  static boolean isPartition(Contract.Field f) {
    return f.name().equals("city_code") || f.name().equals("snapshot_date");
  }

  /** Validates one staged row; {@code sourceRow} is its 1-based position in the source. */
  public Row validate(Row staged, long sourceRow) {
    init();
    List<Contract.Field> inputs = contract.inputFields();
    Object[] values = new Object[inputs.size()];
    Object raw = staged.get(0);
    Verdict verdict = new Verdict();
    if (!staged.isNullAt(1)) {
      verdict.reject("BAD_RECORD", msg(sourceRow, "the record does not match the header", null));
    }
    for (int i = 0; i < inputs.size() && verdict.reason == null; i++) {
      Contract.Field f = inputs.get(i);
      Object value = staged.get(i + 2);
      if (f.isGeometry()) {
        if (f.name().equals("geometry") && lonLatGeometry) {
          value = pointFromLonLat(staged, inputs.size() + 2, verdict, sourceRow);
          if (verdict.reason != null) {
            break;
          }
        }
        values[i] = geometry(f, value, verdict, sourceRow);
      } else {
        values[i] = attribute(f, sourceColumns.get(i), value, verdict, sourceRow);
      }
    }
    return output(values, sourceRow, verdict, raw);
  }

  private Row output(Object[] inputValues, long sourceRow, Verdict v, Object raw) {
    Object[] out = new Object[layout.length + 4];
    for (int i = 0; i < layout.length; i++) {
      int from = layout[i];
      out[i] =
          from == SOURCE_ROW
              ? (Object) sourceRow
              : from >= 0 && v.reason == null ? inputValues[from] : null;
    }
    // A quarantined row keeps its id so the quarantine table can name the record.
    if (v.reason != null && keyOut >= 0 && inputValues[keyIn] != null) {
      out[keyOut] = inputValues[keyIn];
    }
    out[layout.length] = v.reason;
    out[layout.length + 1] = v.message;
    // Only a quarantined row needs its source record; an accepted one would carry it for nothing.
    out[layout.length + 2] = v.reason == null ? null : raw;
    out[layout.length + 3] = v.repaired;
    return RowFactory.create(out);
  }

  /**
   * Where each output field (the contract's, less partition columns) comes from: an input field's
   * index, {@link #SOURCE_ROW}, or -1 (null); and the key's input and output positions (-1 when the
   * contract has no key among its inputs). Worked out once: per row, looking fields up by equality
   * was 1.6 % of SF 1 ingest's CPU (JFR, session 15).
   */
  private void layOut() {
    List<Contract.Field> inputs = contract.inputFields();
    List<Contract.Field> fields = contract.fields().stream().filter(f -> !isPartition(f)).toList();
    layout = new int[fields.size()];
    for (int i = 0; i < layout.length; i++) {
      Contract.Field f = fields.get(i);
      layout[i] = f.name().equals("source_row") ? SOURCE_ROW : f.isInput() ? inputs.indexOf(f) : -1;
    }
    String key = contract.key().isEmpty() ? null : contract.key().get(0);
    keyIn = key == null ? -1 : inputs.indexOf(contract.field(key));
    keyOut = key == null ? -1 : fields.stream().map(Contract.Field::name).toList().indexOf(key);
    if (keyIn < 0) {
      keyOut = -1;
    }
  }

  private void init() {
    if (layout == null) {
      layOut();
    }
    if (crs == null) {
      crs = new CrsTransform(sourceCrs, metricCrs);
      wkbReader = new WKBReader();
      wktReader = new WKTReader();
      geoJsonReader = new GeoJsonReader();
      wkbWriter = new WKBWriter(2);
    }
  }

  private static final class Verdict {
    String reason;
    String message;
    boolean repaired;

    void reject(String code, String msg) {
      if (reason == null) {
        reason = code;
        message = msg;
      }
    }
  }

  private String msg(long row, String reason, Object value) {
    return PipelineException.format(
        "accept", "row " + row + " of dataset " + dataset, reason, value);
  }

  // ---------------------------------------------------------------- geometry

  private Geometry pointFromLonLat(Row staged, int at, Verdict v, long row) {
    String lon = staged.isNullAt(at) ? null : staged.getString(at).trim();
    String lat = staged.isNullAt(at + 1) ? null : staged.getString(at + 1).trim();
    if (lon == null || lat == null || lon.isEmpty() || lat.isEmpty()) {
      v.reject("NULL_GEOMETRY", msg(row, "lon/lat is missing", lon + "," + lat));
      return null;
    }
    try {
      double x = Double.parseDouble(lon);
      double y = Double.parseDouble(lat);
      return new GeometryFactory().createPoint(new Coordinate(x, y));
    } catch (NumberFormatException e) {
      v.reject("BAD_GEOMETRY", msg(row, "lon/lat is not a number", lon + "," + lat));
      return null;
    }
  }

  private byte[] geometry(Contract.Field f, Object value, Verdict v, long row) {
    String col = "column '" + f.name() + "'";
    if (value == null || (value instanceof String s && s.isBlank())) {
      if (!f.nullable()) {
        v.reject("NULL_GEOMETRY", msg(row, col + " is null", null));
      }
      return null;
    }
    Geometry g;
    try {
      g = parse(value);
    } catch (ParseException | RuntimeException e) {
      v.reject("BAD_GEOMETRY", msg(row, col + " cannot be parsed", firstLine(e.getMessage())));
      return null;
    }
    if (g.isEmpty()) {
      v.reject("EMPTY_GEOMETRY", msg(row, col + " is empty", g.getGeometryType()));
      return null;
    }
    for (Coordinate c : g.getCoordinates()) {
      if (!Double.isFinite(c.x) || !Double.isFinite(c.y)) {
        v.reject("BAD_GEOMETRY", msg(row, col + " has a non-finite coordinate", c.x + " " + c.y));
        return null;
      }
    }
    List<String> allowed =
        f.name().equals("geometry") ? contract.geometryTypes() : List.of("Point");
    if (!allowed.isEmpty() && !allowed.contains(g.getGeometryType())) {
      v.reject(
          "WRONG_GEOMETRY_TYPE",
          msg(row, col + " must be " + String.join(" or ", allowed), g.getGeometryType()));
      return null;
    }
    String where = placement(g);
    if (where != null) {
      v.reject(
          where,
          msg(
              row,
              col
                  + (where.equals("LONLAT_SWAPPED")
                      ? " has longitude and latitude swapped"
                      : " lies outside the city bounds"),
              g.getEnvelopeInternal().centre()));
      return null;
    }
    Geometry m = crs.toMetric(g);
    if (!m.isValid()) {
      Geometry fixed = GeometryFixer.fix(m);
      double before = m.getArea();
      boolean sameType = fixed.getGeometryType().equals(m.getGeometryType());
      boolean sameArea =
          before == 0
              ? fixed.getArea() == 0
              : Math.abs(fixed.getArea() - before) / before <= REPAIR_AREA_TOLERANCE;
      AreaRule.Problem collapsed = AreaRule.collapsed(m, fixed);
      if (collapsed != null) {
        v.reject("ABSURD_SIZE", msg(row, col + " " + collapsed.reason(), collapsed.value()));
        return null;
      }
      if (fixed.isEmpty() || !sameType || !sameArea) {
        v.reject(
            "INVALID_GEOMETRY",
            msg(
                row,
                col + " is invalid and cannot be repaired keeping" + " its type and area",
                m.getGeometryType() + " -> " + fixed.getGeometryType()));
        return null;
      }
      m = fixed;
      v.repaired = true;
    }
    AreaRule.Problem size = AreaRule.problem(m, contract.maxAreaM2());
    if (size != null) {
      v.reject("ABSURD_SIZE", msg(row, col + " " + size.reason(), size.value()));
      return null;
    }
    return wkbWriter.write(m);
  }

  private Geometry parse(Object value) throws ParseException {
    if (value instanceof byte[] b) {
      return wkbReader.read(b);
    }
    if (value instanceof Geometry g) {
      return g;
    }
    String s = value.toString().trim();
    return s.startsWith("{") ? geoJsonReader.read(s) : wktReader.read(s);
  }

  /**
   * Null when inside the bounds; else LONLAT_SWAPPED (geographic sources only) or OUTSIDE_BOUNDS.
   */
  private String placement(Geometry g) {
    if (allInside(g, false)) {
      return null;
    }
    if (crs.sourceIsGeographic() && allInside(g, true)) {
      return "LONLAT_SWAPPED";
    }
    return "OUTSIDE_BOUNDS";
  }

  private boolean allInside(Geometry g, boolean swapped) {
    for (Coordinate c : g.getCoordinates()) {
      double[] ll = swapped ? crs.lonLat(c.y, c.x) : crs.lonLat(c.x, c.y);
      if (!bounds.contains(ll[0], ll[1])) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- attributes

  private Object attribute(
      Contract.Field f, String sourceColumn, Object value, Verdict v, long row) {
    String col = "column '" + sourceColumn + "'";
    if (value instanceof String s) {
      // The decoder puts U+FFFD where bytes are not valid in the declared encoding (a GBK row in
      // a UTF-8 file, or the reverse): the text is garbled, so the row is not trusted.
      if (s.indexOf('\uFFFD') >= 0) {
        v.reject("BAD_ENCODING", msg(row, col + " is not valid text in the declared encoding", s));
        return null;
      }
      value = s.trim().isEmpty() ? null : s.trim();
    }
    if (value == null) {
      if (!f.nullable()) {
        v.reject("NULL_REQUIRED", msg(row, col + " is required", null));
      }
      return null;
    }
    Object typed;
    try {
      typed = convert(f.type(), value);
    } catch (RuntimeException e) {
      v.reject("BAD_VALUE", msg(row, col + " is not a valid " + f.type(), value));
      return null;
    }
    if (f.allowed() != null && !f.allowed().contains(typed.toString())) {
      v.reject("UNKNOWN_CODE", msg(row, col + " has unknown code", value));
      return null;
    }
    if ("facility_catalog".equals(f.allowedFrom()) && !catalogCodes.contains(typed.toString())) {
      v.reject("UNKNOWN_CODE", msg(row, col + " has unknown code", value));
      return null;
    }
    if (typed instanceof Number n) {
      double d = n.doubleValue();
      if ((f.min() != null && d < f.min()) || (f.max() != null && d > f.max())) {
        v.reject(
            "OUT_OF_RANGE",
            msg(row, col + " is outside [" + fmt(f.min()) + ", " + fmt(f.max()) + "]", value));
        return null;
      }
      if (f.mustNotBeFuture() && "int".equals(f.type()) && n.intValue() > snapshotDate.getYear()) {
        v.reject(
            "FUTURE_DATE", msg(row, col + " is after the snapshot date " + snapshotDate, value));
        return null;
      }
    }
    if (typed instanceof Date d && f.mustNotBeFuture() && d.toLocalDate().isAfter(snapshotDate)) {
      v.reject("FUTURE_DATE", msg(row, col + " is after the snapshot date " + snapshotDate, value));
      return null;
    }
    return typed;
  }

  private static String fmt(Double d) {
    if (d == null) {
      return "";
    }
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf(d.longValue()) : d.toString();
  }

  static Object convert(String type, Object value) {
    switch (type) {
      case "string":
        return value.toString();
      case "int":
        return Math.toIntExact(integral(value));
      case "long":
        return integral(value);
      case "double":
        {
          double d =
              value instanceof Number n ? n.doubleValue() : Double.parseDouble(value.toString());
          if (!Double.isFinite(d)) {
            throw new NumberFormatException("not finite");
          }
          return d;
        }
      case "boolean":
        return bool(value);
      case "date":
        return date(value);
      default:
        throw new IllegalArgumentException(type);
    }
  }

  private static long integral(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      return ((Number) value).longValue();
    }
    // "12.0" from a spreadsheet is 12; "12.5" is not an integer.
    return new BigDecimal(value.toString()).longValueExact();
  }

  private static Boolean bool(Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    return switch (value.toString().toLowerCase(Locale.ROOT)) {
      case "true", "t", "1", "yes", "y", "是" -> true;
      case "false", "f", "0", "no", "n", "否" -> false;
      default -> throw new IllegalArgumentException("not a boolean");
    };
  }

  private static Date date(Object value) {
    if (value instanceof Date d) {
      return d;
    }
    if (value instanceof LocalDate d) {
      return Date.valueOf(d);
    }
    if (value instanceof Timestamp t) {
      return Date.valueOf(t.toLocalDateTime().toLocalDate());
    }
    try {
      return Date.valueOf(LocalDate.parse(value.toString()));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an ISO date", e);
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return null;
    }
    int nl = s.indexOf('\n');
    return nl > 0 ? s.substring(0, nl) : s;
  }
}
