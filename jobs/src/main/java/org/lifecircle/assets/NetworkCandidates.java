package org.lifecircle.assets;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.struct;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.common.PipelineException;
import org.lifecircle.network.WalkGraph;
import org.lifecircle.network.WalkNetwork;
import org.lifecircle.network.WalkTargets;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;

/**
 * The candidate pairs of homes on the 'network' basis, without a join: the uncovered homes of every
 * gap category are snapped once on the driver and broadcast as {@link WalkTargets}; each candidate
 * asset runs one bounded search out to the largest threshold of the categories it can host, and the
 * homes on the edges it reached are its pairs when the walk (and the straight line) is within the
 * category's threshold. Gains are summed in the same task, so only (category, asset, gain) rows
 * leave it; the pairs themselves are walked again only for the assets the plan asks for.
 *
 * <p>The same pairs as the straight-line distance join followed by one walk per source (identical
 * gap_fill_candidates at SF 0.1 and SF 1; CandidatePairsOracleTest checks pairs, gains and plans
 * against JGraphT), which this replaced on the network basis: at scale factor 0.1 that join and the
 * shuffle of its pairs to the walk were 52 s of the stage's 98 s (docs/BENCHMARKS.md, session 13).
 */
final class NetworkCandidates implements AutoCloseable {
  private final List<String> codes;
  private final String[] buildingIds;
  private final WalkNetwork network;
  private final Broadcast<WalkTargets> targets;
  private final Dataset<Row> sources;

  private NetworkCandidates(
      List<String> codes,
      String[] buildingIds,
      WalkNetwork network,
      Broadcast<WalkTargets> targets,
      Dataset<Row> sources) {
    this.codes = codes;
    this.buildingIds = buildingIds;
    this.network = network;
    this.targets = targets;
    this.sources = sources;
  }

  /**
   * {@code assets}: asset_id, location (WKB point); {@code candidates}: c_asset, c_category,
   * c_threshold; {@code uncovered}: building_access rows on the network basis (building_id,
   * category, origin, target_residents), of any categories: those in {@code categories} are kept.
   */
  static NetworkCandidates of(
      Dataset<Row> assets,
      Dataset<Row> candidates,
      Dataset<Row> uncovered,
      List<String> categories,
      WalkNetwork network) {
    SparkSession spark = assets.sparkSession();
    List<String> ids = new ArrayList<>();
    WalkTargets t = targets(uncovered, categories, network, ids);
    Dataset<Row> sources =
        assets
            .join(
                candidates.where(col("c_category").isin(categories.toArray())),
                col("asset_id").equalTo(col("c_asset")))
            .withColumn("group", WalkTargets.group(categories, col("c_category")))
            .groupBy("asset_id")
            .agg(
                first("location").as("location"),
                collect_list(struct(col("group"), col("c_threshold"))).as("radii"))
            // A few tasks per core: searches differ in size, and each task holds one workspace.
            .repartition(4 * spark.sparkContext().defaultParallelism())
            .persist(StorageLevel.MEMORY_AND_DISK());
    return new NetworkCandidates(
        categories,
        ids.toArray(String[]::new),
        network,
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(t),
        sources);
  }

  /**
   * The uncovered homes of {@code categories}, one target per building (its entries: category index
   * and target residents; {@link WalkTargets#collect}); their building ids, by target, into {@code
   * ids}.
   */
  private static WalkTargets targets(
      Dataset<Row> uncovered, List<String> categories, WalkNetwork network, List<String> ids) {
    List<Row> homes = new ArrayList<>();
    WalkTargets t =
        WalkTargets.collect(
            uncovered
                .where(col("category").isin(categories.toArray()))
                .select(
                    col("building_id"),
                    col("origin"),
                    WalkTargets.group(categories, col("category")).as("group"),
                    col("target_residents")),
            network,
            homes);
    homes.forEach(h -> ids.add(h.getString(0)));
    return t;
  }

  /** Per category, every asset that covers some home and the target residents it covers. */
  Map<String, Map<String, Long>> gains() {
    Map<String, Map<String, Long>> out = new HashMap<>();
    for (Row r : walk(sources, false).collectAsList()) {
      out.computeIfAbsent(r.getString(0), c -> new HashMap<>()).put(r.getString(1), r.getLong(2));
    }
    return out;
  }

  /** The pairs of the given assets per category: what {@code wanted} asks for, no more. */
  List<GapFillPlan.Pair> pairs(String category, Set<String> wanted) {
    Map<String, List<GapFillPlan.Pair>> out = pairs(Map.of(category, wanted)).get(category);
    List<GapFillPlan.Pair> flat = new ArrayList<>();
    if (out != null) {
      out.values().forEach(flat::addAll);
    }
    return flat;
  }

