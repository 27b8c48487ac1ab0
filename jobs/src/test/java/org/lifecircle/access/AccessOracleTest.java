package org.lifecircle.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lifecircle.SilverRows;
import org.lifecircle.TestCategories;
import org.lifecircle.TestSpark;
import org.lifecircle.catalog.AgeBands;
import org.lifecircle.catalog.FacilityCatalog;
import org.locationtech.jts.geom.Point;

/**
 * The access transform against a brute-force JTS loop over every building x facility pair, on
 * random cities with integer coordinates (so exact ties and facilities exactly at the threshold
 * occur on purpose). Ties go to the smallest facility id in both. Kindergartens are walked by a
 * child with a carer at 48 m/min, so their 5 minutes reach 240 m; the others at 60 m/min.
 */
class AccessOracleTest {
  private static final List<String> BANDS = AgeBands.COLUMNS;

  private static FacilityCatalog catalog() {
    return new FacilityCatalog(
        Map.of(5, 1.0, 10, 0.8, 15, 0.6),
        List.of(
            TestCategories.of("kindergarten", 5, 300.0, "3_5", true),
            TestCategories.of("pharmacy", 10, 500.0, "all", false),
            TestCategories.of("park", 10, 500.0, "all", false)),
        List.of(
            new FacilityCatalog.Walker("average", 60.0, true, List.of(), "test"),
            new FacilityCatalog.Walker("child_with_carer", 48.0, null, List.of("3_5"), "test")));
  }

  /** The test's own walking speeds (m/min) and minutes, independent of the catalog's arithmetic. */
  private static final Map<String, Double> SPEED = Map.of("3_5", 48.0, "all", 60.0);

  private static final Map<String, Double> MINUTES =
      Map.of("kindergarten", 5.0, "pharmacy", 500.0 / 60, "park", 500.0 / 60);

  record Home(String id, int x, int y) {}

