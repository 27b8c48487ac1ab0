package org.lifecircle.network;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.PipelineException;
import org.lifecircle.io.Tables;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import scala.Tuple2;

/**
 * Walking distance along the silver walk_network, for the access stage: building_access rows with
 * the network columns filled and coverage decided on network distance, and the network_stats rows.
 * The access stage writes both tables once; this class reads and writes nothing itself.
 *
 * <p>Steps: (1) the driver collects the lines and builds a {@link WalkGraph} (nodes merged within
 * {@link GraphBuilder#MERGE_TOLERANCE_M}, islands by {@link GraphBuilder.IslandRule#DEFAULT}); (2)
 * facilities are snapped on the driver, buildings on the executors (broadcast graph, STR-tree built
 * once per executor), both within {@code limits.max_snap_m}; (3) one Spark task per catalog
 * category runs one bounded multi-source search ({@link NearestSearch}, cutoff = cutoff_multiple x
 * threshold) from all of the category's facilities and turns node distances into building distances
 * ({@link BuildingDistances}); (4) the rows join onto the straight-line rows.
 *
 * <p>Why one task per category with the whole graph broadcast: the search is a sequential heap loop
 * over one connected graph, and one graph fits one task up to megacity scale (2 M edges is about 50
 * MB of CSR arrays, about 170 MB with endpoints and snapping geometry; each search needs about 20
 * bytes per node, and the building snaps 20 bytes per building). A city has about 20 categories, so
 * there are about 20 independent tasks, enough for a small cluster, with no shuffle of the graph.
 * For a graph that no longer fits one executor, the alternative is spatial tiles, each carrying a
 * halo as wide as the largest cutoff (2 km at the default 2 x 1000 m), searched independently per
 * tile and category, keeping only the results for the tile's own buildings; the halo makes every
 * path within the cutoff local.
 *
 * <p>Library choice: the search is our own array code (binary heap on primitive arrays) rather than
 * JGraphT because DijkstraBenchmark (src/test/java, run by hand) measured JGraphT's
 * ClosestFirstIterator ({@link JGraphTSearch}, same results) at 7.7x the time on a 2 M-edge grid,
 * above the 3x bar (see {@link NearestSearch}). Tests check the two agree.
 */
public final class NetworkAccess implements AutoCloseable {
  private static final List<String> NETWORK_COLUMNS =
      List.of(
          "network_distance_m",
          "network_facility_id",
          "within_threshold_network",
          "snapped",
          "distance_basis",
          "covered",
          "walk_min");
  private static final StructType SNAP_SCHEMA =
      StructType.fromDDL(
          "idx LONG, building_id STRING, district_code STRING, edge INT, position DOUBLE, offset DOUBLE");
  private static final StructType NET_SCHEMA =
      StructType.fromDDL(
          "idx LONG, category STRING, network_distance_m DOUBLE, network_facility_id STRING");

  /** One category's facilities: ids in facility_id order (index = tie order) and their snaps. */
  public record CategoryFacilities(
      String code, double cutoffM, String[] ids, EdgeSnapper.Snaps snaps) implements Serializable {}

  private final WalkGraph graph;
  private final List<CategoryFacilities> facilities;
  private final Dataset<Row> snaps;
  private final EdgeSnapper.Snaps buildingSnaps;
  private final Dataset<Row> byBuilding;
  private final double maxSnap;

  private NetworkAccess(
      WalkGraph graph,
      List<CategoryFacilities> facilities,
      Dataset<Row> snaps,
      EdgeSnapper.Snaps buildingSnaps,
      Dataset<Row> byBuilding,
      double maxSnap) {
    this.graph = graph;
    this.facilities = facilities;
    this.snaps = snaps;
    this.buildingSnaps = buildingSnaps;
    this.byBuilding = byBuilding;
    this.maxSnap = maxSnap;
  }

