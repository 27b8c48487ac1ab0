package org.lifecircle.common;

import java.nio.charset.Charset;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where one input dataset lives and how to read it: format, declared CRS, text encoding, where the
 * geometry is (CSV only) and a mapping from contract field to source column.
 *
 * <p>Format {@code osm} reads an OpenStreetMap {@code .osm.pbf} extract (always WGS84) through the
 * OSM tag catalog instead of a column mapping; {@code clip} optionally names a WGS84 polygon file
 * (GeoJSON or WKT) that cuts the extract further than the city bounds. Several datasets may name
 * the same extract, which is read once per run.
 */
public record DatasetSource(
    String path,
    String format,
    String crs,
    String encoding,
    String wktColumn,
    String lonColumn,
    String latColumn,
    Map<String, String> columns,
    String clip) {

  public static final Set<String> FORMATS =
      Set.of("geoparquet", "geojson", "shapefile", "csv", "osm");
  public static final String OSM = "osm";

  public DatasetSource {
    if (path == null || path.isBlank()) {
      throw PipelineException.cannot("load", "city config", "dataset path is missing", null);
    }
    format = format == null ? null : format.toLowerCase(Locale.ROOT);
    if (!FORMATS.contains(format)) {
      throw PipelineException.cannot(
          "load",
          "city config",
          "unknown format '" + format + "' for " + path,
          new TreeSet<>(FORMATS));
    }
    if (OSM.equals(format)) {
      // PBF coordinates are WGS84 by definition; any other declaration is a mistake.
      if (crs != null && !CrsRegistry.normalize(crs).equals(CrsRegistry.WGS84)) {
        throw PipelineException.cannot(
            "load", "city config", "an osm extract is always EPSG:4326", path);
      }
      crs = CrsRegistry.WGS84;
      if (columns != null && !columns.isEmpty() || wktColumn != null || lonColumn != null) {
        throw PipelineException.cannot(
            "load",
            "city config",
            "an osm source maps tags through catalogs.osm_tags, not columns",
            path);
      }
    } else if (clip != null) {
      throw PipelineException.cannot(
          "load", "city config", "clip applies to format osm only", path);
    }
    CrsRegistry.requireKnown(crs, "city config crs of " + path);
    encoding = encoding == null ? "UTF-8" : encoding;
    if (!Charset.isSupported(encoding)) {
      throw PipelineException.cannot(
          "load", "city config", "unknown encoding for " + path, encoding);
    }
    if ((lonColumn == null) != (latColumn == null) || (wktColumn != null && lonColumn != null)) {
      throw PipelineException.cannot(
          "load", "city config", "give either wkt_column or both lon_column and lat_column", path);
    }
    columns = columns == null ? Map.of() : new TreeMap<>(columns);
  }

  public boolean isOsm() {
    return OSM.equals(format);
  }

  public boolean hasCsvGeometry() {
    return wktColumn != null || lonColumn != null;
  }

  /** The source column that holds a contract field (identity unless mapped). */
  public String sourceColumn(String field) {
    return columns.getOrDefault(field, field);
  }
}
