package org.lifecircle.incremental;

import static org.apache.spark.sql.functions.expr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Date;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.lifecircle.common.Contract;
import org.lifecircle.common.PipelineException;

class SnapshotDiffTest {
  private static final Contract CONTRACT =
      new Contract(
          "places",
          "silver",
          null,
          List.of("city_code", "snapshot_date"),
          List.of("id"),
          List.of(),
          null,
          List.of());
  private static final StructType SCHEMA =
      new StructType()
          .add("city_code", DataTypes.StringType)
          .add("snapshot_date", DataTypes.DateType)
          .add("id", DataTypes.StringType)
          .add("a", DataTypes.StringType)
          .add("b", DataTypes.StringType)
          .add("n", DataTypes.DoubleType)
          .add("wkt", DataTypes.StringType);
  private static final Date BEFORE = Date.valueOf("2026-12-04");
  private static final Date AFTER = Date.valueOf("2026-12-05");

  private final SparkSession spark = TestSpark.session();

  @Test
  void handWrittenSnapshotsGiveEachChangedKeyOnce() {
    Dataset<Row> previous =
        rows(
            BEFORE,
            new Object[] {"same", "x", "y", 1.0, "POINT (10 20)"},
            new Object[] {"null_moved", null, "x", 1.0, "POINT (10 20)"},
            new Object[] {"last_bit", "x", "y", 1.0, "POINT (10 20)"},
            new Object[] {"moved", "x", "y", 1.0, "POINT (10 20)"},
            new Object[] {"gone", "x", "y", 1.0, "POINT (10 20)"});
    Dataset<Row> current =
        rows(
            AFTER,
            new Object[] {"same", "x", "y", 1.0, "POINT (10 20)"},
            new Object[] {"null_moved", "x", null, 1.0, "POINT (10 20)"},
            new Object[] {"last_bit", "x", "y", Math.nextUp(1.0), "POINT (10 20)"},
            new Object[] {"moved", "x", "y", 1.0, "POINT (10 20.000001)"},
            new Object[] {"new", "x", "y", 1.0, "POINT (10 20)"});

    assertThat(changes(previous, current))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "null_moved", SnapshotDiff.CHANGED,
                "last_bit", SnapshotDiff.CHANGED,
                "moved", SnapshotDiff.CHANGED,
                "gone", SnapshotDiff.REMOVED,
                "new", SnapshotDiff.ADDED));
  }

  @Test
  void sameHoldsForTheSameRowsInAnyOrderAndNoOtherChange() {
    Object[][] base = {
      {"k1", "x", null, 1.0, "POINT (10 20)"},
      {"k2", "x", "y", 2.0, "POINT (10 20)"},
      {"k3", null, "y", null, "POINT (11 20)"}
    };
    Dataset<Row> previous = rows(BEFORE, base);
    Object[][] reversed = {base[2], base[1], base[0]};
    assertThat(SnapshotDiff.same(CONTRACT, previous, rows(AFTER, reversed))).isTrue();
    // Each a single change of one row: a null moved, the last bit, a geometry, a key, a row gone,
    // a row more, two rows swapping their values.
    List<Object[][]> changed =
        List.of(
            new Object[][] {{"k1", null, "x", 1.0, "POINT (10 20)"}, base[1], base[2]},
            new Object[][] {{"k1", "x", null, Math.nextUp(1.0), "POINT (10 20)"}, base[1], base[2]},
            new Object[][] {{"k1", "x", null, 1.0, "POINT (10 20.000001)"}, base[1], base[2]},
            new Object[][] {{"k9", "x", null, 1.0, "POINT (10 20)"}, base[1], base[2]},
            new Object[][] {base[1], base[2]},
            new Object[][] {base[0], base[1], base[2], {"k4", "x", "y", 2.0, "POINT (10 20)"}},
            new Object[][] {
              {"k1", "x", "y", 2.0, "POINT (10 20)"},
              {"k2", "x", null, 1.0, "POINT (10 20)"},
              base[2]
            });
    for (int i = 0; i < changed.size(); i++) {
      assertThat(SnapshotDiff.same(CONTRACT, previous, rows(AFTER, changed.get(i))))
          .as("change %d", i)
          .isFalse();
    }
  }

  @Test
  void randomDriftsMatchARowByRowComparison() {
    for (long seed = 1; seed <= 3; seed++) {
      Random random = new Random(seed);
      Map<String, Object[]> before = new LinkedHashMap<>();
      for (int i = 0; i < 300; i++) {
        before.put("k" + i, randomContent(random));
      }
      Map<String, Object[]> after = new LinkedHashMap<>();
      for (Map.Entry<String, Object[]> e : before.entrySet()) {
        double draw = random.nextDouble();
        if (draw < 0.1) {
          continue; // removed
        }
        Object[] content = e.getValue().clone();
        if (draw < 0.4) {
          int column = random.nextInt(content.length);
          content[column] = randomContent(random)[column];
        }
        after.put(e.getKey(), content);
      }
      for (int i = 300; i < 330; i++) {
        after.put("k" + i, randomContent(random));
      }

      Map<String, String> expected = new HashMap<>();
      before.forEach(
          (k, v) -> {
            if (!after.containsKey(k)) {
              expected.put(k, SnapshotDiff.REMOVED);
            } else if (!Arrays.equals(v, after.get(k))) {
              expected.put(k, SnapshotDiff.CHANGED);
            }
          });
      after.keySet().stream()
          .filter(k -> !before.containsKey(k))
          .forEach(k -> expected.put(k, SnapshotDiff.ADDED));

      assertThat(changes(rows(BEFORE, before), rows(AFTER, after)))
          .as("seed %d", seed)
          .isEqualTo(expected);
    }
  }

  @Test
  void aRepeatedKeyStopsTheDiffNamingIt() {
    Dataset<Row> previous = rows(BEFORE, new Object[] {"k1", "x", "y", 1.0, "POINT (0 0)"});
    Dataset<Row> current =
        rows(
            AFTER,
            new Object[] {"k1", "x", "y", 1.0, "POINT (0 0)"},
            new Object[] {"k1", "x", "z", 1.0, "POINT (0 0)"});

    assertThatThrownBy(() -> SnapshotDiff.changes(CONTRACT, previous, current))
        .isInstanceOf(PipelineException.class)
        .hasMessage("Cannot diff table places: key id repeats in the new snapshot (k1)");
  }

  private static Object[] randomContent(Random random) {
    String[] texts = {null, "x", "y"};
    Double[] numbers = {null, 0.0, 1.0, Math.nextUp(1.0)};
    return new Object[] {
      texts[random.nextInt(texts.length)],
      texts[random.nextInt(texts.length)],
      numbers[random.nextInt(numbers.length)],
      "POINT (" + random.nextInt(3) + " " + random.nextInt(3) + ")"
    };
  }

  private Dataset<Row> rows(Date date, Map<String, Object[]> content) {
    List<Object[]> list = new ArrayList<>();
    content.forEach(
        (k, v) -> {
          Object[] row = new Object[v.length + 1];
          row[0] = k;
          System.arraycopy(v, 0, row, 1, v.length);
          list.add(row);
        });
    return rows(date, list.toArray(Object[][]::new));
  }

  /** Rows of (id, a, b, n, wkt) with the city and date; the geometry is Sedona's, from the WKT. */
  private Dataset<Row> rows(Date date, Object[]... values) {
    List<Row> rows = new ArrayList<>();
    for (Object[] v : values) {
      Object[] full = new Object[v.length + 2];
      full[0] = "990101";
      full[1] = date;
      System.arraycopy(v, 0, full, 2, v.length);
      rows.add(RowFactory.create(full));
    }
    return spark
        .createDataFrame(rows, SCHEMA)
        .withColumn("geometry", expr("ST_GeomFromWKT(wkt)"))
        .drop("wkt");
  }

  private static Map<String, String> changes(Dataset<Row> previous, Dataset<Row> current) {
    Map<String, String> out = new HashMap<>();
    for (Row r : SnapshotDiff.changes(CONTRACT, previous, current).collectAsList()) {
      assertThat(out.put(r.getString(0), r.getString(1))).as("key listed once").isNull();
    }
    return out;
  }
}
