package org.lifecircle.adequacy;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.lifecircle.SilverRows.point;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.jgrapht.Graph;
import org.jgrapht.alg.shortestpath.DijkstraShortestPath;
import org.jgrapht.graph.DefaultWeightedEdge;
import org.jgrapht.graph.SimpleWeightedGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.SilverRows;
import org.lifecircle.SparkPlans;
import org.lifecircle.TestSpark;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.Yaml;
import org.lifecircle.network.WalkNetwork;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;

/**
 * E2SFCA on a walk network with a river and one bridge, against an oracle the test computes on its
 * own: every facility-home walk from JGraphT's Dijkstra on a graph built here (each home joined to
 * its street at the foot of its perpendicular, each street split at every foot and facility), and
 * both steps summed in plain loops over the pairs.
 *
 * <p>Streets (x, y in metres from X0, Y0): the south bank y = 0 and the north bank y = 200, both x
 * 0..1000, and the bridge x = 800 joining them; the river between has no other crossing. Homes
 * stand 10 m off their street. Kindergartens (no decay, d0 = 300 m): F1 (100, 0) 60 places, F2
 * (760, 200) 30 places; nurseries (gaussian) G1 and G2 at the same points, 3 and 2 places. Homes
 * (target residents of both categories): S1 (150, -10) 100, S2 (700, -10) 40, S3 (820, -10) 30, N1
 * (100, 210) 50, N2 (650, 210) 80, N3 (900, 210) 20.
 *
 * <p>By hand: F1 reaches S1 (walk 60 m); N1 is 210 m away across the river but a 1,610 m walk (over
 * the bridge), out of the catchment. F2 reaches N2 (120 m), N3 (150 m) and, over the bridge, S3 (10
 * + 20 + 200 + 40 = 270 m); S2 is 218 m away in a straight line but a 350 m walk: out. So R1 = 60 /
 * 100 = 0.6 (0.4 in a straight line, where N1 counts) and R2 = 30 / 130; S1 holds 0.6 places per
 * child, S3, N2 and N3 30/130, S2 and N1 none: 60 + 30 places apportioned, all of them.
 */
class NetworkCatchmentOracleTest {
  private static final double X0 = 528_000;
  private static final double Y0 = 3_385_000;
  private static final double D0 = 300;
  private static final Map<String, double[]> FACILITIES = new TreeMap<>();
  private static final Map<String, double[]> HOMES = new TreeMap<>();
  private static final Map<String, Double> CAPACITY = new TreeMap<>();
  private static final Map<String, Long> TARGET = new TreeMap<>();

  private static SparkSession spark;
  private static AdequacyStage.Result network;
  private static AdequacyStage.Result straight;

