package org.lifecircle.network;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.ExpandingRows;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;

/**
 * Service areas (服务范围): for every facility and for 5, 10 and 15 minutes of walking at the speed of
 * its category's walker, the polygon of the walk network reachable within that time ({@link
 * ReachedNetwork}: reached edge pieces widened by {@code limits.service_area_buffer_m} on a grid,
 * {@link ServiceAreaRaster}); and, per community, category and minutes, the part of the community
 * inside the union of those polygons, with its share of the community's area ({@link
 * CommunityServiceAreas}). Needs a walk network: a city without one gets no rows (and a headline
 * saying so), since a straight-line disc is not a service area.
 *
 * <p>Off unless the city config sets {@code limits.service_areas: true}; with it off, the table
 * gets no rows. Costs are in docs/BENCHMARKS.md ("Service areas on a grid").
 *
 * <p>Facilities farther than {@code limits.max_snap_m} from every main edge keep their rows with
 * {@code snapped} false and no polygon (counted in the metrics), so every facility is accounted
 * for. Community rows exist for every community, category and minutes; a community no area reaches
 * has a null polygon and share 0.
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

  /** A facility row: the table's columns and its cells on the city grid, for the unions. */
  private static final StructType FACILITY_ROW = AREA_ROW.add("cells", "binary");

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
    ServiceAreaRaster.CityGrid city = cityGrid(network.graph().value(), network.maxSnapM(), buffer);
    Dataset<Row> byFacility =
        facilityAreas(tables.input(Tables.FACILITIES), catalog, network, buffer, city)
            .persist(StorageLevel.MEMORY_AND_DISK());
    // Counted first, so the cache is filled before the community rows read it: one search and
    // grid per facility, not one per branch of the write.
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
    CommunityServiceAreas.Drawn drawn =
        CommunityServiceAreas.of(spark, byFacility, communities, catalog, city);
    long written =
        tables.replaceSnapshot(
            Tables.SERVICE_AREAS, byFacility.drop("cells").unionByName(drawn.rows()));
    drawn.release();
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
   * One row per facility and minutes: its polygon (WKB, metric CRS) and area, and its cells on
   * {@code city}'s grid (a serialized bitmap), null when the facility is not within the snap limit
   * of a main edge. Pure: no writes.
   */
  static Dataset<Row> facilityAreas(
      Dataset<Row> facilities,
      FacilityCatalog catalog,
      WalkNetwork network,
      double buffer,
      ServiceAreaRaster.CityGrid city) {
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
                it -> new AreaRows(graph.value(), walks, maxSnap, buffer, city, it),
            Encoders.row(FACILITY_ROW));
  }

  /** The grid the city's service areas are drawn on: the network's extent and a walk's reach. */
  static ServiceAreaRaster.CityGrid cityGrid(WalkGraph graph, double maxSnapM, double buffer) {
    Envelope extent = graph.extent();
    // A facility's connector reaches up to the snap limit off the network; the cells up to the
    // buffer beyond a piece.
    extent.expandBy(maxSnapM + 2 * buffer);
    return ServiceAreaRaster.CityGrid.covering(extent, buffer);
  }

  /** A partition's facilities, each expanded to its rows for the three walks. */
  private static final class AreaRows extends ExpandingRows<Row> {
    private final ReachedNetwork reached;
    private final Map<String, FacilityCatalog.Walk> walks;
    private final double maxSnap;
    private final double buffer;
    private final ServiceAreaRaster.CityGrid city;
    private final WKBReader reader = new WKBReader();
    private final WKBWriter writer = new WKBWriter();

    AreaRows(
        WalkGraph g,
        Map<String, FacilityCatalog.Walk> walks,
        double maxSnap,
        double buffer,
        ServiceAreaRaster.CityGrid city,
        Iterator<Row> in) {
      super(in);
      this.reached = new ReachedNetwork(g, new GeometryFactory());
      this.walks = walks;
      this.maxSnap = maxSnap;
      this.buffer = buffer;
      this.city = city;
    }

    @Override
    protected void expand(Row f) {
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
      ServiceAreaRaster.Grid[] grids = reached.grids(p.x, p.y, maxSnap, budgets, buffer);
      for (int i = 0; i < MINUTES.length; i++) {
        Geometry a = grids == null ? null : reached.outline(grids[i]);
        emit(
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
                null,
                a == null ? null : CommunityServiceAreas.serialize(city.indices(grids[i]))));
      }
    }
  }
}
