package org.lifecircle.common;

/**
 * GCJ-02 (Amap, Tencent) and BD-09 (Baidu) are not EPSG systems but published obfuscations of WGS84
 * with shifts of 100-700 m. These are the widely published forward formulas; the inverses are
 * iterative (fixed-point on the forward function) so the round trip is exact to ~1e-9 degrees, far
 * below the 0.5 m the issue asks for. proj4j has no such transform, which is why it is ours.
 *
 * <p>All methods take and return {lon, lat} in degrees.
 */
public final class ChinaOffsets {
  private static final double A = 6378245.0;
  private static final double EE = 0.00669342162296594323;
  private static final double X_PI = Math.PI * 3000.0 / 180.0;
  private static final double TOLERANCE_DEG = 1e-10;
  private static final int MAX_ITERATIONS = 50;

  private ChinaOffsets() {}

  /** The published rule: outside this box the offset is not applied. */
  public static boolean outOfChina(double lon, double lat) {
    return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }

  public static double[] wgs84ToGcj02(double lon, double lat) {
    if (outOfChina(lon, lat)) {
      return new double[] {lon, lat};
    }
    double dLat = transformLat(lon - 105.0, lat - 35.0);
    double dLon = transformLon(lon - 105.0, lat - 35.0);
    double radLat = lat / 180.0 * Math.PI;
    double magic = Math.sin(radLat);
    magic = 1 - EE * magic * magic;
    double sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sqrtMagic) * Math.PI);
    dLon = (dLon * 180.0) / (A / sqrtMagic * Math.cos(radLat) * Math.PI);
    return new double[] {lon + dLon, lat + dLat};
  }

  /** Iterative inverse: find w with wgs84ToGcj02(w) == g. */
  public static double[] gcj02ToWgs84(double lon, double lat) {
    if (outOfChina(lon, lat)) {
      return new double[] {lon, lat};
    }
    double wLon = lon;
    double wLat = lat;
    for (int i = 0; i < MAX_ITERATIONS; i++) {
      double[] g = wgs84ToGcj02(wLon, wLat);
      double dLon = g[0] - lon;
      double dLat = g[1] - lat;
      wLon -= dLon;
      wLat -= dLat;
      if (Math.abs(dLon) < TOLERANCE_DEG && Math.abs(dLat) < TOLERANCE_DEG) {
        break;
      }
    }
    return new double[] {wLon, wLat};
  }

  public static double[] gcj02ToBd09(double lon, double lat) {
    double z = Math.sqrt(lon * lon + lat * lat) + 0.00002 * Math.sin(lat * X_PI);
    double theta = Math.atan2(lat, lon) + 0.000003 * Math.cos(lon * X_PI);
    return new double[] {z * Math.cos(theta) + 0.0065, z * Math.sin(theta) + 0.006};
  }

  /** Iterative inverse of {@link #gcj02ToBd09}, started from the published approximate inverse. */
  public static double[] bd09ToGcj02(double lon, double lat) {
    double x = lon - 0.0065;
    double y = lat - 0.006;
    double z = Math.sqrt(x * x + y * y) - 0.00002 * Math.sin(y * X_PI);
    double theta = Math.atan2(y, x) - 0.000003 * Math.cos(x * X_PI);
    double gLon = z * Math.cos(theta);
    double gLat = z * Math.sin(theta);
    for (int i = 0; i < MAX_ITERATIONS; i++) {
      double[] b = gcj02ToBd09(gLon, gLat);
      double dLon = b[0] - lon;
      double dLat = b[1] - lat;
      gLon -= dLon;
      gLat -= dLat;
      if (Math.abs(dLon) < TOLERANCE_DEG && Math.abs(dLat) < TOLERANCE_DEG) {
        break;
      }
    }
    return new double[] {gLon, gLat};
  }

  public static double[] wgs84ToBd09(double lon, double lat) {
    double[] g = wgs84ToGcj02(lon, lat);
    return gcj02ToBd09(g[0], g[1]);
  }

  public static double[] bd09ToWgs84(double lon, double lat) {
    double[] g = bd09ToGcj02(lon, lat);
    return gcj02ToWgs84(g[0], g[1]);
  }

  private static double transformLat(double x, double y) {
    double ret =
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    ret += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    ret += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    ret += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    return ret;
  }

  private static double transformLon(double x, double y) {
    double ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    ret += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    ret += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    ret +=
        (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    return ret;
  }
}
