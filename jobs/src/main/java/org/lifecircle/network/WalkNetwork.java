package org.lifecircle.network;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;

/**
 * A snapshot's walk graph, broadcast, with the snap limit: what a stage needs to walk from many
 * sources ({@link WalkTargets}). Built as the access stage builds it, from the same silver
 * walk_network rows, so the two agree on every node, edge and snap.
 */
public record WalkNetwork(Broadcast<WalkGraph> graph, double maxSnapM) {

  /**
   * The graph of {@code edges} (silver walk_network rows): nodes merged within {@link
   * GraphBuilder#MERGE_TOLERANCE_M}, islands by {@link GraphBuilder.IslandRule#DEFAULT}. Stops when
   * no edge is left after the island rule.
   */
  public static WalkGraph graph(String cityCode, Dataset<Row> edges) {
    WalkGraph graph =
        GraphBuilder.build(
            NetworkAccess.readWays(edges),
            GraphBuilder.MERGE_TOLERANCE_M,
            GraphBuilder.IslandRule.DEFAULT);
    if (graph.summary().mainEdges() == 0) {
      throw PipelineException.cannot(
          "route", "walk network", "the snapshot has no edges", cityCode);
    }
    return graph;
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
}