  record Facility(String id, String category, int x, int y) {}

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void nearestIdsAndDistancesEqualBruteForce(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Home> homes = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      homes.add(new Home(String.format("B%04d", i), r.nextInt(0, 3000), r.nextInt(0, 3000)));
    }
    List<Facility> facilities = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      facilities.add(
          new Facility(
              String.format("F%03d", i),
              i % 2 == 0 ? "kindergarten" : "pharmacy",
              r.nextInt(0, 3000),
              r.nextInt(0, 3000)));
    }
    // Exact threshold (a 3-4-5 triangle: 300 m) and an exact tie between F998 and F999.
    homes.add(new Home("B9000", 10_000, 10_000));
    facilities.add(new Facility("F999", "kindergarten", 10_180, 10_240));
    facilities.add(new Facility("F998", "kindergarten", 9_820, 9_760));
    homes.add(new Home("B9001", 20_000, 20_000));
    facilities.add(new Facility("F997", "pharmacy", 20_300, 20_400));
    // Exactly 5 minutes at 48 m/min: 240 m (3-4-5 again).
    homes.add(new Home("B9002", 30_000, 30_000));
    facilities.add(new Facility("F996", "kindergarten", 30_144, 30_192));
    check(homes, facilities);
  }

  @Test
  void categoryWithoutFacilitiesStillHasRowsWithNullDistance() {
    List<Row> rows =
        run(List.of(new Home("B1", 0, 0)), List.of(new Facility("F1", "pharmacy", 3, 4)))
            .collectAsList();
    assertThat(rows).hasSize(3);
    Row park =
        rows.stream().filter(x -> x.getAs("category").equals("park")).findFirst().orElseThrow();
    assertThat((Object) park.getAs("distance_m")).isNull();
    assertThat((Object) park.getAs("nearest_facility_id")).isNull();
    assertThat(park.<Boolean>getAs("within_threshold")).isFalse();
    assertThat(park.<Boolean>getAs("covered")).isFalse();
  }

  private static void check(List<Home> homes, List<Facility> facilities) {
    Map<String, Object[]> got = new TreeMap<>();
    for (Row row : run(homes, facilities).collectAsList()) {
      got.put(
          row.getAs("building_id") + "/" + row.getAs("category"),
          new Object[] {
            row.getAs("nearest_facility_id"),
            row.getAs("distance_m"),
            row.getAs("within_threshold"),
            row.getAs("covered"),
            row.getAs("walk_min"),
            row.getAs("threshold_min")
          });
    }
    FacilityCatalog cat = catalog();
    for (Home h : homes) {
      Point hp = (Point) SilverRows.point(h.x(), h.y());
      for (FacilityCatalog.Category c : cat.categories()) {
        String bestId = null;
        double best = Double.POSITIVE_INFINITY;
        for (Facility f : facilities) {
          if (!f.category().equals(c.code())) {
            continue;
          }
          double d = hp.distance(SilverRows.point(f.x(), f.y()));
          if (d < best || (d == best && f.id().compareTo(bestId) < 0)) {
            best = d;
            bestId = f.id();
          }
        }
        Object[] g = got.get(h.id() + "/" + c.code());
        assertThat(g).as(h.id() + "/" + c.code()).isNotNull();
        assertThat(g[0]).as("nearest id of " + h.id() + "/" + c.code()).isEqualTo(bestId);
        if (bestId == null) {
          assertThat(g[1]).isNull();
        } else {
          assertThat((Double) g[1]).isCloseTo(best, within(1e-6));
          double walk = best / SPEED.get(c.target());
          assertThat((Double) g[4]).isCloseTo(walk, within(1e-9));
          assertThat(g[2]).as(h.id() + "/" + c.code()).isEqualTo(walk <= MINUTES.get(c.code()));
          assertThat(g[3]).isEqualTo(g[2]);
        }
        assertThat((Double) g[5]).isCloseTo(MINUTES.get(c.code()), within(1e-9));
      }
    }
    // 300 m is 6.25 minutes for a child with a carer: outside; 240 m is exactly 5: inside.
    assertThat(got.get("B9000/kindergarten")).startsWith("F998", 300.0, false, false, 6.25);
    assertThat(got.get("B9002/kindergarten")).startsWith("F996", 240.0, true, true, 5.0);
    assertThat(got.get("B9001/pharmacy")).startsWith("F997", 500.0, true, true);
  }

  private static Dataset<Row> run(List<Home> homes, List<Facility> facilities) {
    SparkSession spark = TestSpark.session();
    StructType hs =
        new StructType()
            .add("building_id", DataTypes.StringType)
            .add("community_code", DataTypes.StringType)
            .add("origin", DataTypes.BinaryType)
            .add("residents", DataTypes.LongType);
    for (String b : BANDS) {
      hs = hs.add(b, DataTypes.LongType);
    }
    List<Row> hr = new ArrayList<>();
    for (Home h : homes) {
      Object[] v = new Object[4 + BANDS.size()];
      v[0] = h.id();
      v[1] = "C1";
      v[2] = SilverRows.wkb(SilverRows.point(h.x(), h.y()));
      v[3] = 8L;
      for (int i = 0; i < BANDS.size(); i++) {
        v[4 + i] = 1L;
      }
      hr.add(RowFactory.create(v));
    }
    StructType fs =
        new StructType()
            .add("facility_id", DataTypes.StringType)
            .add("category", DataTypes.StringType)
            .add("geometry", DataTypes.BinaryType);
    List<Row> fr = new ArrayList<>();
    for (Facility f : facilities) {
      fr.add(
          RowFactory.create(f.id(), f.category(), SilverRows.wkb(SilverRows.point(f.x(), f.y()))));
    }
    return AccessStage.access(
        spark,
        spark.createDataFrame(hr, hs).repartition(3),
        spark.createDataFrame(fr, fs),
        catalog(),
        new AccessStage.Basis("straight_line", 1.0));
  }
}
