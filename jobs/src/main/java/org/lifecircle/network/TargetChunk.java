package org.lifecircle.network;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.spark.sql.Row;
import org.lifecircle.io.Tables;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.io.WKBReader;

/**
 * One partition's targets for {@link WalkTargets#collect}, read and snapped where the partition is:
 * consecutive rows of one building become one target (building_access holds a home's categories
 * side by side), each with its entries. A building whose rows are not side by side becomes several
 * targets at the same point, each with some of its entries: every entry is still counted once.
 *
 * <p>Why not a groupBy: grouping ten million building_access rows by building (collect_list of
 * structs, then Row objects on the driver) and snapping every home on the driver took 33 s of CPU
 * and 17 s of driver time at scale factor 1 (docs/BENCHMARKS.md, session 16); this pass reads each
 * row once, snaps on the executors and sends primitive arrays. A plain class: Kryo serializes it,
 * not a record.
 */
public final class TargetChunk implements Serializable {
  private static final long serialVersionUID = 1L;

  String[] ids;
  String[][] extras;
  double[] x;
  double[] y;
  int[] snapEdge;
  double[] snapPosition;
  double[] snapOffset;
  int[] entryCount;
  int[] entryGroup;
  long[] entryWeight;

  int size() {
    return ids.length;
  }

  /**
   * Rows: building_id, origin (WKB), group, weight, then {@code extras} string columns held once
   * per building.
   */
  static TargetChunk read(Iterator<Row> rows, WalkGraph g, double maxSnapM, int extras) {
    List<String> ids = new ArrayList<>();
    List<String[]> extra = new ArrayList<>();
    DoubleStream.Builder xs = DoubleStream.builder();
    DoubleStream.Builder ys = DoubleStream.builder();
    IntStream.Builder counts = IntStream.builder();
    IntStream.Builder groups = IntStream.builder();
    LongStream.Builder weights = LongStream.builder();
    int entries = 0;
    int targetStart = 0;
    WKBReader reader = new WKBReader();
    String last = null;
    while (rows.hasNext()) {
      Row r = rows.next();
      String id = r.getString(0);
      if (!id.equals(last)) {
        if (last != null) {
          counts.add(entries - targetStart);
        }
        last = id;
        targetStart = entries;
        ids.add(id);
        String[] e = new String[extras];
        for (int k = 0; k < extras; k++) {
          e[k] = r.getString(4 + k);
        }
        extra.add(e);
        Coordinate c =
            NetworkAccess.read(reader, (byte[]) r.get(1), Tables.BUILDING_ACCESS, id)
                .getCoordinate();
        xs.add(c.x);
        ys.add(c.y);
      }
      groups.add(r.getInt(2));
      weights.add(r.getLong(3));
      entries++;
    }
    if (last != null) {
      counts.add(entries - targetStart);
    }
    TargetChunk c = new TargetChunk();
    int n = ids.size();
    c.ids = ids.toArray(String[]::new);
    c.extras = extra.toArray(String[][]::new);
    c.x = xs.build().toArray();
    c.y = ys.build().toArray();
    c.entryCount = counts.build().toArray();
    c.entryGroup = groups.build().toArray();
    c.entryWeight = weights.build().toArray();
    c.snapEdge = new int[n];
    c.snapPosition = new double[n];
    c.snapOffset = new double[n];
    for (int i = 0; i < n; i++) {
      EdgeSnapper.Snap s = EdgeSnapper.snap(g, c.x[i], c.y[i], maxSnapM);
      c.snapEdge[i] = s == null ? -1 : s.edge();
      c.snapPosition[i] = s == null ? 0 : s.position();
      c.snapOffset[i] = s == null ? 0 : s.offset();
    }
    return c;
  }
}