  /**
   * Builds the graph from {@code edges} (silver walk_network rows), snaps {@code facilities} and
   * {@code homes} (building_population rows) and plans the per-category searches. Stops when the
   * network has no edge left after the island rule.
   */
  public static NetworkAccess route(
      SparkSession spark,
      String cityCode,
      CityConfig.Limits limits,
      FacilityCatalog catalog,
      Dataset<Row> edges,
      Map<String, FacilityPoints> facilityPoints,
      Dataset<Row> homes) {
    double maxSnap = limits.maxSnapM();
    WalkGraph graph = WalkNetwork.graph(cityCode, edges);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<WalkGraph> sharedGraph = jsc.broadcast(graph);
    List<CategoryFacilities> facilities =
        snapFacilities(facilityPoints, catalog, graph, maxSnap, limits.cutoffMultiple());
    Dataset<Row> snaps =
        spark
            .createDataFrame(
                snapBuildings(
                    homes.select("building_id", "origin", "district_code"), sharedGraph, maxSnap),
                SNAP_SCHEMA)
            .persist(StorageLevel.MEMORY_AND_DISK());
    EdgeSnapper.Snaps buildingSnaps = collectSnaps(snaps);
    Broadcast<EdgeSnapper.Snaps> sharedBuildings = jsc.broadcast(buildingSnaps);

    List<Integer> tasks = IntStream.range(0, facilities.size()).boxed().toList();
    JavaRDD<Row> netRows =
        jsc.parallelize(tasks, Math.max(1, tasks.size()))
            .flatMap(new CategoryRows(sharedGraph, sharedBuildings, facilities));
    Dataset<Row> byBuilding =
        spark
            .createDataFrame(netRows, NET_SCHEMA)
            .join(snaps.select("idx", "building_id"), "idx")
            .drop("idx");
    return new NetworkAccess(graph, facilities, snaps, buildingSnaps, byBuilding, maxSnap);
  }

  /** {@code straightLine} (building_access rows) with the network columns filled. */
  public Dataset<Row> withNetwork(Dataset<Row> straightLine) {
    return withNetwork(
        straightLine,
        byBuilding,
        snaps.select(col("building_id"), col("edge").geq(0).as("snapped")));
  }

  /** network_stats from the graph, the snaps and {@code written} (building_access as written). */
  public NetworkStats stats(SparkSession spark, Dataset<Row> written) {
    return NetworkStats.compute(
        spark, graph.summary(), buildingSnaps, facilities, snaps, written, maxSnap);
  }

  @Override
  public void close() {
    snaps.unpersist();
  }

  /**
   * building_access with the network columns replaced: {@code byBuilding} holds (building_id,
   * category, network_distance_m, network_facility_id) for reached pairs, {@code snapped} holds
   * (building_id, snapped). Unreached pairs get null distance and are not covered.
   */
  public static Dataset<Row> withNetwork(
      Dataset<Row> access, Dataset<Row> byBuilding, Dataset<Row> snapped) {
    Dataset<Row> base = access;
    for (String c : NETWORK_COLUMNS) {
      base = base.drop(c);
    }
    return base.join(byBuilding, new String[] {"building_id", "category"}, "left")
        .join(snapped, "building_id", "left")
        .withColumn(
            "within_threshold_network",
            col("network_distance_m")
                .isNotNull()
                .and(col("network_distance_m").leq(col("threshold_m"))))
        .withColumn("distance_basis", lit("network"))
        .withColumn("covered", col("within_threshold_network"))
        // threshold_m / threshold_min is the walker's speed (m/min).
        .withColumn(
            "walk_min",
            col("network_distance_m").multiply(col("threshold_min")).divide(col("threshold_m")));
  }

  /** The walk network's lines, from silver walk_network rows. */
  public static List<GraphBuilder.Way> readWays(Dataset<Row> edges) {
    WKBReader reader = new WKBReader();
    List<GraphBuilder.Way> ways = new ArrayList<>();
    Iterator<Row> it =
        edges.select("edge_id", "from_node", "to_node", "geometry").toLocalIterator();
    while (it.hasNext()) {
      Row r = it.next();
      Geometry geom = read(reader, (byte[]) r.get(3), Tables.WALK_NETWORK, r.getString(0));
      if (!(geom instanceof LineString line)) {
        throw PipelineException.cannot(
            "route", "walk network", "edge is not a LineString", r.getString(0));
      }
      Coordinate[] cs = line.getCoordinates();
      double[] xy = new double[cs.length * 2];
      for (int i = 0; i < cs.length; i++) {
        xy[2 * i] = cs[i].x;
        xy[2 * i + 1] = cs[i].y;
      }
      ways.add(new GraphBuilder.Way(r.getString(0), r.getString(1), r.getString(2), xy));
    }
    return ways;
  }

