package org.lifecircle.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Reference pairs come from two independent open-source implementations (their published test
 * values), not from this code: wandergis/coordtransform (test/app.js) and hujiulong/gcoord
 * (test/unit/crs/GCJ02.spec.js). Their inverses are one-step approximations, so the inverse
 * references are compared at metre level; the forward ones are exact formulas.
 */
class ChinaOffsetsTest {
  private static final double DEG_PER_M = 1.0 / 111_320.0;

  @Test
  void forwardMatchesPublishedReferencePairs() {
    assertLonLat(
        ChinaOffsets.wgs84ToGcj02(116.404, 39.915), 116.41024449916938, 39.91640428150164, 1e-9);
    assertLonLat(
        ChinaOffsets.gcj02ToBd09(116.404, 39.915), 116.41036949371029, 39.92133699351021, 1e-9);
    assertLonLat(ChinaOffsets.gcj02ToBd09(123, 45), 123.00636499, 45.00636899, 1e-8);
  }

  @Test
  void inverseMatchesPublishedReferencePairsWithinAMetre() {
    // coordtransform's gcj02towgs84 is a one-step approximation: within ~1 m of the exact inverse.
    assertLonLat(
        ChinaOffsets.gcj02ToWgs84(116.404, 39.915),
        116.39775550083061,
        39.91359571849836,
        1.0 * DEG_PER_M);
    assertLonLat(ChinaOffsets.gcj02ToWgs84(123, 45), 122.99395597, 44.99804071, 1.0 * DEG_PER_M);
    assertLonLat(
        ChinaOffsets.bd09ToGcj02(116.404, 39.915),
        116.39762729119315,
        39.90865673957631,
        1.0 * DEG_PER_M);
  }

  @Test
  void roundTripsAcrossChinaAreWellUnderHalfAMetre() {
    SplittableRandom r = new SplittableRandom(7);
    double worstGcj = 0;
    double worstBd = 0;
    for (int i = 0; i < 2000; i++) {
      double lon = 75 + r.nextDouble() * 59;
      double lat = 18 + r.nextDouble() * 35;
      double[] g = ChinaOffsets.wgs84ToGcj02(lon, lat);
      double[] back = ChinaOffsets.gcj02ToWgs84(g[0], g[1]);
      worstGcj = Math.max(worstGcj, metres(lon, lat, back));
      double[] b = ChinaOffsets.wgs84ToBd09(lon, lat);
      double[] back2 = ChinaOffsets.bd09ToWgs84(b[0], b[1]);
      worstBd = Math.max(worstBd, metres(lon, lat, back2));
    }
    assertThat(worstGcj).isLessThan(0.001);
    assertThat(worstBd).isLessThan(0.001);
  }

  @Test
  void offsetIsHundredsOfMetresInChinaAndNoneOutside() {
    double[] g = ChinaOffsets.wgs84ToGcj02(114.3, 30.6);
    assertThat(metres(114.3, 30.6, g)).isBetween(100.0, 700.0);
    assertThat(ChinaOffsets.wgs84ToGcj02(2.35, 48.85)).containsExactly(2.35, 48.85);
  }

  private static double metres(double lon, double lat, double[] other) {
    double dx = (other[0] - lon) * 111_320.0 * Math.cos(Math.toRadians(lat));
    double dy = (other[1] - lat) * 110_574.0;
    return Math.hypot(dx, dy);
  }

  private static void assertLonLat(double[] got, double lon, double lat, double tol) {
    assertThat(got[0]).isCloseTo(lon, within(tol));
    assertThat(got[1]).isCloseTo(lat, within(tol));
  }
}
