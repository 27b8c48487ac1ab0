package org.lifecircle.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.struct;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.simplify.DouglasPeuckerSimplifier;

/**
 * Reads the map's layers from the snapshot's tables. A city larger than a page can show is drawn
 * from a deterministic sample (by id hash) and the map says so: an SVG of a megacity's 1.6 M
 * footprints would be hundreds of megabytes and no browser would open it.
 */
final class MapLayers {
  static final int MAX_BUILDINGS = 30_000;
  static final int MAX_EDGES = 40_000;
  static final int MAX_POINTS = 20_000;

  private MapLayers() {}

  static SvgMap.Layers load(
      StageTables tables,
      List<String> categories,
      Map<String, String> categoryNames,
      Map<String, String> communityNames,
      String initial,
      List<SvgMap.Point> sites,
      Map<String, Integer> levels) {
    WKBReader wkb = new WKBReader();
    List<String> notes = new ArrayList<>();
    List<SvgMap.Area> communities = new ArrayList<>();
    for (Row r :
        tables
            .snapshot(Tables.ADMIN_AREAS)
            .where(col("level").equalTo("community"))
            .select("area_code", "geometry")
            .collectAsList()) {
      communities.add(
          new SvgMap.Area(
              r.getString(0),
              communityNames.getOrDefault(r.getString(0), r.getString(0)),
              read(wkb, r, 1)));
    }
    List<Geometry> edges = new ArrayList<>();
    if (tables.exists(Tables.WALK_NETWORK)) {
      for (Row r :
          sample(tables, Tables.WALK_NETWORK, "edge_id", MAX_EDGES, "walk edges", notes)
              .select("geometry")
              .collectAsList()) {
        edges.add(read(wkb, r, 0));
      }
    }
    Dataset<Row> allBuildings = tables.snapshot(Tables.BUILDINGS);
    long k = every(tables.rows(Tables.BUILDINGS), MAX_BUILDINGS, Tables.BUILDINGS, notes);
    Map<String, String> flags =
        homeFlags(onEvery(tables.snapshot(Tables.BUILDING_ACCESS), "building_id", k), categories);
    List<SvgMap.Building> buildings = new ArrayList<>();
    for (Row r :
        onEvery(allBuildings, "building_id", k)
            .select("building_id", "use", "geometry")
            .collectAsList()) {
      String id = r.getString(0);
      buildings.add(
          new SvgMap.Building(read(wkb, r, 2), flags.get(id), id + " (" + r.getString(1) + ")"));
    }
    List<SvgMap.Point> facilities = new ArrayList<>();
    for (Row r :
        sample(tables, Tables.FACILITIES, "facility_id", MAX_POINTS, Tables.FACILITIES, notes)
            .select("category", "facility_id", "name", "geometry")
            .collectAsList()) {
      Geometry g = read(wkb, r, 3);
      facilities.add(
          new SvgMap.Point(
              r.getString(0),
              g.getCentroid().getX(),
              g.getCentroid().getY(),
              (r.isNullAt(2) ? "" : r.getString(2) + " ") + r.getString(1)));
    }
    return new SvgMap.Layers(
        communities,
        edges,
        buildings,
        facilities,
        sites,
        serviceAreas(tables, levels, wkb, communities),
        categories,
        categoryNames,
        initial,
        notes.isEmpty() ? null : String.join("; ", notes));
  }

  /**
   * Each category's service area at its own level's minutes (service_areas community rows: one
   * polygon per community, so areas do not pile up), simplified to about a pixel of the map.
   */
  private static List<SvgMap.ServiceArea> serviceAreas(
      StageTables tables, Map<String, Integer> levels, WKBReader wkb, List<SvgMap.Area> bounds) {
    List<SvgMap.ServiceArea> out = new ArrayList<>();
    if (!tables.exists(Tables.SERVICE_AREAS)) {
      return out;
    }
    Envelope env = new Envelope();
    bounds.forEach(a -> env.expandToInclude(a.geometry().getEnvelopeInternal()));
    double pixel = env.isNull() ? 1 : Math.max(env.getWidth(), env.getHeight()) / 1000;
    // Only each category's own minutes leave the executors (a third of the community rows).
    Column ownLevel = lit(false);
    for (Map.Entry<String, Integer> e : levels.entrySet()) {
      ownLevel =
          ownLevel.or(
              col("category").equalTo(e.getKey()).and(col("minutes").equalTo(e.getValue())));
    }
    for (Row r :
        tables
            .snapshot(Tables.SERVICE_AREAS)
            .where(col("level").equalTo("community").and(col("geometry").isNotNull()).and(ownLevel))
            .select("category", "geometry")
            .collectAsList()) {
      out.add(
          new SvgMap.ServiceArea(
              r.getString(0), DouglasPeuckerSimplifier.simplify(read(wkb, r, 1), pixel)));
    }
    return out;
  }

  /**
   * Per home, one character per category in {@code categories} order: '1' covered, '0' not (a
   * category without a row for the home, e.g. one the catalog gained since, reads '0').
   */
  private static Map<String, String> homeFlags(Dataset<Row> access, List<String> categories) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < categories.size(); i++) {
      index.put(categories.get(i), i);
    }
    Map<String, String> flags = new HashMap<>();
    for (Row r :
        access
            .groupBy("building_id")
            .agg(collect_list(struct(col("category"), col("covered"))))
            .collectAsList()) {
      char[] c = "0".repeat(categories.size()).toCharArray();
      for (Row cr : r.<Row>getList(1)) {
        Integer i = index.get(cr.getString(0));
        if (i != null && cr.getBoolean(1)) {
          c[i] = '1';
        }
      }
      flags.put(r.getString(0), new String(c));
    }
    return flags;
  }

  /**
   * The rows, or every k-th by id hash when there are more than {@code max}; noted when sampled.
   */
  private static Dataset<Row> sample(
      StageTables tables, String table, String id, int max, String what, List<String> notes) {
    return onEvery(tables.snapshot(table), id, every(tables.rows(table), max, what, notes));
  }

  private static long every(long n, int max, String what, List<String> notes) {
    long k = Math.max(1, (n + max - 1) / max);
    if (k > 1) {
      notes.add(String.format("%s: 1 in %d drawn 抽样显示", what, k));
    }
    return k;
  }

  private static Dataset<Row> onEvery(Dataset<Row> rows, String id, long k) {
    return k <= 1 ? rows : rows.where(pmod(hash(col(id)), lit(k)).equalTo(0));
  }

  private static Geometry read(WKBReader wkb, Row r, int i) {
    try {
      return wkb.read((byte[]) r.get(i));
    } catch (ParseException e) {
      throw PipelineException.cannot(
          "draw", "report map", "a table holds invalid WKB", e.getMessage(), e);
    }
  }
}
