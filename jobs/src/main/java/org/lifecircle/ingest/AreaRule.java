package org.lifecircle.ingest;

import java.util.Locale;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Polygonal;

/**
 * Whether a polygon's area (m2 in the metric CRS) is a plausible footprint, compound, parcel,
 * boundary or grid cell. Both ends are {@code ABSURD_SIZE}: a polygon under 1 m2 (a collinear ring,
 * a digitising slip) is no place anyone can walk into, yet it would carry residents or facilities;
 * one over the contract's maximum is a mis-scaled or mis-projected shape.
 */
final class AreaRule {
  /** Smallest area of a polygon of any dataset (m2 in the metric CRS). */
  static final double MIN_AREA_M2 = 1.0;

  private AreaRule() {}

  /** The reason and value of a row's message. */
  record Problem(String reason, Object value) {}

  /** What is wrong with the area, or null when it is fine. */
  static Problem problem(Geometry metric, Double maxAreaM2) {
    if (metric instanceof Polygonal && metric.getArea() < MIN_AREA_M2) {
      return tooSmall(metric.getArea());
    }
    if (maxAreaM2 != null && metric.getArea() > maxAreaM2) {
      return new Problem("area exceeds " + maxAreaM2 + " m2", Math.round(metric.getArea()));
    }
    return null;
  }

  /**
   * An invalid polygon whose repair is empty collapsed to no area at all (a ring whose points lie
   * on one line, a spike out and back): that is its fault, not its invalidity.
   */
  static Problem collapsed(Geometry metric, Geometry repaired) {
    return metric instanceof Polygonal && repaired.isEmpty() ? tooSmall(0) : null;
  }

  private static Problem tooSmall(double area) {
    return new Problem(
        "area is below " + MIN_AREA_M2 + " m2", String.format(Locale.ROOT, "%.3f", area));
  }
}
