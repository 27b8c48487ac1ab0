package org.lifecircle.access;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.ExpandingRows;
import org.lifecircle.network.AccessTally;
import org.lifecircle.network.NetworkAccess;
import org.lifecircle.network.NetworkDistances;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;

/**
 * Streams building_access rows for one partition of homes: one row per home and category, in
 * contract order (without the partition columns). Lazy, so a partition never holds more than one
 * home's rows.
 */
final class NearestRows extends ExpandingRows {
  private final Map<String, FacilityIndex> indexes;
  private final NetworkDistances network;
  private final FacilityCatalog catalog;
  private final AccessStage.Basis basis;
  private final List<String> bands;
  private final AccessTally tally;
  private final WKBReader reader = new WKBReader();

  NearestRows(
      Iterator<Row> homes,
      Map<String, FacilityIndex> indexes,
      NetworkDistances network,
      FacilityCatalog catalog,
      AccessStage.Basis basis,
      List<String> bands,
      AccessTally tally) {
    super(homes);
    this.tally = tally;
    this.indexes = indexes;
    this.network = network;
    this.catalog = catalog;
    this.basis = basis;
    this.bands = bands;
  }

  // Input: building_id, community_code, origin WKB, residents, home index, then the eight bands;
  // with the network (indexedHomes) then district_code.
  @Override
  protected void expand(Row home) {
    byte[] originWkb = (byte[]) home.get(2);
    Coordinate o;
    try {
      o = reader.read(originWkb).getCoordinate();
    } catch (ParseException e) {
      throw new IllegalStateException(
          "building_population holds invalid WKB for " + home.get(0), e);
    }
    long residents = home.getLong(3);
    int index =
        network == null
            ? -1
            : network.home(home.getLong(AccessStage.HOME_INDEX), home.getString(0));
    String district = tally == null ? null : home.getString(home.length() - 1);
    if (tally != null) {
      tally.home(district, network.snapped(index));
    }
    List<FacilityCatalog.Category> categories = catalog.categories();
    for (int k = 0; k < categories.size(); k++) {
      FacilityCatalog.Category c = categories.get(k);
      long target = 0;
      for (String b : c.targetBands()) {
        target += home.getLong(AccessStage.HOME_INDEX + 1 + bands.indexOf(b));
      }
      FacilityIndex.Hit hit = indexes.get(c.code()).nearest(o.x, o.y);
      String id = hit == null ? null : indexes.get(c.code()).id(hit.index());
      Double d = hit == null ? null : hit.distance();
      double reach = c.reachM();
      boolean within = d != null && d <= reach;
      boolean covered = d != null && d * basis.factor() <= reach;
      Double walkMin = d == null ? null : d * basis.factor() / c.walkSpeedMPerMin();
      // network_distance_m, network_facility_id, within_threshold_network, snapped,
      // distance_basis, covered, walk_min: the walk's when the city has a network.
      Object[] decided =
          network == null
              ? new Object[] {null, null, null, null, basis.name(), covered, walkMin}
              : NetworkAccess.fill(network, index, k, reach, c.thresholdMinutes());
      if (tally != null) {
        tally.row(district, k, d, (Double) decided[0], within, (Boolean) decided[2], target);
      }
      emit(
          RowFactory.create(
              home.getString(0),
              home.getString(1),
              originWkb,
              c.code(),
              id,
              d,
              reach,
              within,
              decided[0],
              decided[1],
              decided[2],
              decided[3],
              decided[4],
              decided[5],
              residents,
              target,
              c.walkerCode(),
              c.thresholdMinutes(),
              decided[6]));
    }
  }
}
