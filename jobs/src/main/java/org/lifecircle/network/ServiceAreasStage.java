package org.lifecircle.network;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;

/**
 * Service areas (服务范围): for every facility and for 5, 10 and 15 minutes of walking at the speed of
 * its category's walker, the polygon of the walk network reachable within that time ({@link
 * ReachedNetwork}: reached edge pieces, buffered by {@code limits.service_area_buffer_m}); and, per
 * community, category and minutes, the part of the community inside the union of those polygons,
 * with its share of the community's area. Needs a walk network: a city without one gets no rows
 * (and a headline saying so), since a straight-line disc is not a service area.
 *
 * <p>Off unless the city config sets {@code limits.service_areas: true}: a search and a buffer per
 * facility and walk costs 12 s on the demo's 843 facilities (2 cores), and more than 10 minutes on
 * the Helsinki extract's 176 facilities on OpenStreetMap's dense footways, where a 15-minute
 * polygon is thousands of edge pieces (docs/BENCHMARKS.md). With it off, the table gets no rows.
 *
 * <p>Facilities farther than {@code limits.max_snap_m} from every main edge keep their rows with
 * {@code snapped} false and no polygon (counted in the metrics), so every facility is accounted
 * for. Community rows exist for every community, category and minutes; a community no area reaches
 * has a null polygon and share 0. The community rows come from a Sedona spatial join
 * (ST_Intersects) of facility polygons with community boundaries, each polygon clipped to the
 * community, then Sedona's ST_Union over the collected pieces in facility_id order (its
 * ST_Union_Aggr, in Sedona 1.8.0, fails when its buffer is merged after a spill:
 * ClassCastException, Stream to ListBuffer).
 */
public final class ServiceAreasStage implements Stage {
  public static final String NAME = "service-areas";

  /** The life circle's three walks, in minutes. */
  public static final int[] MINUTES = {5, 10, 15};

  private static final StructType AREA_ROW =
      StructType.fromDDL(
          "level STRING, category STRING, minutes INT, facility_id STRING, community_code STRING,"
              + " walker STRING, reach_m DOUBLE, geometry BINARY, area_m2 DOUBLE,"
              + " snapped BOOLEAN, community_share DOUBLE, facilities_reaching LONG");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Doors doors() {
    return Doors.reads(Tables.FACILITIES, Tables.WALK_NETWORK, Tables.ADMIN_AREAS)
        .writes(Tables.SERVICE_AREAS);
  }

  @Override
  public StageResult run(SparkSession spark, RunContext ctx, StageTables tables) {
    FacilityCatalog catalog = ctx.catalogs().facilities();
    Map<String, Object> metrics = new LinkedHashMap<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    if (!ctx.city().limits().serviceAreas() || !ctx.city().has(Tables.WALK_NETWORK)) {
      long written =
          tables.replaceSnapshot(Tables.SERVICE_AREAS, spark.createDataFrame(List.of(), AREA_ROW));
      counts.put(Tables.SERVICE_AREAS, written);
      return new StageResult(
          0,
          written,
          0,
          counts,
          List.of(),
          metrics,
          List.of(
              ctx.city().limits().serviceAreas()
                  ? "No walk network: no service areas (a straight-line disc is not one)."
                  : "Service areas are off (limits.service_areas: true turns them on)."));
    }
    WalkNetwork network = WalkNetwork.ofCity(spark, ctx, tables);
    double buffer = ctx.city().limits().serviceAreaBufferM();
    Dataset<Row> byFacility =
        facilityAreas(tables.input(Tables.FACILITIES), catalog, network, buffer)
            .persist(StorageLevel.MEMORY_AND_DISK());
    // Counted first, so the cache is filled before the community rows read it: one search and
    // buffer per facility, not one per branch of the write.
    Row c =
        byFacility
            .where(col("minutes").equalTo(MINUTES[0]))
            .agg(count(lit(1)), count(expr("CASE WHEN snapped THEN 1 END")))
            .first();
    long in = c.getLong(0);
    long unsnapped = in - c.getLong(1);
    Dataset<Row> communities =
        tables
            .input(Tables.ADMIN_AREAS)
            .where(col("level").equalTo("community"))
            .select(col("area_code"), col("geometry"));
    Dataset<Row> rows =
        byFacility.unionByName(communityAreas(spark, byFacility, communities, catalog));
    long written = tables.replaceSnapshot(Tables.SERVICE_AREAS, rows);
    byFacility.unpersist();
    metrics.put("facility_count", in);
    metrics.put("facilities_unsnapped", unsnapped);
    metrics.put("buffer_m", buffer);
    counts.put(Tables.SERVICE_AREAS, written);
    List<String> headlines =
        List.of(
            String.format(
                "Service areas of %,d facilities at 5/10/15 minutes (%,d not on the network: no"
                    + " polygon).",
                in, unsnapped));
    return new StageResult(in, written, 0, counts, List.of(), metrics, headlines);
  }