  @BeforeAll
  static void riverCity() {
    spark = TestSpark.session();
    FACILITIES.put("F1", new double[] {100, 0});
    FACILITIES.put("F2", new double[] {760, 200});
    FACILITIES.put("G1", new double[] {100, 0});
    FACILITIES.put("G2", new double[] {760, 200});
    CAPACITY.putAll(Map.of("F1", 60.0, "F2", 30.0, "G1", 3.0, "G2", 2.0));
    Object[][] homes = {
      {"S1", 150.0, -10.0, 100L},
      {"S2", 700.0, -10.0, 40L},
      {"S3", 820.0, -10.0, 30L},
      {"N1", 100.0, 210.0, 50L},
      {"N2", 650.0, 210.0, 80L},
      {"N3", 900.0, 210.0, 20L}
    };
    for (Object[] h : homes) {
      HOMES.put((String) h[0], new double[] {(double) h[1], (double) h[2]});
      TARGET.put((String) h[0], (long) h[3]);
    }
    FacilityCatalog catalog =
        Yaml.read(
            Path.of("src/test/resources/adequacy/catalog.yaml"),
            FacilityCatalog.class,
            "test catalog");
    List<Row> facilities = new ArrayList<>();
    FACILITIES.forEach(
        (id, p) ->
            facilities.add(
                RowFactory.create(
                    id,
                    id.startsWith("F") ? "kindergarten" : "nursery",
                    CAPACITY.get(id),
                    SilverRows.wkb(point(X0 + p[0], Y0 + p[1])))));
    List<Row> origins = new ArrayList<>();
    List<Row> access = new ArrayList<>();
    HOMES.forEach(
        (id, p) -> {
          byte[] origin = SilverRows.wkb(point(X0 + p[0], Y0 + p[1]));
          origins.add(RowFactory.create(id, origin));
          // Each home its own community: the community's accessibility index is the home's A_i.
          for (String category : List.of("kindergarten", "nursery")) {
            access.add(
                RowFactory.create(
                    id, id, category, 10 * TARGET.get(id), TARGET.get(id), "network", origin));
          }
        });
    Dataset<Row> f =
        spark.createDataFrame(
            facilities,
            StructType.fromDDL(
                "facility_id STRING, category STRING, capacity DOUBLE, geometry BINARY"));
    Dataset<Row> h =
        spark.createDataFrame(origins, StructType.fromDDL("building_id STRING, origin BINARY"));
    Dataset<Row> a =
        spark.createDataFrame(
            access,
            StructType.fromDDL(
                "building_id STRING, community_code STRING, category STRING, residents LONG,"
                    + " target_residents LONG, distance_basis STRING, origin BINARY"));
    WalkNetwork walk = WalkNetwork.of(spark, "990102", streets(), 50);
    network = AdequacyStage.compute(spark, catalog, f, h, a, 1.3, walk);
    straight =
        AdequacyStage.compute(
            spark, catalog, f, h, a.withColumn("distance_basis", lit("straight_line")), 1.3, walk);
  }

  /** The south bank, the north bank and the bridge, as silver walk_network rows. */
  private static Dataset<Row> streets() {
    GeometryFactory gf = new GeometryFactory();
    // Noded where the bridge meets each bank, as OpenStreetMap ways are at junctions.
    double[][] lines = {
      {0, 0, 800, 0},
      {800, 0, 1000, 0},
      {0, 200, 800, 200},
      {800, 200, 1000, 200},
      {800, 0, 800, 200}
    };
    List<Row> rows = new ArrayList<>();
    for (int k = 0; k < lines.length; k++) {
      double[] l = lines[k];
      rows.add(
          RowFactory.create(
              "E" + k,
              null,
              null,
              SilverRows.wkb(
                  gf.createLineString(
                      new Coordinate[] {
                        new Coordinate(X0 + l[0], Y0 + l[1]), new Coordinate(X0 + l[2], Y0 + l[3])
                      }))));
    }
    return spark.createDataFrame(
        rows,
        StructType.fromDDL("edge_id STRING, from_node STRING, to_node STRING, geometry BINARY"));
  }

  /**
   * The oracle's graph: each bank split at every x where something stands on it, the bridge, and
   * each home joined to the foot of its perpendicular by its 10 m.
   */
  private static Graph<String, DefaultWeightedEdge> oracleGraph() {
    Graph<String, DefaultWeightedEdge> g = new SimpleWeightedGraph<>(DefaultWeightedEdge.class);
    for (double bank : new double[] {0, 200}) {
      TreeSet<Double> xs = new TreeSet<>(List.of(0.0, 800.0, 1000.0));
      FACILITIES.values().stream().filter(p -> p[1] == bank).forEach(p -> xs.add(p[0]));
      HOMES.values().stream().filter(p -> Math.abs(p[1] - bank) == 10).forEach(p -> xs.add(p[0]));
      Double before = null;
      for (double x : xs) {
        g.addVertex(x + "," + bank);
        if (before != null) {
          g.setEdgeWeight(g.addEdge(before + "," + bank, x + "," + bank), x - before);
        }
        before = x;
      }
    }
    g.setEdgeWeight(g.addEdge("800.0,0.0", "800.0,200.0"), 200);
    HOMES.forEach(
        (id, p) -> {
          g.addVertex(id);
          double bank = p[1] < 100 ? 0 : 200;
          g.setEdgeWeight(g.addEdge(id, p[0] + "," + bank), 10);
        });
    return g;
  }

  private static double weight(String facility, double d) {
    if (facility.startsWith("F")) {
      return 1.0;
    }
    double e = Math.exp(-0.5);
    return Math.max(0, (Math.exp(-0.5 * (d / D0) * (d / D0)) - e) / (1 - e));
  }

