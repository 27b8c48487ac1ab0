package org.lifecircle.assets;

import static org.lifecircle.SilverRows.box;
import static org.lifecircle.SilverRows.point;

import java.sql.Date;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.locationtech.jts.geom.Geometry;

/** Hand-written silver rows for the asset tests (metric coordinates near X0, Y0). */
final class AssetsFixture {
  static final double X0 = 528_000;
  static final double Y0 = 3_385_000;
  private static long row = 1;

  private AssetsFixture() {}

  /** Two communities side by side: C1 [0, 1000] x [0, 1000], C2 [1000, 2000] x [0, 1000]. */
  static Map<String, Object> community(String code, double x0, double x1) {
    return row(
        Map.of(
            "area_code",
            code,
            "level",
            "community",
            "parent_code",
            "S1",
            "geometry",
            box(X0 + x0, Y0, X0 + x1, Y0 + 1000)));
  }

  /** A 10 m x 10 m two-floor building centred on (cx, cy); extra columns from {@code more}. */
  static Map<String, Object> building(
      String id, String use, double cx, double cy, Map<String, Object> more) {
    Map<String, Object> m =
        row(
            Map.of(
                "building_id",
                id,
                "use",
                use,
                "floors",
                2,
                "geometry",
                box(X0 + cx - 5, Y0 + cy - 5, X0 + cx + 5, Y0 + cy + 5)));
    m.putAll(more);
    return m;
  }

  /** A 100 m x 100 m parcel with its lower-left corner at (x, y). */
  static Map<String, Object> parcel(
      String id, String landUse, double x, double y, Map<String, Object> more) {
    Map<String, Object> m =
        row(
            Map.of(
                "parcel_id",
                id,
                "land_use_code",
                landUse,
                "geometry",
                box(X0 + x, Y0 + y, X0 + x + 100, Y0 + y + 100)));
    m.putAll(more);
    return m;
  }

  static Map<String, Object> compound(String id, int yearBuilt, double x, double y) {
    return row(
        Map.of(
            "compound_id",
            id,
            "year_built",
            yearBuilt,
            "geometry",
            box(X0 + x, Y0 + y, X0 + x + 50, Y0 + y + 50)));
  }

  static Geometry at(double x, double y) {
    return point(X0 + x, Y0 + y);
  }

  static Date date(String iso) {
    return Date.valueOf(LocalDate.parse(iso));
  }

  private static synchronized Map<String, Object> row(Map<String, Object> fields) {
    Map<String, Object> m = new HashMap<>(fields);
    m.put("source_row", row++);
    return m;
  }
}
