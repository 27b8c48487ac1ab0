package org.lifecircle.network;

import static org.apache.spark.sql.functions.col;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.lifecircle.common.PipelineException;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;

/**
 * Walking distance of source-building pairs, where a stage needs more than the nearest facility: a
 * facility and every home in its catchment (adequacy), a candidate site and the uncovered homes it
 * could serve. Pairs come from a straight-line Sedona distance join (a walk is never shorter than
 * the straight line, so the join finds every pair the walk can keep).
 *
 * <p>Each source is snapped as the access stage snaps a facility ({@link EdgeSnapper}, first
 * coordinate of its geometry), and one bounded search runs from it ({@link
 * NearestSearch.Workspace}, cutoff the largest radius of its pairs); each building, snapped as the
 * access stage snaps its origin, is reached by the rules of {@link BuildingDistances}. The pairs
 * are grouped by source (hash partitioned, sorted within partitions), so a task streams them and
 * reuses one workspace.
 *
 * <p>Columns in: source_id, source_geometry (WKB), building_id, origin (WKB), radius (metres), and
 * any others, which pass through. Out: the same plus walk_m, the walking distance, null when the
 * source or the building is unsnapped or the walk is longer than the pair's radius.
 */
public final class PairDistances {
  /** The one source of a search, as BuildingDistances.walk lists sources on a home's edge. */
  private static final List<Integer> SOURCE = List.of(0);

  private PairDistances() {}

  public static Dataset<Row> walk(Dataset<Row> pairs, Broadcast<WalkGraph> graph, double maxSnapM) {
    StructType in = pairs.schema();
    StructType out = in.add("walk_m", DataTypes.DoubleType, true);
    int[] at = {
      in.fieldIndex("source_id"),
      in.fieldIndex("source_geometry"),
      in.fieldIndex("building_id"),
      in.fieldIndex("origin"),
      in.fieldIndex("radius")
    };
    // A Dataset operator, not an RDD: the plan keeps the join that made the pairs in sight.
    return pairs
        .repartition(col("source_id"))
        .sortWithinPartitions(col("source_id"), col("radius").desc())
        .mapPartitions(
            (MapPartitionsFunction<Row, Row>) it -> new Walker(graph.value(), maxSnapM, at, it),
            Encoders.row(out));
  }

  /** One partition's pairs, source by source: snap, search once, then each building's walk. */
  private static final class Walker implements Iterator<Row> {
    private final WalkGraph g;
    private final double maxSnap;
    private final int[] at;
    private final Iterator<Row> in;
    private final WKBReader reader = new WKBReader();
    private final Map<String, EdgeSnapper.Snap> buildingSnaps = new HashMap<>();
    private final int[] found = new int[1];
    private NearestSearch.Workspace workspace;
    private String source;
    private EdgeSnapper.Snaps sourceSnap;
    private int sourceEdge;

    Walker(WalkGraph g, double maxSnap, int[] at, Iterator<Row> in) {
      this.g = g;
      this.maxSnap = maxSnap;
      this.at = at;
      this.in = in;
    }

    @Override
    public boolean hasNext() {
      return in.hasNext();
    }

    @Override
    public Row next() {
      Row r = in.next();
      String id = r.getString(at[0]);
      double radius = r.getDouble(at[4]);
      if (!id.equals(source)) {
        startSource(id, (byte[]) r.get(at[1]), radius);
      }
      Double walk = null;
      EdgeSnapper.Snap b = sourceSnap.snapped(0) ? buildingSnap(r) : null;
      if (b != null) {
        double d =
            BuildingDistances.walk(
                g,
                b.edge(),
                b.position(),
                b.offset(),
                workspace.reach(),
                b.edge() == sourceEdge ? SOURCE : null,
                sourceSnap,
                found);
        if (found[0] >= 0 && d <= radius) {
          walk = d;
        }
      }
      Object[] values = new Object[r.size() + 1];
      for (int i = 0; i < r.size(); i++) {
        values[i] = r.get(i);
      }
      values[r.size()] = walk;
      return RowFactory.create(values);
    }

    /** The first row of a source has its largest radius (sorted so): the search's cutoff. */
    private void startSource(String id, byte[] geometry, double cutoff) {
      source = id;
      Coordinate c = point(geometry, "source " + id);
      sourceSnap = new EdgeSnapper.Snaps(1);
      sourceSnap.set(0, EdgeSnapper.snap(g, c.x, c.y, maxSnap));
      sourceEdge = sourceSnap.snapped(0) ? sourceSnap.get(0).edge() : -1;
      if (sourceSnap.snapped(0)) {
        if (workspace == null) {
          workspace = new NearestSearch.Workspace(g);
        }
        workspace.search(NearestSearch.seeds(g, sourceSnap), cutoff);
      }
    }

    private EdgeSnapper.Snap buildingSnap(Row r) {
      String id = r.getString(at[2]);
      if (!buildingSnaps.containsKey(id)) {
        Coordinate c = point((byte[]) r.get(at[3]), "building " + id);
        buildingSnaps.put(id, EdgeSnapper.snap(g, c.x, c.y, maxSnap));
      }
      return buildingSnaps.get(id);
    }

    private Coordinate point(byte[] wkb, String what) {
      try {
        return reader.read(wkb).getCoordinate();
      } catch (ParseException e) {
        throw PipelineException.cannot("walk", "pair", "invalid WKB", what, e);
      }
    }
  }
}
