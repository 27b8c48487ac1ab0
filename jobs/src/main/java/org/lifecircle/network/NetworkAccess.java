package org.lifecircle.network;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
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
 * Walking distance along the silver walk_network, for the access stage: every home's walk to every
 * category ({@link NetworkDistances}, from which the access pass fills building_access's network
 * columns and decides coverage), and the network_stats rows. The access stage writes both tables
 * once; this class reads and writes nothing itself.
 *
 * <p>Steps: (1) the driver collects the lines and builds a {@link WalkGraph} (nodes merged within
 * {@link GraphBuilder#MERGE_TOLERANCE_M}, islands by {@link GraphBuilder.IslandRule#DEFAULT}); (2)
 * facilities are snapped on the driver, buildings on the executors (broadcast graph, STR-tree built
 * once per executor), both within {@code limits.max_snap_m}; (3) one Spark task per catalog
 * category runs one bounded multi-source search ({@link NearestSearch}, cutoff = cutoff_multiple x
 * threshold) from all of the category's facilities and turns node distances into building distances
 * ({@link BuildingDistances}); (4) those come back to the driver as {@link NetworkDistances} and go
 * out by broadcast to the pass that writes building_access, which fills each home's network columns
 * from them ({@link #fill}).
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
  private static final StructType SNAP_SCHEMA =
      StructType.fromDDL(
          "idx LONG, building_id STRING, district_code STRING, edge INT, position DOUBLE, offset DOUBLE");

  /** One category's facilities: ids in facility_id order (index = tie order) and their snaps. */
  public record CategoryFacilities(
      String code, double cutoffM, String[] ids, EdgeSnapper.Snaps snaps) implements Serializable {}

  private final WalkGraph graph;
  private final List<CategoryFacilities> facilities;
  private final EdgeSnapper.Snaps buildingSnaps;
  // Released at close, with the distances the searches made from them.
  private final List<Broadcast<?>> searchInputs;
  private final Broadcast<NetworkDistances> distances;
  private final double maxSnap;

  private NetworkAccess(
      WalkGraph graph,
      List<CategoryFacilities> facilities,
      EdgeSnapper.Snaps buildingSnaps,
      List<Broadcast<?>> searchInputs,
      Broadcast<NetworkDistances> distances,
      double maxSnap) {
    this.graph = graph;
    this.facilities = facilities;
    this.buildingSnaps = buildingSnaps;
    this.searchInputs = searchInputs;
    this.distances = distances;
    this.maxSnap = maxSnap;
  }

  /**
   * Builds the graph from {@code edges} (silver walk_network rows), snaps {@code facilities} and
   * {@code homes} and runs the per-category searches. {@code homes} holds one row per
   * building_population row: (home index, building_id, origin WKB, district_code), the indexes 0 to
   * n - 1 in any order. Stops when the network has no edge left after the island rule.
   */
  public static NetworkAccess route(
      SparkSession spark,
      String cityCode,
      CityConfig.Limits limits,
      FacilityCatalog catalog,
      Dataset<Row> edges,
      Map<String, FacilityPoints> facilityPoints,
      JavaRDD<Row> homes) {
    double maxSnap = limits.maxSnapM();
    WalkGraph graph = WalkNetwork.graph(cityCode, edges);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<WalkGraph> sharedGraph = jsc.broadcast(graph);
    List<CategoryFacilities> facilities =
        snapFacilities(facilityPoints, catalog, graph, maxSnap, limits.cutoffMultiple());
    Dataset<Row> snaps =
        spark
            .createDataFrame(snapBuildings(homes, sharedGraph, maxSnap), SNAP_SCHEMA)
            .persist(StorageLevel.MEMORY_AND_DISK());
    Broadcast<EdgeSnapper.Snaps> sharedBuildings = null;
    try {
      int[] idHash;
      EdgeSnapper.Snaps buildingSnaps;
      // Persisted for the count and the collect only: the stats come from the access pass's tally.
      try {
        idHash = new int[Math.toIntExact(snaps.count())];
        buildingSnaps = collectSnaps(snaps, idHash);
      } finally {
        snaps.unpersist();
      }
      sharedBuildings = jsc.broadcast(buildingSnaps);
      List<Integer> tasks = IntStream.range(0, facilities.size()).boxed().toList();
      // Task results go through Kryo, which cannot rebuild records: the arrays travel as a tuple.
      List<Tuple2<double[], int[]>> found =
          jsc.parallelize(tasks, Math.max(1, tasks.size()))
              .map(new CategorySearch(sharedGraph, sharedBuildings, facilities))
              .collect();
      NetworkDistances distances =
          new NetworkDistances(
              facilities.stream().map(CategoryFacilities::ids).toList(),
              found.stream().map(t -> new BuildingDistances.Result(t._1(), t._2())).toList(),
              buildingSnaps,
              idHash);
      return new NetworkAccess(
          graph,
          facilities,
          buildingSnaps,
          List.of(sharedGraph, sharedBuildings),
          jsc.broadcast(distances),
          maxSnap);
    } catch (RuntimeException e) {
      // No NetworkAccess to close: release what was made before the failure, then rethrow.
      sharedGraph.destroy();
      if (sharedBuildings != null) {
        sharedBuildings.destroy();
      }
      throw e;
    }
  }

  /** Every home's walk to every category, for {@link #fill}. */
  public Broadcast<NetworkDistances> distances() {
    return distances;
  }

  /**
   * network_stats from the graph, the snaps and the access pass's {@code tally} of the rows it
   * wrote, which must have counted each of the {@code homes} once.
   */
  public NetworkStats stats(AccessTally tally, long homes) {
    return NetworkStats.compute(graph.summary(), facilities, tally, homes, maxSnap);
  }

  @Override
  public void close() {
    distances.destroy();
    searchInputs.forEach(Broadcast::destroy);
  }

  /**
   * The network columns of one building_access row, in contract order (network_distance_m,
   * network_facility_id, within_threshold_network, snapped, distance_basis, covered, walk_min) for
   * the home at {@code home} and the category at {@code category} (catalog order), whose walker
   * covers {@code thresholdM} metres in {@code thresholdMin} minutes. A pair not reached within the
   * cutoff has a null distance and is not covered.
   */
  public static Object[] fill(
      NetworkDistances d, int home, int category, double thresholdM, double thresholdMin) {
    Double walk = d.distance(category, home);
    boolean within = walk != null && walk <= thresholdM;
    return new Object[] {
      walk,
      d.facilityId(category, home),
      within,
      d.snapped(home),
      "network",
      within,
      // threshold_m / threshold_min is the walker's speed (m/min).
      walk == null ? null : walk * thresholdMin / thresholdM
    };
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
              cutoffM(c, cutoffMultiple),
              p.ids(),
              EdgeSnapper.snapAll(graph, p.xs(), p.ys(), maxSnap)));
    }
    return out;
  }

  /**
   * How far along the network a category's search goes: the catalog's metres, not the walker's
   * reach (network distances stay the same whoever walks them, and a faster walker's reach is still
   * searched), times {@code limits.cutoff_multiple}. No walk longer than this is reported.
   */
  public static double cutoffM(FacilityCatalog.Category c, double cutoffMultiple) {
    return cutoffMultiple * Math.max(c.thresholdM(), c.reachM());
  }

  private static JavaRDD<Row> snapBuildings(
      JavaRDD<Row> homes, Broadcast<WalkGraph> graph, double maxSnap) {
    return homes.mapPartitions(
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
              Row h = it.next();
              Coordinate o =
                  read(reader, (byte[]) h.get(2), Tables.BUILDING_POPULATION, h.getString(1))
                      .getCoordinate();
              EdgeSnapper.Snap s = EdgeSnapper.snap(g, o.x, o.y, maxSnap);
              return RowFactory.create(
                  h.getLong(0),
                  h.getString(1),
                  h.getString(3),
                  s == null ? -1 : s.edge(),
                  s == null ? 0.0 : s.position(),
                  s == null ? 0.0 : s.offset());
            }
          };
        });
  }

  /** The snaps by home index; {@code idHash} gets each home's building_id hash. */
  private static EdgeSnapper.Snaps collectSnaps(Dataset<Row> snaps, int[] idHash) {
    EdgeSnapper.Snaps out = new EdgeSnapper.Snaps(idHash.length);
    Iterator<Row> it =
        snaps.select("idx", "edge", "position", "offset", "building_id").toLocalIterator();
    while (it.hasNext()) {
      Row r = it.next();
      int i = Math.toIntExact(r.getLong(0));
      idHash[i] = r.getString(4).hashCode();
      out.set(
          i,
          r.getInt(1) < 0
              ? null
              : new EdgeSnapper.Snap(r.getInt(1), r.getDouble(2), r.getDouble(3)));
    }
    return out;
  }

  /** A geometry of {@code table}'s row {@code id}, or one clear error naming both. */
  public static Geometry read(WKBReader reader, byte[] wkb, String table, String id) {
    try {
      return reader.read(wkb);
    } catch (ParseException e) {
      throw PipelineException.cannot("read", "table " + table, "invalid WKB", id, e);
    }
  }

  /**
   * One category per task: the search and the building distances. The facilities (small) travel in
   * the closure, which Spark serializes with Java serialization; broadcasts and RDD elements go
   * through Kryo, which cannot rebuild records.
   */
  static final class CategorySearch implements Function<Integer, Tuple2<double[], int[]>> {
    private final Broadcast<WalkGraph> graph;
    private final Broadcast<EdgeSnapper.Snaps> buildings;
    private final List<CategoryFacilities> facilities;

    CategorySearch(
        Broadcast<WalkGraph> graph,
        Broadcast<EdgeSnapper.Snaps> buildings,
        List<CategoryFacilities> facilities) {
      this.graph = graph;
      this.buildings = buildings;
      this.facilities = new ArrayList<>(facilities);
    }

    @Override
    public Tuple2<double[], int[]> call(Integer category) {
      CategoryFacilities f = facilities.get(category);
      BuildingDistances.Result r =
          BuildingDistances.forCategory(graph.value(), buildings.value(), f.snaps(), f.cutoffM());
      return new Tuple2<>(r.distance(), r.facility());
    }
  }
}
