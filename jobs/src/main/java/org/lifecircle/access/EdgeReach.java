package org.lifecircle.access;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.Contract;
import org.lifecircle.incremental.SnapshotDiff;
import org.lifecircle.io.Tables;
import org.lifecircle.network.GraphBuilder;
import org.lifecircle.network.NetworkAccess;

/**
 * What changed walk_network edges can reach: the homes within a radius of a changed edge (its old
 * or its new line) and the facilities within the snap limit of one.
 *
 * <p>Changed edges: added, removed or changed rows (id, end node ids, line), and the edges whose
 * island status flipped: the island rule compares a component's length with the whole network's, so
 * a change anywhere can make a far component an island or bring it back. Both graphs are built as
 * the access stage builds them and compared edge by edge.
 *
 * <p>Why the radius holds: a home's walk to its nearest facility is at most the category's search
 * cutoff long and never shorter than the straight line, so every edge on it, before or after the
 * change, lies within the cutoff of the home; a home snaps within the snap limit. A walk that no
 * changed edge is near is summed from the same edge lengths in the same order, so it keeps its
 * bits. A facility near a changed edge may snap elsewhere: the caller counts it as gone and
 * arrived.
 */
final class EdgeReach {
  /**
   * @param edges edges that changed (ids, both sides' lines counted)
   * @param homes building_id of every current home within the radius of one
   * @param facilities facility_id of every current or previous facility within the snap limit
   */
  record Result(long edges, long islandFlips, Dataset<Row> homes, Set<String> facilities) {}

  private static final List<String> EDGE = List.of("edge_id", "from_node", "to_node", "geometry");

  private EdgeReach() {}

  /** Null when no edge changed. */
  static Result of(
      SparkSession spark,
      Dataset<Row> previousEdges,
      Dataset<Row> currentEdges,
      Dataset<Row> homes,
      Dataset<Row> previousFacilities,
      Dataset<Row> facilities,
      double radiusM,
      double maxSnapM) {
    Dataset<Row> before = previousEdges.select(columns());
    Dataset<Row> after = currentEdges.select(columns());
    Contract contract = Contract.of(Tables.WALK_NETWORK);
    // The same edges make the same graph (no island can flip): the usual night, two cheap jobs.
    if (SnapshotDiff.same(contract, before, after)) {
      return null;
    }
    List<Row> diff = SnapshotDiff.changes(contract, before, after).collectAsList();
    Map<String, Boolean> mainBefore = GraphBuilder.mainByEdge(NetworkAccess.readWays(before));
    Map<String, Boolean> mainAfter = GraphBuilder.mainByEdge(NetworkAccess.readWays(after));
    Set<String> changed = new HashSet<>();
    diff.forEach(r -> changed.add(r.getString(0)));
    long flips = 0;
    for (Map.Entry<String, Boolean> e : mainAfter.entrySet()) {
      Boolean was = mainBefore.get(e.getKey());
      if (was != null && !was.equals(e.getValue()) && changed.add(e.getKey())) {
        flips++;
      }
    }
    if (changed.isEmpty()) {
      return null;
    }
    Dataset<Row> ids =
        spark.createDataset(new ArrayList<>(changed), Encoders.STRING()).toDF("c_edge");
    // Old lines of the changed edges and new lines: an edge only on one side has one of them.
    Dataset<Row> lines =
        before
            .join(broadcast(ids), col("edge_id").equalTo(col("c_edge")))
            .select(expr("ST_GeomFromWKB(geometry)").as("e_geom"))
            .union(
                after
                    .join(broadcast(ids), col("edge_id").equalTo(col("c_edge")))
                    .select(expr("ST_GeomFromWKB(geometry)").as("e_geom")));
    Dataset<Row> near =
        homes
            .select(col("building_id"), expr("ST_GeomFromWKB(origin)").as("h_geom"))
            .join(lines, expr("ST_DWithin(h_geom, e_geom, " + radiusM + ")"))
            .select("building_id")
            .distinct();
    Set<String> snapped = new HashSet<>();
    for (Dataset<Row> f : List.of(previousFacilities, facilities)) {
      f.select(col("facility_id"), expr("ST_GeomFromWKB(geometry)").as("f_geom"))
          .join(lines, expr("ST_DWithin(f_geom, e_geom, " + maxSnapM + ")"))
          .select("facility_id")
          .distinct()
          .collectAsList()
          .forEach(r -> snapped.add(r.getString(0)));
    }
    return new Result(changed.size(), flips, near, snapped);
  }

  private static Column[] columns() {
    return EDGE.stream().map(c -> col(c)).toArray(Column[]::new);
  }
}
