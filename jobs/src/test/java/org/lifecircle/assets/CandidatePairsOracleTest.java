package org.lifecircle.assets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lifecircle.SparkPlans;
import org.lifecircle.TestSpark;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.WKBWriter;

/**
 * The candidate pairs of every gap category from the one distance join, against a brute-force loop
 * over every asset x uncovered home x category with JTS distances, on random cities in a projected
 * CRS's coordinate range (x near 500 km, as Gauss-Kruger eastings are). Integer coordinates put
 * homes exactly at a threshold on purpose, and assets that host only some categories check that no
 * pair crosses categories.
 */
class CandidatePairsOracleTest {
  private static final GeometryFactory GF = new GeometryFactory();
  private static final Map<String, Double> THRESHOLDS =
      Map.of("kindergarten", 300.0, "pharmacy", 500.0, "elderly_care", 1000.0);
  private static final List<String> CATEGORIES =
      List.of("kindergarten", "pharmacy", "elderly_care");
  private static final double DETOUR = 1.3;

  record Asset(String id, double x, double y, List<String> hosts) {}

  record Home(String id, String category, double x, double y, boolean detour, long residents) {}

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void pairsOfEveryCategoryEqualBruteForce(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double x0 = 500_000;
    double y0 = 3_400_000;
    List<Asset> assets = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      List<String> hosts = new ArrayList<>();
      for (String c : CATEGORIES) {
        if (r.nextInt(3) > 0) {
          hosts.add(c);
        }
      }
      assets.add(
          new Asset(
              String.format("A%03d", i), x0 + r.nextInt(0, 4000), y0 + r.nextInt(0, 4000), hosts));
    }
    List<Home> homes = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      homes.add(
          new Home(
              String.format("B%04d", i),
              CATEGORIES.get(r.nextInt(CATEGORIES.size())),
              x0 + r.nextInt(0, 4000),
              y0 + r.nextInt(0, 4000),
              r.nextBoolean(),
              r.nextInt(1, 50)));
    }
    // Exactly at the threshold (a 3-4-5 triangle of 300 m), and a home of a category the asset
    // next to it cannot host.
    assets.add(new Asset("A900", x0 + 10_000, y0, List.of("kindergarten")));
    homes.add(new Home("B9000", "kindergarten", x0 + 10_180, y0 + 240, false, 5));
    homes.add(new Home("B9001", "pharmacy", x0 + 10_001, y0, false, 5));

    SparkSession spark = TestSpark.session();
    Dataset<Row> pairs =
        Candidates.pairs(
            assetFrame(spark, assets),
            candidateFrame(spark, assets),
            homeFrame(spark, homes),
            DETOUR,
            CATEGORIES);
    SparkPlans.assertSedonaSpatialJoin(pairs);
    List<String> got =
        pairs.collectAsList().stream()
            .map(p -> p.getString(0) + " " + p.getString(1) + " " + p.getString(2) + " " + p.get(3))
            .toList();
    assertThat(got).containsExactlyInAnyOrderElementsOf(bruteForce(assets, homes));
    assertThat(got).contains("kindergarten A900 B9000 5").noneMatch(p -> p.contains("B9001"));
  }

  private static List<String> bruteForce(List<Asset> assets, List<Home> homes) {
    List<String> out = new ArrayList<>();
    for (Asset a : assets) {
      for (Home h : homes) {
        if (!a.hosts().contains(h.category())) {
          continue;
        }
        double d =
            GF.createPoint(new Coordinate(a.x(), a.y()))
                .distance(GF.createPoint(new Coordinate(h.x(), h.y())));
        if (d * (h.detour() ? DETOUR : 1.0) <= THRESHOLDS.get(h.category())) {
          out.add(h.category() + " " + a.id() + " " + h.id() + " " + h.residents());
        }
      }
    }
    return out;
  }

  private static byte[] wkb(double x, double y) {
    return new WKBWriter().write(GF.createPoint(new Coordinate(x, y)));
  }

  private static Dataset<Row> assetFrame(SparkSession spark, List<Asset> assets) {
    List<Row> rows = new ArrayList<>();
    for (Asset a : assets) {
      rows.add(RowFactory.create(a.id(), wkb(a.x(), a.y())));
    }
    return spark.createDataFrame(
        rows,
        new StructType()
            .add("asset_id", DataTypes.StringType)
            .add("location", DataTypes.BinaryType));
  }

  private static Dataset<Row> candidateFrame(SparkSession spark, List<Asset> assets) {
    List<Row> rows = new ArrayList<>();
    for (Asset a : assets) {
      for (String c : a.hosts()) {
        rows.add(RowFactory.create(a.id(), c, THRESHOLDS.get(c)));
      }
    }
    return spark.createDataFrame(
        rows,
        new StructType()
            .add("c_asset", DataTypes.StringType)
            .add("c_category", DataTypes.StringType)
            .add("c_threshold", DataTypes.DoubleType));
  }

  private static Dataset<Row> homeFrame(SparkSession spark, List<Home> homes) {
    List<Row> rows = new ArrayList<>();
    for (Home h : homes) {
      rows.add(
          RowFactory.create(
              h.id(),
              h.category(),
              wkb(h.x(), h.y()),
              h.detour() ? "straight_line_detour" : "straight_line",
              h.residents()));
    }
    return spark.createDataFrame(
        rows,
        new StructType()
            .add("building_id", DataTypes.StringType)
            .add("category", DataTypes.StringType)
            .add("origin", DataTypes.BinaryType)
            .add("distance_basis", DataTypes.StringType)
            .add("target_residents", DataTypes.LongType));
  }
}
