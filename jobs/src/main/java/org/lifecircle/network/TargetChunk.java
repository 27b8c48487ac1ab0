package org.lifecircle.network;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.lifecircle.common.PipelineException;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.io.ParseException;
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
    Doubles xs = new Doubles();
    Doubles ys = new Doubles();
    Ints counts = new Ints();
    Ints groups = new Ints();
    long[] weights = new long[1024];
    int entries = 0;
    WKBReader reader = new WKBReader();
    String last = null;
    while (rows.hasNext()) {
      Row r = rows.next();
      String id = r.getString(0);
      if (!id.equals(last)) {
        last = id;
        ids.add(id);
        String[] e = new String[extras];
        for (int k = 0; k < extras; k++) {
          e[k] = r.getString(4 + k);
        }
        extra.add(e);
        Coordinate c = point(reader, (byte[]) r.get(1), id);
        xs.add(c.x);
        ys.add(c.y);
        counts.add(0);
      }
      counts.values[counts.size - 1]++;
      groups.add(r.getInt(2));
      if (entries == weights.length) {
        weights = Arrays.copyOf(weights, 2 * entries);
      }
      weights[entries++] = r.getLong(3);
    }
    TargetChunk c = new TargetChunk();
    int n = ids.size();
    c.ids = ids.toArray(String[]::new);
    c.extras = extra.toArray(String[][]::new);
    c.x = xs.trimmed();
    c.y = ys.trimmed();
    c.entryCount = counts.trimmed();
    c.entryGroup = groups.trimmed();
    c.entryWeight = Arrays.copyOf(weights, entries);
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

  private static Coordinate point(WKBReader reader, byte[] wkb, String building) {
    try {
      return reader.read(wkb).getCoordinate();
    } catch (ParseException e) {
      throw PipelineException.cannot("walk", "targets", "invalid WKB", "home " + building, e);
    }
  }

  /** A growable array of doubles (a million homes are not a million boxed Doubles). */
  private static final class Doubles {
    double[] values = new double[1024];
    int size;

    void add(double v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, 2 * size);
      }
      values[size++] = v;
    }

    double[] trimmed() {
      return Arrays.copyOf(values, size);
    }
  }

  /** A growable array of ints. */
  private static final class Ints {
    int[] values = new int[1024];
    int size;

    void add(int v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, 2 * size);
      }
      values[size++] = v;
    }

    int[] trimmed() {
      return Arrays.copyOf(values, size);
    }
  }
}