  /**
   * One row per facility and minutes: its polygon (WKB, metric CRS) and area, null when the
   * facility is not within the snap limit of a main edge. Pure: no writes.
   */
  public static Dataset<Row> facilityAreas(
      Dataset<Row> facilities, FacilityCatalog catalog, WalkNetwork network, double buffer) {
    Map<String, FacilityCatalog.Walk> walks = new LinkedHashMap<>();
    for (FacilityCatalog.Category c : catalog.categories()) {
      walks.put(c.code(), c.walk());
    }
    Broadcast<WalkGraph> graph = network.graph();
    double maxSnap = network.maxSnapM();
    // A search and a buffer per facility is CPU work: spread it over every core (the silver table
    // of a small city is one file, one partition).
    int parallelism = facilities.sparkSession().sparkContext().defaultParallelism();
    return facilities
        .select("facility_id", "category", "geometry")
        .repartition(Math.max(parallelism, facilities.rdd().getNumPartitions()))
        .mapPartitions(
            (MapPartitionsFunction<Row, Row>)
                it -> new AreaRows(graph.value(), walks, maxSnap, buffer, it),
            Encoders.row(AREA_ROW));
  }

  /**
   * Per community, category and minutes: the community's part inside the union of the category's
   * facility polygons at those minutes, its area and share of the community, and how many
   * facilities' areas reach it. Every community, category and minutes has a row.
   */
  public static Dataset<Row> communityAreas(
      SparkSession spark,
      Dataset<Row> byFacility,
      Dataset<Row> communities,
      FacilityCatalog catalog) {
    Dataset<Row> areas =
        byFacility
            .where(col("geometry").isNotNull())
            .select(
                col("category").as("a_category"),
                col("minutes").as("a_minutes"),
                col("facility_id").as("a_facility"),
                expr("ST_GeomFromWKB(geometry)").as("a_geom"));
    Dataset<Row> bounds =
        communities.select(
            col("area_code").as("community_code"), expr("ST_GeomFromWKB(geometry)").as("c_geom"));
    // Each facility's area clipped to every community it touches, then unioned per community: on
    // the demo the stage took 8 s so, against 35 s with one union per category and minutes over
    // the whole city (JTS's cascaded union of all 15-minute areas) clipped afterwards.
    Dataset<Row> served =
        bounds
            .join(areas, expr("ST_Intersects(c_geom, a_geom)"))
            .withColumn("a_geom", expr("ST_Intersection(c_geom, a_geom)"))
            .groupBy(col("community_code"), col("a_category"), col("a_minutes"))
            .agg(
                // In facility_id order (WKB sorts, geometries do not): a union's vertices depend
                // on the order of its inputs, and a cluster run must write what a local run does.
                expr("ST_Union(transform(array_sort(collect_list(struct(a_facility,"
                        + " ST_AsBinary(a_geom) AS wkb))), p -> ST_GeomFromWKB(p.wkb)))")
                    .as("u"),
                count(lit(1)).as("facilities_reaching"))
            .select(
                col("community_code").as("s_community"),
                col("a_category").as("s_category"),
                col("a_minutes").as("s_minutes"),
                col("facilities_reaching"),
                // Polygons only: an area that merely touches the community meets it in a line.
                expr("ST_CollectionExtract(u, 3)").as("s_geom"));
    // Every community times every category and minutes, exploded from literals (no join), so a
    // community nothing reaches still has its row.
    List<Column> walks = new ArrayList<>();
    for (FacilityCatalog.Category c : catalog.categories()) {
      for (int m : MINUTES) {
        walks.add(
            struct(
                lit(c.code()).as("category"),
                lit(m).as("minutes"),
                lit(c.walkerCode()).as("walker"),
                lit(m * c.walkSpeedMPerMin()).as("reach_m")));
      }
    }
    Dataset<Row> grid =
        bounds
            .withColumn("w", explode(array(walks.toArray(new Column[0]))))
            .select(col("community_code"), col("c_geom"), col("w.*"));
    return grid.join(
            served,
            col("community_code")
                .equalTo(col("s_community"))
                .and(col("category").equalTo(col("s_category")))
                .and(col("minutes").equalTo(col("s_minutes"))),
            "left")
        .select(
            lit("community").as("level"),
            col("category"),
            col("minutes"),
            lit(null).cast("string").as("facility_id"),
            col("community_code"),
            col("walker"),
            col("reach_m"),
            expr("CASE WHEN s_geom IS NULL OR ST_IsEmpty(s_geom) THEN NULL"
                    + " ELSE ST_AsBinary(s_geom) END")
                .as("geometry"),
            expr("coalesce(ST_Area(s_geom), 0.0)").as("area_m2"),
            lit(null).cast("boolean").as("snapped"),
            expr("coalesce(ST_Area(s_geom), 0.0) / ST_Area(c_geom)").as("community_share"),
            expr("coalesce(facilities_reaching, 0)").as("facilities_reaching"));
  }