  /** Facilities per catalog category in facility_id order, snapped on the driver. */
  static List<CategoryFacilities> snapFacilities(
      Map<String, FacilityPoints> points,
      FacilityCatalog catalog,
      WalkGraph graph,
      double maxSnap,
      double cutoffMultiple) {
    List<CategoryFacilities> out = new ArrayList<>();
    for (FacilityCatalog.Category c : catalog.categories()) {
      FacilityPoints p = points.get(c.code());
      out.add(
          new CategoryFacilities(
              c.code(),
              // The catalog's metres, not the walker's reach: network distances stay the same
              // whoever walks them, and a faster walker's reach is still searched.
              cutoffMultiple * Math.max(c.thresholdM(), c.reachM()),
              p.ids(),
              EdgeSnapper.snapAll(graph, p.xs(), p.ys(), maxSnap)));
    }
    return out;
  }

  private static JavaRDD<Row> snapBuildings(
      Dataset<Row> homes, Broadcast<WalkGraph> graph, double maxSnap) {
    return homes
        .javaRDD()
        .zipWithIndex()
        .mapPartitions(
            it -> {
              WalkGraph g = graph.value();
              WKBReader reader = new WKBReader();
              return new Iterator<Row>() {
                @Override
                public boolean hasNext() {
                  return it.hasNext();
                }

                @Override
                public Row next() {
                  Tuple2<Row, Long> t = it.next();
                  Row h = t._1();
                  Coordinate o =
                      read(reader, (byte[]) h.get(1), Tables.BUILDING_POPULATION, h.getString(0))
                          .getCoordinate();
                  EdgeSnapper.Snap s = EdgeSnapper.snap(g, o.x, o.y, maxSnap);
                  return RowFactory.create(
                      t._2(),
                      h.getString(0),
                      h.getString(2),
                      s == null ? -1 : s.edge(),
                      s == null ? 0.0 : s.position(),
                      s == null ? 0.0 : s.offset());
                }
              };
            });
  }

  private static EdgeSnapper.Snaps collectSnaps(Dataset<Row> snaps) {
    EdgeSnapper.Snaps out = new EdgeSnapper.Snaps(Math.toIntExact(snaps.count()));
    Iterator<Row> it = snaps.select("idx", "edge", "position", "offset").toLocalIterator();
    while (it.hasNext()) {
      Row r = it.next();
      int i = Math.toIntExact(r.getLong(0));
      out.set(
          i,
          r.getInt(1) < 0
              ? null
              : new EdgeSnapper.Snap(r.getInt(1), r.getDouble(2), r.getDouble(3)));
    }
    return out;
  }

  private static Geometry read(WKBReader reader, byte[] wkb, String table, String id) {
    try {
      return reader.read(wkb);
    } catch (ParseException e) {
      throw PipelineException.cannot("read", "table " + table, "invalid WKB", id, e);
    }
  }

  /**
   * One category per task: search, building distances, then one row per reached building. The
   * facilities (small) travel in the closure, which Spark serializes with Java serialization;
   * broadcasts and RDD elements go through Kryo, which cannot rebuild records.
   */
  static final class CategoryRows implements FlatMapFunction<Integer, Row> {
    private final Broadcast<WalkGraph> graph;
    private final Broadcast<EdgeSnapper.Snaps> buildings;
    private final List<CategoryFacilities> facilities;

    CategoryRows(
        Broadcast<WalkGraph> graph,
        Broadcast<EdgeSnapper.Snaps> buildings,
        List<CategoryFacilities> facilities) {
      this.graph = graph;
      this.buildings = buildings;
      this.facilities = new ArrayList<>(facilities);
    }

    @Override
    public Iterator<Row> call(Integer category) {
      CategoryFacilities f = facilities.get(category);
      BuildingDistances.Result r =
          BuildingDistances.forCategory(graph.value(), buildings.value(), f.snaps(), f.cutoffM());
      return new Iterator<>() {
        private int i = advance(0);

        private int advance(int from) {
          int k = from;
          while (k < r.facility().length && !r.reached(k)) {
            k++;
          }
          return k;
        }

        @Override
        public boolean hasNext() {
          return i < r.facility().length;
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          Row row =
              RowFactory.create((long) i, f.code(), r.distance()[i], f.ids()[r.facility()[i]]);
          i = advance(i + 1);
          return row;
        }
      };
    }
  }
}
