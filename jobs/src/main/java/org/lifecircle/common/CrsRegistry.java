package org.lifecircle.common;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.locationtech.proj4j.CRSFactory;
import org.locationtech.proj4j.CoordinateReferenceSystem;
import org.locationtech.proj4j.proj.LongLatProjection;

/**
 * Names of coordinate systems a city config may declare: any EPSG code proj4j knows (WGS84 4326,
 * CGCS2000 4490, its Gauss-Kruger 3-degree zones 4513-4554, UTM zones...) plus the two Chinese
 * offset systems GCJ02 and BD09, which are WGS84 with a published obfuscation on top.
 */
public final class CrsRegistry {
  public static final String GCJ02 = "GCJ02";
  public static final String BD09 = "BD09";
  public static final String WGS84 = "EPSG:4326";

  private static final CRSFactory FACTORY = new CRSFactory();
  private static final Map<String, CoordinateReferenceSystem> CACHE = new ConcurrentHashMap<>();

  private CrsRegistry() {}

  public static String normalize(String code) {
    if (code == null) {
      return null;
    }
    String c = code.trim().toUpperCase(Locale.ROOT).replace("-", "");
    if (c.equals("GCJ02") || c.equals("BD09")) {
      return c;
    }
    return code.trim().toUpperCase(Locale.ROOT);
  }

  public static boolean isOffset(String code) {
    String c = normalize(code);
    return GCJ02.equals(c) || BD09.equals(c);
  }

  public static void requireKnown(String code, String what) {
    if (code == null || code.isBlank()) {
      throw PipelineException.cannot("load", what, "CRS is missing", null);
    }
    if (isOffset(code)) {
      return;
    }
    try {
      crs(code);
    } catch (RuntimeException e) {
      throw PipelineException.cannot("load", what, "unknown CRS", code, e);
    }
  }

  /** proj4j's definition; offset systems resolve to WGS84, their datum. */
  public static CoordinateReferenceSystem crs(String code) {
    String c = isOffset(code) ? WGS84 : normalize(code);
    return CACHE.computeIfAbsent(c, FACTORY::createFromName);
  }

  public static boolean isGeographic(String code) {
    return crs(code).getProjection() instanceof LongLatProjection;
  }

  public static boolean isMetric(String code) {
    if (code == null || isOffset(code)) {
      return false;
    }
    try {
      CoordinateReferenceSystem crs = crs(code);
      return !(crs.getProjection() instanceof LongLatProjection)
          && crs.getProjection().getFromMetres() == 1.0;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
