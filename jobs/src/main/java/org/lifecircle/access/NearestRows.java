package org.lifecircle.access;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.unsafe.types.UTF8String;
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
 *
 * <p>The rows are Spark's internal rows, their texts UTF-8 already: a home's ids are encoded once
 * for its 21 rows, a category's code and walker once per partition, a facility's id once per
 * partition. As {@code Row}s, Spark's encoder converted seven strings on each of SF 1's 30.6 M rows
 * (docs/BENCHMARKS.md, session 21).
 */
final class NearestRows extends ExpandingRows<InternalRow> {
  /** Per category, in catalog order: its facilities' index. */
  private final FacilityIndex[] indexes;

  private final NetworkDistances network;
  private final FacilityCatalog catalog;
  private final AccessStage.Basis basis;
  private final List<String> bands;
  private final AccessTally tally;
  private final WKBReader reader = new WKBReader();

  /** The basis text the last row carried (one per city) and its UTF-8 form. */
  private String lastBasis;

  private UTF8String lastBasisUtf8;
  private final UTF8String[] categoryCodes;
  private final UTF8String[] walkers;

  /** Per category, each facility's id as UTF-8, encoded the first time the facility is nearest. */
  private final UTF8String[][] facilityIds;

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
    this.network = network;
    this.catalog = catalog;
    this.basis = basis;
    this.bands = bands;
    List<FacilityCatalog.Category> categories = catalog.categories();
    this.categoryCodes = new UTF8String[categories.size()];
    this.walkers = new UTF8String[categories.size()];
    this.facilityIds = new UTF8String[categories.size()][];
    this.indexes = new FacilityIndex[categories.size()];
    for (int k = 0; k < categories.size(); k++) {
      FacilityCatalog.Category c = categories.get(k);
      categoryCodes[k] = UTF8String.fromString(c.code());
      walkers[k] = UTF8String.fromString(c.walkerCode());
      this.indexes[k] = indexes.get(c.code());
      facilityIds[k] = new UTF8String[this.indexes[k].size()];
    }
  }

  private UTF8String utf8Basis(String text) {
    if (!text.equals(lastBasis)) {
      lastBasis = text;
      lastBasisUtf8 = UTF8String.fromString(text);
    }
    return lastBasisUtf8;
  }

  private UTF8String facilityId(int category, FacilityIndex index, int facility) {
    UTF8String id = facilityIds[category][facility];
    if (id == null) {
      id = UTF8String.fromString(index.id(facility));
      facilityIds[category][facility] = id;
    }
    return id;
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
    UTF8String buildingId = UTF8String.fromString(home.getString(0));
    UTF8String communityCode = UTF8String.fromString(home.getString(1));
    List<FacilityCatalog.Category> categories = catalog.categories();
    for (int k = 0; k < categories.size(); k++) {
      FacilityCatalog.Category c = categories.get(k);
      long target = 0;
      for (String b : c.targetBands()) {
        target += home.getLong(AccessStage.HOME_INDEX + 1 + bands.indexOf(b));
      }
      FacilityIndex facilities = indexes[k];
      FacilityIndex.Hit hit = facilities.nearest(o.x, o.y);
      UTF8String id = hit == null ? null : facilityId(k, facilities, hit.index());
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
          new GenericInternalRow(
              new Object[] {
                buildingId,
                communityCode,
                originWkb,
                categoryCodes[k],
                id,
                d,
                reach,
                within,
                decided[0],
                decided[1] == null ? null : UTF8String.fromString((String) decided[1]),
                decided[2],
                decided[3],
                utf8Basis((String) decided[4]),
                decided[5],
                residents,
                target,
                walkers[k],
                c.thresholdMinutes(),
                decided[6]
              }));
    }
  }
}
