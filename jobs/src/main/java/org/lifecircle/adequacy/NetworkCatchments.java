package org.lifecircle.adequacy;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.io.Tables;
import org.lifecircle.network.NetworkAccess;
import org.lifecircle.network.WalkGraph;
import org.lifecircle.network.WalkNetwork;
import org.lifecircle.network.WalkTargets;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.io.WKBReader;

/**
 * The catchment cells of facilities on the 'network' basis, without a join: every home with demand
 * is snapped once on the driver and broadcast as {@link WalkTargets} (one entry per capacity
 * category: its target residents P); each facility runs one bounded search out to its category's
 * threshold d0, and every home whose walk (and straight line) is within d0 adds w(walk) x P to the
 * facility's cell of the home's community. Only cells (facility_id, category, community_code,
 * served) leave the task: a facility reaches tens of communities, not the hundreds of thousands of
 * homes behind them.
 *
 * <p>The same pairs and distances as the straight-line distance join followed by one walk per
 * facility, which this replaced on the network basis: at scale factor 1 that join, the shuffle of
 * its 36 million pairs to the walk and their join with the demand rows were most of the stage's 131
 * s (docs/BENCHMARKS.md, session 16). WalkTargets keeps a pair when both the walk and the straight
 * line are within the radius, as the join and the walk did.
 */
final class NetworkCatchments {
  private NetworkCatchments() {}

  /**
   * {@code facilities}: facility_id, category, geometry (WKB point) of the facilities with a
   * capacity; {@code demand}: building_access rows on the network basis (building_id,
   * community_code, category, origin, target_residents). Columns out: facility_id, category,
   * community_code, served (sum of w x P over the community's homes in the facility's catchment).
   * The homes' broadcasts are added to {@code broadcasts}, to be destroyed once the cells are
   * computed.
   */
  static Dataset<Row> cells(
      Dataset<Row> facilities,
      Dataset<Row> demand,
      FacilityCatalog catalog,
      WalkNetwork network,
      List<Broadcast<?>> broadcasts) {
    SparkSession spark = facilities.sparkSession();
    List<FacilityCatalog.Category> categories = CapacityFrame.categories(catalog);
    List<String> codes = new ArrayList<>();
    double[] radius = new double[categories.size()];
    Decay[] decay = new Decay[categories.size()];
    for (int g = 0; g < categories.size(); g++) {
      codes.add(categories.get(g).code());
      radius[g] = categories.get(g).reachM();
      decay[g] = Decay.of(categories.get(g));
    }
    Column group = WalkTargets.group(codes, col("category"));
    List<Row> homes = new ArrayList<>();
    WalkTargets targets =
        WalkTargets.collect(
            demand
                .where(col("category").isin(codes.toArray()))
                .select(
                    col("building_id"),
                    col("origin"),
                    group.as("group"),
                    col("target_residents"),
                    col("community_code")),
            network,
            homes);
    Map<String, Integer> communityIndex = new HashMap<>();
    List<String> communities = new ArrayList<>();
    int[] communityOf = new int[homes.size()];
    for (int i = 0; i < homes.size(); i++) {
      String code = homes.get(i).getString(1);
      communityOf[i] =
          communityIndex.computeIfAbsent(
              code,
              c -> {
                communities.add(c);
                return communities.size() - 1;
              });
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<WalkTargets> t = jsc.broadcast(targets);
    Broadcast<int[]> of = jsc.broadcast(communityOf);
    broadcasts.add(t);
    broadcasts.add(of);
    Searches searches =
        new Searches(
            network.graph(),
            t,
            of,
            communities.toArray(String[]::new),
            codes.toArray(String[]::new),
            radius,
            decay,
            network.maxSnapM());
    StructType schema =
        new StructType()
            .add("facility_id", DataTypes.StringType, false)
            .add("category", DataTypes.StringType, false)
            .add("community_code", DataTypes.StringType, false)
            .add("served", DataTypes.DoubleType, false);
    return facilities
        .where(col("category").isin(codes.toArray()))
        .select(col("facility_id"), group.as("group"), col("geometry"))
        // A few tasks per core: searches differ in size, and each task holds one workspace.
        .repartition(4 * spark.sparkContext().defaultParallelism())
        .mapPartitions(searches, Encoders.row(schema));
  }

  /** One task's facilities (facility_id, group, geometry): one search each, then its cells. */
  private static final class Searches implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<WalkGraph> graph;
    private final Broadcast<WalkTargets> targets;
    private final Broadcast<int[]> communityOf;
    private final String[] communities;
    private final String[] codes;
    private final double[] radius;
    private final Decay[] decay;
    private final double maxSnapM;

    Searches(
        Broadcast<WalkGraph> graph,
        Broadcast<WalkTargets> targets,
        Broadcast<int[]> communityOf,
        String[] communities,
        String[] codes,
        double[] radius,
        Decay[] decay,
        double maxSnapM) {
      this.graph = graph;
      this.targets = targets;
      this.communityOf = communityOf;
      this.communities = communities;
      this.codes = codes;
      this.radius = radius;
      this.decay = decay;
      this.maxSnapM = maxSnapM;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      List<Row> out = new ArrayList<>();
      if (!rows.hasNext()) {
        return out.iterator();
      }
      WalkTargets.Walker walker = new WalkTargets.Walker(graph.value(), targets.value(), maxSnapM);
      int[] of = communityOf.value();
      WKBReader reader = new WKBReader();
      double[] wanted = new double[codes.length];
      // Each community's terms, summed once the walk is done in ascending order: the order the
      // walk meets homes in follows the order building_access's rows were read in, which differs
      // between a full and an incremental run (and between files), and a double sum depends on it.
      double[][] terms = new double[communities.length][];
      int[] termCount = new int[communities.length];
      // The communities a search touched, in the order it first touched them.
      int[] touched = new int[communities.length];
      boolean[] seen = new boolean[communities.length];
      while (rows.hasNext()) {
        Row r = rows.next();
        String facility = r.getString(0);
        int g = r.getInt(1);
        Coordinate c =
            NetworkAccess.read(reader, (byte[]) r.get(2), Tables.FACILITIES, facility)
                .getCoordinate();
        Arrays.fill(wanted, Double.NaN);
        wanted[g] = radius[g];
        if (!walker.from(c.x, c.y, radius[g])) {
          continue;
        }
        int[] count = {0};
        walker.within(
            wanted,
            (target, group, weight, walkM) -> {
              int k = of[target];
              if (!seen[k]) {
                seen[k] = true;
                termCount[k] = 0;
                touched[count[0]++] = k;
              }
              if (terms[k] == null || termCount[k] == terms[k].length) {
                terms[k] =
                    terms[k] == null
                        ? new double[16]
                        : Arrays.copyOf(terms[k], 2 * terms[k].length);
              }
              terms[k][termCount[k]++] = decay[group].weight(walkM, radius[group]) * weight;
            });
        for (int i = 0; i < count[0]; i++) {
          int k = touched[i];
          Arrays.sort(terms[k], 0, termCount[k]);
          double served = 0;
          for (int j = 0; j < termCount[k]; j++) {
            served += terms[k][j];
          }
          out.add(RowFactory.create(facility, codes[g], communities[k], served));
          seen[k] = false;
        }
      }
      return out.iterator();
    }
  }
}
