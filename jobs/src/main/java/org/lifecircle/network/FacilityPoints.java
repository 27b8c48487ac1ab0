package org.lifecircle.network;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.PipelineException;
import org.lifecircle.io.Tables;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;

/**
 * One catalog category's facilities as points on the driver, in facility_id order (the index is the
 * tie order of every nearest search): collected once per run and used by both the straight-line
 * index and the network snapping.
 */
public record FacilityPoints(String[] ids, double[] xs, double[] ys) {

  /**
   * Every catalog category, in catalog order, from silver facilities rows (one collect); a category
   * without facilities has no points. Codes outside the catalog were rejected by ingest.
   */
  public static Map<String, FacilityPoints> byCategory(
      Dataset<Row> facilities, FacilityCatalog catalog) {
    Map<String, TreeMap<String, double[]>> byCategory = new LinkedHashMap<>();
    catalog.codes().forEach(c -> byCategory.put(c, new TreeMap<>()));
    WKBReader reader = new WKBReader();
    for (Row r : facilities.select("facility_id", "category", "geometry").collectAsList()) {
      TreeMap<String, double[]> m = byCategory.get(r.getString(1));
      if (m != null) {
        Coordinate c = point(reader, (byte[]) r.get(2), r.getString(0));
        m.put(r.getString(0), new double[] {c.x, c.y});
      }
    }
    Map<String, FacilityPoints> out = new LinkedHashMap<>();
    byCategory.forEach(
        (code, m) -> {
          String[] ids = m.keySet().toArray(String[]::new);
          double[] xs = new double[ids.length];
          double[] ys = new double[ids.length];
          for (int i = 0; i < ids.length; i++) {
            xs[i] = m.get(ids[i])[0];
            ys[i] = m.get(ids[i])[1];
          }
          out.put(code, new FacilityPoints(ids, xs, ys));
        });
    return out;
  }

  private static Coordinate point(WKBReader reader, byte[] wkb, String id) {
    try {
      return reader.read(wkb).getCoordinate();
    } catch (ParseException e) {
      throw PipelineException.cannot("read", "table " + Tables.FACILITIES, "invalid WKB", id, e);
    }
  }
}
