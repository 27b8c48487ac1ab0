package org.lifecircle.common;

import java.nio.charset.Charset;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where one input dataset lives and how to read it: format, declared CRS, text encoding, where the
 * geometry is (CSV only) and a mapping from contract field to source column.
 */
public record DatasetSource(
    String path,
    String format,
    String crs,
    String encoding,
    String wktColumn,
    String lonColumn,
    String latColumn,
    Map<String, String> columns) {

  public static final Set<String> FORMATS = Set.of("geoparquet", "geojson", "shapefile", "csv");

  public DatasetSource {
    if (path == null || path.isBlank()) {
      throw PipelineException.cannot("load", "city config", "dataset path is missing", null);
    }
    format = format == null ? null : format.toLowerCase(Locale.ROOT);
    if (!FORMATS.contains(format)) {
      throw PipelineException.cannot(
          "load", "city config", "unknown format '" + format + "' for " + path, new java.util.TreeSet<>(FORMATS));
    }
    CrsRegistry.requireKnown(crs, "city config crs of " + path);
    encoding = encoding == null ? "UTF-8" : encoding;
    if (!Charset.isSupported(encoding)) {
      throw PipelineException.cannot("load", "city config", "unknown encoding for " + path, encoding);
    }
    if ((lonColumn == null) != (latColumn == null) || (wktColumn != null && lonColumn != null)) {
      throw PipelineException.cannot(
          "load", "city config", "give either wkt_column or both lon_column and lat_column", path);
    }
    columns = columns == null ? Map.of() : new TreeMap<>(columns);
  }

  public boolean hasCsvGeometry() {
    return wktColumn != null || lonColumn != null;
  }

  /** The source column that holds a contract field (identity unless mapped). */
  public String sourceColumn(String field) {
    return columns.getOrDefault(field, field);
  }
}