  /** Per category and asset, the pairs of the assets {@code wanted} lists per category. */
  Map<String, Map<String, List<GapFillPlan.Pair>>> pairs(Map<String, Set<String>> wanted) {
    List<Row> keys = new ArrayList<>();
    wanted.forEach(
        (code, assets) -> {
          int group = codes.indexOf(code);
          if (group >= 0) {
            assets.forEach(a -> keys.add(RowFactory.create(a, group)));
          }
        });
    Map<String, Map<String, List<GapFillPlan.Pair>>> out = new HashMap<>();
    if (keys.isEmpty()) {
      return out;
    }
    Dataset<Row> keyFrame =
        sources
            .sparkSession()
            .createDataFrame(keys, new StructType().add("k_asset", "string").add("k_group", "int"));
    // Only the wanted categories of each wanted asset: one row per key, its radius alone.
    Dataset<Row> asked =
        sources
            .join(broadcast(keyFrame), col("asset_id").equalTo(col("k_asset")))
            .selectExpr("asset_id", "location", "filter(radii, r -> r.group = k_group) AS radii");
    for (Row r : walk(asked, true).collectAsList()) {
      out.computeIfAbsent(r.getString(0), c -> new HashMap<>())
          .computeIfAbsent(r.getString(1), a -> new ArrayList<>())
          .add(new GapFillPlan.Pair(r.getString(1), buildingIds[r.getInt(2)], r.getLong(3)));
    }
    return out;
  }

  private Dataset<Row> walk(Dataset<Row> from, boolean pairs) {
    StructType schema =
        pairs
            ? new StructType()
                .add("category", DataTypes.StringType, false)
                .add("asset_id", DataTypes.StringType, false)
                .add("target", DataTypes.IntegerType, false)
                .add("weight", DataTypes.LongType, false)
            : new StructType()
                .add("category", DataTypes.StringType, false)
                .add("asset_id", DataTypes.StringType, false)
                .add("gain", DataTypes.LongType, false);
    return from.mapPartitions(
        new Searches(
            network.graph(), targets, network.maxSnapM(), codes.toArray(String[]::new), pairs),
        Encoders.row(schema));
  }

  /** Releases the assets frame and the homes' index, on the executors and on the driver. */
  @Override
  public void close() {
    sources.unpersist();
    targets.destroy();
  }

  private static Coordinate point(WKBReader reader, byte[] wkb, String what) {
    try {
      return reader.read(wkb).getCoordinate();
    } catch (ParseException e) {
      throw PipelineException.cannot("walk", "candidate pairs", "invalid WKB", what, e);
    }
  }

  /**
   * One task's sources (asset_id, location, radii: (group, threshold) per category it can host):
   * one search each, then per category the gain, or each pair (category, asset_id, target, weight).
   */
  private static final class Searches implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<WalkGraph> graph;
    private final Broadcast<WalkTargets> targets;
    private final double maxSnapM;
    private final String[] codes;
    private final boolean pairs;

    Searches(
        Broadcast<WalkGraph> graph,
        Broadcast<WalkTargets> targets,
        double maxSnapM,
        String[] codes,
        boolean pairs) {
      this.graph = graph;
      this.targets = targets;
      this.maxSnapM = maxSnapM;
      this.codes = codes;
      this.pairs = pairs;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      List<Row> out = new ArrayList<>();
      if (!rows.hasNext()) {
        return out.iterator();
      }
      WalkTargets.Walker walker = new WalkTargets.Walker(graph.value(), targets.value(), maxSnapM);
      WKBReader reader = new WKBReader();
      double[] radius = new double[codes.length];
      long[] gain = new long[codes.length];
      while (rows.hasNext()) {
        Row r = rows.next();
        String asset = r.getString(0);
        Coordinate c = point(reader, (byte[]) r.get(1), "asset " + asset);
        Arrays.fill(radius, Double.NaN);
        double cutoff = 0;
        for (Object o : r.getList(2)) {
          Row g = (Row) o;
          radius[g.getInt(0)] = g.getDouble(1);
          cutoff = Math.max(cutoff, g.getDouble(1));
        }
        if (!walker.from(c.x, c.y, cutoff)) {
          continue;
        }
        if (pairs) {
          walker.within(
              radius,
              (target, group, weight, walkM) ->
                  out.add(RowFactory.create(codes[group], asset, target, weight)));
        } else {
          Arrays.fill(gain, 0);
          walker.within(radius, (target, group, weight, walkM) -> gain[group] += weight);
          for (int g = 0; g < codes.length; g++) {
            if (gain[g] > 0) {
              out.add(RowFactory.create(codes[g], asset, gain[g]));
            }
          }
        }
      }
      return out.iterator();
    }
  }
}
