package org.lifecircle.access;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.network.AccessTally;

/**
 * The previous snapshot's building_access rows that an incremental run copies, counted into the
 * access pass's tally on their way to the write, so that network_stats covers every home as a full
 * run's pass does.
 */
final class CopiedRows {
  private CopiedRows() {}

  /**
   * community_code to district_code over building_population (a home's district is its
   * community's); null when a community appears with two districts.
   */
  static Map<String, String> districtsByCommunity(Dataset<Row> homes) {
    Map<String, String> out = new HashMap<>();
    for (Row r : homes.select("community_code", "district_code").distinct().collectAsList()) {
      if (out.containsKey(r.getString(0))) {
        return null;
      }
      out.put(r.getString(0), r.getString(1));
    }
    return out;
  }

  /** Counts copied rows into {@code tally} as they pass, as {@link NearestRows} does. */
  static Dataset<Row> tallied(
      SparkSession spark,
      Dataset<Row> rows,
      Map<String, String> districts,
      FacilityCatalog catalog,
      AccessTally tally) {
    Map<String, Integer> category = new HashMap<>();
    for (int k = 0; k < catalog.categories().size(); k++) {
      category.put(catalog.categories().get(k).code(), k);
    }
    String[] names = rows.columns();
    List<String> order = List.of(names);
    int community = order.indexOf("community_code");
    int cat = order.indexOf("category");
    int distance = order.indexOf("distance_m");
    int within = order.indexOf("within_threshold");
    int network = order.indexOf("network_distance_m");
    int withinNetwork = order.indexOf("within_threshold_network");
    int snapped = order.indexOf("snapped");
    int target = order.indexOf("target_residents");
    RDD<InternalRow> counted =
        rows.queryExecution()
            .toRdd()
            .toJavaRDD()
            .mapPartitions(
                it ->
                    new Iterator<InternalRow>() {
                      @Override
                      public boolean hasNext() {
                        return it.hasNext();
                      }

                      @Override
                      public InternalRow next() {
                        InternalRow r = it.next();
                        String district = districts.get(r.getUTF8String(community).toString());
                        int k = category.get(r.getUTF8String(cat).toString());
                        if (k == 0) {
                          tally.home(district, r.getBoolean(snapped));
                        }
                        tally.row(
                            district,
                            k,
                            r.isNullAt(distance) ? null : r.getDouble(distance),
                            r.isNullAt(network) ? null : r.getDouble(network),
                            r.getBoolean(within),
                            r.getBoolean(withinNetwork),
                            r.getLong(target));
                        return r;
                      }
                    })
            .rdd();
    return spark.internalCreateDataFrame(counted, rows.schema(), false);
  }
}
