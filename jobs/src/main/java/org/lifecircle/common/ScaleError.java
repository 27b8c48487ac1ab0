package org.lifecircle.common;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.sf.geographiclib.Geodesic;
import org.locationtech.proj4j.CoordinateTransform;
import org.locationtech.proj4j.CoordinateTransformFactory;
import org.locationtech.proj4j.ProjCoordinate;

/**
 * How much a metric CRS stretches or shrinks lengths over a city: every distance of the pipeline is
 * measured in it, so a projection that is not conformal-and-true there (Web Mercator is 16 % long
 * at 30° N) makes every threshold wrong. On a 9 x 9 grid over the city's bounds, a 100 m step east
 * and one north are projected and compared with their geodesic length on the WGS84 ellipsoid
 * (GeographicLib, Karney's algorithms: a well-kept library rather than our own formulas); the error
 * is the largest |projected / geodesic - 1|.
 */
public final class ScaleError {
  private static final int GRID = 9;
  private static final double STEP_DEG = 0.001;
  private static final Map<String, Double> CACHE = new ConcurrentHashMap<>();

  private ScaleError() {}

  /** Stops the config load when the metric CRS distorts distances by more than {@code max}. */
  static void require(String metricCrs, CityConfig.Bounds bounds, double max) {
    double error = over(metricCrs, bounds);
    if (error > max) {
      throw PipelineException.cannot(
          "load",
          "city config",
          String.format(
              Locale.ROOT,
              "metric_crs distorts distances by up to %.2f%% over the city's bounds, more than the"
                  + " limit %.2f%% (limits.max_scale_error); use the city's Gauss-Kruger or UTM zone",
              100 * error,
              100 * max),
          metricCrs);
    }
  }

  /** The largest relative length error of {@code metricCrs} over {@code bounds}. */
  public static double over(String metricCrs, CityConfig.Bounds b) {
    String key = metricCrs + "|" + b;
    return CACHE.computeIfAbsent(key, k -> compute(metricCrs, b));
  }

  private static double compute(String metricCrs, CityConfig.Bounds b) {
    CoordinateTransform t =
        new CoordinateTransformFactory()
            .createTransform(CrsRegistry.crs(CrsRegistry.WGS84), CrsRegistry.crs(metricCrs));
    double worst = 0;
    for (int i = 0; i < GRID; i++) {
      for (int j = 0; j < GRID; j++) {
        double lon = b.minLon() + (b.maxLon() - b.minLon()) * i / (GRID - 1);
        double lat = b.minLat() + (b.maxLat() - b.minLat()) * j / (GRID - 1);
        worst = Math.max(worst, error(t, lon, lat, STEP_DEG, 0));
        worst = Math.max(worst, error(t, lon, lat, 0, STEP_DEG));
      }
    }
    return worst;
  }

  private static double error(
      CoordinateTransform t, double lon, double lat, double dLon, double dLat) {
    ProjCoordinate a = t.transform(new ProjCoordinate(lon, lat), new ProjCoordinate());
    ProjCoordinate c =
        t.transform(new ProjCoordinate(lon + dLon, lat + dLat), new ProjCoordinate());
    double projected = Math.hypot(c.x - a.x, c.y - a.y);
    double geodesic = Geodesic.WGS84.Inverse(lat, lon, lat + dLat, lon + dLon).s12;
    return Math.abs(projected / geodesic - 1);
  }
}