  /** Supply ratio per facility, then accessibility per home and category, in plain loops. */
  private static Map<String, Double> oracle(boolean walking) {
    DijkstraShortestPath<String, DefaultWeightedEdge> dijkstra =
        new DijkstraShortestPath<>(oracleGraph());
    Map<String, Map<String, Double>> pairs = new TreeMap<>();
    FACILITIES.forEach(
        (f, fp) -> {
          Map<String, Double> reached = new TreeMap<>();
          HOMES.forEach(
              (hId, hp) -> {
                double d =
                    walking
                        ? dijkstra.getPathWeight(fp[0] + "," + fp[1], hId)
                        : Math.hypot(fp[0] - hp[0], fp[1] - hp[1]);
                if (d <= D0) {
                  reached.put(hId, d);
                }
              });
          pairs.put(f, reached);
        });
    Map<String, Double> out = new TreeMap<>();
    Map<String, Double> ratio = new TreeMap<>();
    pairs.forEach(
        (f, reached) -> {
          double served = 0;
          for (Map.Entry<String, Double> e : reached.entrySet()) {
            served += weight(f, e.getValue()) * TARGET.get(e.getKey());
          }
          ratio.put(f, served > 0 ? CAPACITY.get(f) / served : 0.0);
          out.put("R " + f, served > 0 ? CAPACITY.get(f) / served : null);
        });
    for (String home : HOMES.keySet()) {
      for (String kind : List.of("F", "G")) {
        double a = 0;
        for (String f : pairs.keySet()) {
          Double d = pairs.get(f).get(home);
          if (f.startsWith(kind) && d != null) {
            a += weight(f, d) * ratio.get(f);
          }
        }
        out.put("A " + home + " " + (kind.equals("F") ? "kindergarten" : "nursery"), a);
      }
    }
    return out;
  }

  private static Map<String, Double> computed(AdequacyStage.Result r) {
    Map<String, Double> out = new TreeMap<>();
    for (Row row : r.facilities().select("facility_id", "supply_ratio").collectAsList()) {
      out.put("R " + row.getString(0), row.isNullAt(1) ? null : row.getDouble(1));
    }
    for (Row row :
        r.communities()
            .select("community_code", "category", "accessibility_index")
            .collectAsList()) {
      out.put("A " + row.getString(0) + " " + row.getString(1), row.getDouble(2));
    }
    return out;
  }

  private static void assertMatches(Map<String, Double> actual, Map<String, Double> expected) {
    assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
    expected.forEach(
        (k, v) -> {
          if (v == null) {
            assertThat(actual.get(k)).as(k).isNull();
          } else {
            assertThat(actual.get(k)).as(k).isCloseTo(v, within(1e-9));
          }
        });
  }

  @Test
  void bothStepsOnTheWalkEqualDijkstraAndPlainSums() {
    Map<String, Double> expected = oracle(true);
    assertMatches(computed(network), expected);
    // The hand-worked figures: the river keeps N1 out of F1's catchment and S2 out of F2's.
    assertThat(expected.get("R F1")).isCloseTo(0.6, within(1e-12));
    assertThat(expected.get("R F2")).isCloseTo(30.0 / 130, within(1e-12));
    assertThat(expected.get("A N1 kindergarten")).isZero();
    assertThat(expected.get("A S3 kindergarten")).isCloseTo(30.0 / 130, within(1e-12));
  }

  @Test
  void theStraightLineBasisKeepsItsCatchmentsAcrossTheRiver() {
    Map<String, Double> expected = oracle(false);
    assertMatches(computed(straight), expected);
    assertThat(expected.get("R F1")).isCloseTo(0.4, within(1e-12));
  }

  @Test
  void everyPlaceIsApportionedAndStraightLinePairsComeFromASedonaJoin() {
    Row sums =
        network
            .communities()
            .where(col("category").equalTo("kindergarten"))
            .selectExpr("sum(reachable_places)")
            .first();
    assertThat(sums.getDouble(0)).isCloseTo(60 + 30, within(1e-9));
    SparkPlans.assertSedonaSpatialJoin(straight.cells());
  }
}
