package org.lifecircle.network;

import java.lang.ref.SoftReference;
import java.util.Arrays;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot's walk graph, broadcast, with the snap limit: what a stage needs to walk pairs ({@link
 * PairDistances}). Built as the access stage builds it, from the same silver walk_network rows, so
 * the two agree on every node, edge and snap.
 */
public record WalkNetwork(Broadcast<WalkGraph> graph, double maxSnapM) {
  private static final Logger LOG = LoggerFactory.getLogger(WalkNetwork.class);

  // The last graph built from files, softly held: the collector may take it back under pressure.
  private static String lastKey;
  private static SoftReference<WalkGraph> lastGraph = new SoftReference<>(null);

  /**
   * The graph of {@code edges} (silver walk_network rows): nodes merged within {@link
   * GraphBuilder#MERGE_TOLERANCE_M}, islands by {@link GraphBuilder.IslandRule#DEFAULT}. Stops when
   * no edge is left after the island rule.
   */
  public static WalkGraph graph(String cityCode, Dataset<Row> edges) {
    String key = sourceKey(edges);
    synchronized (WalkNetwork.class) {
      WalkGraph reused = key != null && key.equals(lastKey) ? lastGraph.get() : null;
      if (reused != null) {
        LOG.info("walk graph of {} reused ({} edges)", cityCode, reused.summary().mainEdges());
        return reused;
      }
    }
    WalkGraph graph =
        GraphBuilder.build(
            NetworkAccess.readWays(edges),
            GraphBuilder.MERGE_TOLERANCE_M,
            GraphBuilder.IslandRule.DEFAULT);
    if (graph.summary().mainEdges() == 0) {
      throw PipelineException.cannot(
          "route", "walk network", "the snapshot has no edges", cityCode);
    }
    if (key != null) {
      synchronized (WalkNetwork.class) {
        lastKey = key;
        lastGraph = new SoftReference<>(graph);
      }
    }
    return graph;
  }

  /**
   * What the graph was built from: the data files behind {@code edges}, or null when the rows are
   * not read from files (rows held in memory, a run's handoff). Delta never rewrites a data file in
   * place, so the same files hold the same rows; a new commit that adds or removes one changes the
   * key. Why a cache: access, adequacy and recommend each walk the same snapshot, and at SF 1
   * reading 2 M edges and building the graph took some 8 s of each stage (event log, session 15).
   */
  static String sourceKey(Dataset<Row> edges) {
    String[] files = edges.inputFiles();
    if (files.length == 0) {
      return null;
    }
    String[] sorted = files.clone();
    Arrays.sort(sorted);
    return String.join("\n", sorted);
  }

  /** The graph of {@code edges}, broadcast to the executors. */
  public static WalkNetwork of(
      SparkSession spark, String cityCode, Dataset<Row> edges, double maxSnapM) {
    WalkGraph graph = graph(cityCode, edges);
    return new WalkNetwork(
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(graph), maxSnapM);
  }

  /** The walk network of the run's snapshot, or null when the city config lists none. */
  public static WalkNetwork ofCity(SparkSession spark, RunContext ctx, StageTables tables) {
    if (!ctx.city().has(Tables.WALK_NETWORK)) {
      return null;
    }
    return of(
        spark,
        ctx.cityCode(),
        tables.snapshot(Tables.WALK_NETWORK),
        ctx.city().limits().maxSnapM());
  }

  /** {@code pairs} with walk_m ({@link PairDistances}). */
  public Dataset<Row> walk(Dataset<Row> pairs) {
    return PairDistances.walk(pairs, graph, maxSnapM);
  }
}
