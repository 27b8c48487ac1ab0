package org.lifecircle.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * WalkTargets' straight-line test from squared distances answers as Math.hypot(dx, dy) <= r does,
 * on random offsets in a projected CRS's range and on radii placed at, just below and just above
 * each hypot (where only the exact comparison can tell), and where squares underflow.
 */
class StraightLineWithinTest {
  @Test
  void answersAsHypotDoesAtAndAroundEveryBoundary() {
    SplittableRandom rnd = new SplittableRandom(16);
    for (int k = 0; k < 200_000; k++) {
      double x0 = 500_000 + rnd.nextDouble() * 10_000;
      double y0 = 3_400_000 + rnd.nextDouble() * 10_000;
      double dx = (x0 + rnd.nextDouble(-1_500, 1_500)) - x0;
      double dy = (y0 + rnd.nextDouble(-1_500, 1_500)) - y0;
      double h = Math.hypot(dx, dy);
      double squared = dx * dx + dy * dy;
      double[] radii = {
        h,
        Math.nextDown(h),
        Math.nextUp(h),
        h * (1 + 1e-13),
        h * (1 - 1e-13),
        Math.rint(h),
        rnd.nextDouble(0, 2_000)
      };
      for (double r : radii) {
        boolean expected = h <= r;
        assertThat(WalkTargets.Walker.within(squared, dx, dy, r))
            .as("dx %s dy %s r %s", dx, dy, r)
            .isEqualTo(expected);
      }
    }
    double tiny = 1e-160;
    assertThat(WalkTargets.Walker.within(tiny * tiny, tiny, 0, 0)).isFalse();
    assertThat(WalkTargets.Walker.within(0, 0, 0, 0)).isTrue();
  }
}
