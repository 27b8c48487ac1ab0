package org.lifecircle.io;

import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lifecircle.common.CrsRegistry;
import org.lifecircle.common.DatasetSource;
import org.lifecircle.common.PipelineException;

/**
 * The legacy (2008) GeoJSON {@code crs} member, {@code "crs": {"type": "name", "properties":
 * {"name": ...}}}, which RFC 7946 dropped but GDAL and older GIS exports still write.
 */
final class GeoJsonCrs {
  // EPSG:4547, urn:ogc:def:crs:EPSG::4547, urn:ogc:def:crs:EPSG:6.6:4547,
  // http://www.opengis.net/def/crs/EPSG/0/4547.
  private static final Pattern EPSG = Pattern.compile("EPSG[:/](?:[\\d.]*[:/])?(\\d+)$");

  private GeoJsonCrs() {}

  /**
   * A member that names another CRS than the config's stops the read: one of the two is wrong, and
   * guessing would misplace every feature. Offset systems (GCJ-02, BD-09) have no name of their own
   * and agree with WGS84 / CRS84, their datum. An absent or empty member agrees.
   */
  static void requireAgrees(String what, DatasetSource src, String declared, Path path) {
    if (declared == null || declared.isBlank()) {
      return;
    }
    String file = code(declared);
    String config =
        CrsRegistry.isOffset(src.crs()) ? CrsRegistry.WGS84 : CrsRegistry.normalize(src.crs());
    if (!file.equals(config)) {
      throw PipelineException.cannot(
          "read",
          what,
          "the file's crs member says " + file + " but the city config says " + src.crs(),
          path);
    }
  }

  /** The EPSG code a crs name means (CRS84, lon/lat on WGS84, as EPSG:4326); else the name. */
  static String code(String name) {
    String n = name.trim().toUpperCase(Locale.ROOT);
    if (n.endsWith("CRS84")) {
      return CrsRegistry.WGS84;
    }
    Matcher m = EPSG.matcher(n);
    return m.find() ? "EPSG:" + m.group(1) : name.trim();
  }
}
