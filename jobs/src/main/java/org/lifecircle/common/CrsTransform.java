package org.lifecircle.common;

import org.locationtech.jts.geom.CoordinateSequence;
import org.locationtech.jts.geom.CoordinateSequenceFilter;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.proj4j.CoordinateTransform;
import org.locationtech.proj4j.CoordinateTransformFactory;
import org.locationtech.proj4j.ProjCoordinate;

/**
 * Moves coordinates from a source's declared CRS into the city's metric CRS, and gives WGS84
 * lon/lat for bounds checks. Holds proj4j transforms, which keep scratch state: one instance per
 * task or thread, never shared.
 */
public final class CrsTransform {
  private final String source;
  private final boolean offset;
  private final boolean geographic;
  private final CoordinateTransform toMetric;
  private final CoordinateTransform toLonLat;
  private final ProjCoordinate in = new ProjCoordinate();
  private final ProjCoordinate out = new ProjCoordinate();

  public CrsTransform(String sourceCrs, String metricCrs) {
    this.source = CrsRegistry.normalize(sourceCrs);
    this.offset = CrsRegistry.isOffset(source);
    CoordinateTransformFactory f = new CoordinateTransformFactory();
    this.geographic = CrsRegistry.isGeographic(source);
    this.toMetric = f.createTransform(CrsRegistry.crs(source), CrsRegistry.crs(metricCrs));
    this.toLonLat =
        geographic
            ? null
            : f.createTransform(CrsRegistry.crs(source), CrsRegistry.crs(CrsRegistry.WGS84));
  }

  public boolean sourceIsGeographic() {
    return geographic;
  }

  /** Source coordinates to WGS84 lon/lat (offset systems are de-obfuscated first). */
  public double[] lonLat(double x, double y) {
    if (offset) {
      return CrsRegistry.GCJ02.equals(source)
          ? ChinaOffsets.gcj02ToWgs84(x, y)
          : ChinaOffsets.bd09ToWgs84(x, y);
    }
    if (geographic) {
      return new double[] {x, y};
    }
    in.x = x;
    in.y = y;
    toLonLat.transform(in, out);
    return new double[] {out.x, out.y};
  }

  public double[] metric(double x, double y) {
    if (offset) {
      double[] ll = lonLat(x, y);
      x = ll[0];
      y = ll[1];
    }
    in.x = x;
    in.y = y;
    toMetric.transform(in, out);
    return new double[] {out.x, out.y};
  }

  /** A copy of the geometry in the metric CRS. */
  public Geometry toMetric(Geometry g) {
    return mapCoordinates(g, this::metric);
  }

  /** Maps one coordinate pair to another (x, y in; {x, y} out). */
  @FunctionalInterface
  public interface CoordinateMapper {
    double[] map(double x, double y);
  }

  /** A copy of {@code g} with every coordinate passed through {@code mapper}. */
  public static Geometry mapCoordinates(Geometry g, CoordinateMapper mapper) {
    Geometry copy = g.copy();
    copy.apply(
        new CoordinateSequenceFilter() {
          @Override
          public void filter(CoordinateSequence seq, int i) {
            double[] m = mapper.map(seq.getX(i), seq.getY(i));
            seq.setOrdinate(i, 0, m[0]);
            seq.setOrdinate(i, 1, m[1]);
          }

          @Override
          public boolean isDone() {
            return false;
          }

          @Override
          public boolean isGeometryChanged() {
            return true;
          }
        });
    copy.geometryChanged();
    return copy;
  }
}