  /** A partition's facilities, each expanded to its rows for the three walks. */
  private static final class AreaRows implements Iterator<Row> {
    private final ReachedNetwork reached;
    private final Map<String, FacilityCatalog.Walk> walks;
    private final double maxSnap;
    private final double buffer;
    private final Iterator<Row> in;
    private final WKBReader reader = new WKBReader();
    private final WKBWriter writer = new WKBWriter();
    private final List<Row> pending = new ArrayList<>();
    private int next;

    AreaRows(
        WalkGraph g,
        Map<String, FacilityCatalog.Walk> walks,
        double maxSnap,
        double buffer,
        Iterator<Row> in) {
      this.reached = new ReachedNetwork(g, new GeometryFactory());
      this.walks = walks;
      this.maxSnap = maxSnap;
      this.buffer = buffer;
      this.in = in;
    }

    @Override
    public boolean hasNext() {
      while (next == pending.size() && in.hasNext()) {
        pending.clear();
        next = 0;
        expand(in.next());
      }
      return next < pending.size();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return pending.get(next++);
    }

    private void expand(Row f) {
      String id = f.getString(0);
      String category = f.getString(1);
      FacilityCatalog.Walk w = walks.get(category);
      Coordinate p;
      try {
        p = reader.read((byte[]) f.get(2)).getCoordinate();
      } catch (ParseException e) {
        throw PipelineException.cannot(
            "read", "table " + Tables.FACILITIES, "invalid WKB for facility", id, e);
      }
      double[] budgets = new double[MINUTES.length];
      for (int i = 0; i < MINUTES.length; i++) {
        budgets[i] = MINUTES[i] * w.mPerMin();
      }
      Geometry[] areas = reached.areas(p.x, p.y, maxSnap, budgets, buffer);
      for (int i = 0; i < MINUTES.length; i++) {
        Geometry a = areas[i];
        pending.add(
            RowFactory.create(
                "facility",
                category,
                MINUTES[i],
                id,
                null,
                w.walker(),
                budgets[i],
                a == null ? null : writer.write(a),
                a == null ? null : a.getArea(),
                a != null,
                null,
                null));
      }
    }
  }
}
