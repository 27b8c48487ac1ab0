package org.lifecircle.assets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.jgrapht.Graph;
import org.jgrapht.alg.shortestpath.DijkstraShortestPath;
import org.jgrapht.graph.DefaultWeightedEdge;
import org.jgrapht.graph.SimpleWeightedGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lifecircle.SparkPlans;
import org.lifecircle.TestSpark;
import org.lifecircle.network.WalkNetwork;
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
public class CandidatePairsOracleTest {
  private static final GeometryFactory GF = new GeometryFactory();
  private static final Map<String, Double> THRESHOLDS =
      Map.of("kindergarten", 300.0, "pharmacy", 500.0, "elderly_care", 1000.0);
  private static final List<String> CATEGORIES =
      List.of("kindergarten", "pharmacy", "elderly_care");
  private static final double DETOUR = 1.3;

  public record Asset(String id, double x, double y, List<String> hosts) {}

  public record Home(
      String id, String category, double x, double y, boolean detour, long residents) {}

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

  /**
   * A random city on a walk network: grids of 100 m blocks (every east-west street kept, and the
   * western north-south one, so the graph is one piece; other north-south blocks dropped at
   * random), assets and homes standing on streets at whole metres, and one street of 2 km west of
   * the grid with an asset and two homes in its middle, far from both ends: only the walk along the
   * street itself (not round by its ends) reaches the first home. Every fourth home is short of two
   * categories. The oracle walks JGraphT's Dijkstra on a graph built here, each street split where
   * something stands on it. The adequacy tests use it too (NetworkCellsOracleTest).
   */
  public record NetworkCity(
      List<Asset> assets,
      List<Home> homes,
      WalkNetwork network,
      DijkstraShortestPath<String, DefaultWeightedEdge> oracle) {
    /** The oracle's pairs: "category asset home residents" when the walk is within reach. */
    List<String> walked() {
      List<String> out = new ArrayList<>();
      for (Asset a : assets) {
        for (Home h : homes) {
          if (a.hosts().contains(h.category())
              && oracle.getPathWeight(a.id(), h.id()) <= THRESHOLDS.get(h.category())) {
            out.add(h.category() + " " + a.id() + " " + h.id() + " " + h.residents());
          }
        }
      }
      return out;
    }
  }

  public static NetworkCity networkCity(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double x0 = 500_000;
    double y0 = 3_400_000;
    int n = 8;
    List<int[]> streets = new ArrayList<>(); // i0, j0, i1, j1 of grid nodes
    for (int j = 0; j < n; j++) {
      for (int i = 0; i + 1 < n; i++) {
        streets.add(new int[] {i, j, i + 1, j});
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j + 1 < n; j++) {
        if (i == 0 || r.nextInt(3) == 0) {
          streets.add(new int[] {i, j, i, j + 1});
        }
      }
    }
    // Each thing on a street: its street and whole metres from the street's first node.
    Map<String, int[]> standing = new TreeMap<>();
    List<Asset> assets = new ArrayList<>();
    List<Home> homes = new ArrayList<>();
    for (int k = 0; k < 12 + 150; k++) {
      int s = r.nextInt(streets.size());
      int t = r.nextInt(1, 100);
      int[] st = streets.get(s);
      double x = x0 + 100 * st[0] + (st[2] - st[0]) * t;
      double y = y0 + 100 * st[1] + (st[3] - st[1]) * t;
      if (k < 12) {
        String id = String.format("A%03d", k);
        assets.add(new Asset(id, x, y, CATEGORIES.stream().filter(c -> r.nextInt(4) > 0).toList()));
        standing.put(id, new int[] {s, t});
      } else {
        String id = String.format("B%04d", k);
        String category = CATEGORIES.get(r.nextInt(CATEGORIES.size()));
        homes.add(new Home(id, category, x, y, false, r.nextInt(1, 50)));
        if (k % 4 == 0) {
          // A home short of two categories: one target, two entries.
          String other = CATEGORIES.get((CATEGORIES.indexOf(category) + 1) % CATEGORIES.size());
          homes.add(new Home(id, other, x, y, false, r.nextInt(1, 50)));
        }
        standing.put(id, new int[] {s, t});
      }
    }
    streets.add(new int[] {-20, 0, 0, 0});
    int longStreet = streets.size() - 1;
    assets.add(new Asset("A900", x0 - 1000, y0, List.of("kindergarten")));
    standing.put("A900", new int[] {longStreet, 1000});
    homes.add(new Home("B9000", "kindergarten", x0 - 1250, y0, false, 7));
    standing.put("B9000", new int[] {longStreet, 750});
    homes.add(new Home("B9001", "kindergarten", x0 - 1310, y0, false, 7));
    standing.put("B9001", new int[] {longStreet, 690});
    SparkSession spark = TestSpark.session();
    List<Row> lines = new ArrayList<>();
    for (int k = 0; k < streets.size(); k++) {
      int[] st = streets.get(k);
      lines.add(
          RowFactory.create(
              String.format("E%03d", k),
              null,
              null,
              new WKBWriter()
                  .write(
                      GF.createLineString(
                          new Coordinate[] {
                            new Coordinate(x0 + 100 * st[0], y0 + 100 * st[1]),
                            new Coordinate(x0 + 100 * st[2], y0 + 100 * st[3])
                          }))));
    }
    WalkNetwork network =
        WalkNetwork.of(
            spark,
            "990102",
            spark.createDataFrame(
                lines,
                StructType.fromDDL(
                    "edge_id STRING, from_node STRING, to_node STRING, geometry BINARY")),
            5.0);
    Graph<String, DefaultWeightedEdge> g = new SimpleWeightedGraph<>(DefaultWeightedEdge.class);
    for (int k = 0; k < streets.size(); k++) {
      int[] st = streets.get(k);
      TreeMap<Integer, List<String>> along = new TreeMap<>();
      along.put(0, new ArrayList<>(List.of(st[0] + "," + st[1])));
      int length = 100 * (Math.abs(st[2] - st[0]) + Math.abs(st[3] - st[1]));
      along.put(length, new ArrayList<>(List.of(st[2] + "," + st[3])));
      int street = k;
      standing.forEach(
          (id, at) -> {
            if (at[0] == street) {
              along.computeIfAbsent(at[1], t -> new ArrayList<>()).add(id);
            }
          });
      String before = null;
      int beforeT = 0;
      for (Map.Entry<Integer, List<String>> e : along.entrySet()) {
        for (String v : e.getValue()) {
          g.addVertex(v);
          if (before != null) {
            g.setEdgeWeight(g.addEdge(before, v), e.getKey() - beforeT);
          }
          before = v;
          beforeT = e.getKey();
        }
      }
    }
    return new NetworkCity(assets, homes, network, new DijkstraShortestPath<>(g));
  }

  /**
   * On the network basis ({@link NetworkCandidates}): a pair counts when the walk is within the
   * threshold. Both the pairs and each asset's gain (the target residents it covers) are compared
   * with the oracle's.
   */
  @ParameterizedTest
  @ValueSource(longs = {4, 5})
  void pairsOnTheNetworkEqualABruteForceWalk(long seed) {
    NetworkCity city = networkCity(seed);
    List<Asset> assets = city.assets();
    SparkSession spark = TestSpark.session();
    Dataset<Row> homeFrame =
        homeFrame(spark, city.homes()).withColumn("distance_basis", functions.lit("network"));
    List<String> got = new ArrayList<>();
    Map<String, Map<String, Long>> gains;
    try (NetworkCandidates walks =
        NetworkCandidates.of(
            assetFrame(spark, assets),
            candidateFrame(spark, assets),
            homeFrame,
            CATEGORIES,
            city.network())) {
      Map<String, Set<String>> every = new TreeMap<>();
      for (String c : CATEGORIES) {
        every.put(c, assets.stream().map(Asset::id).collect(Collectors.toSet()));
      }
      walks
          .pairs(every)
          .forEach(
              (c, byAsset) ->
                  byAsset.values().stream()
                      .flatMap(List::stream)
                      .forEach(
                          p ->
                              got.add(
                                  c
                                      + " "
                                      + p.assetId()
                                      + " "
                                      + p.buildingId()
                                      + " "
                                      + p.weight())));
      gains = walks.gains();
    }
    List<String> walked = city.walked();
    assertThat(got).containsExactlyInAnyOrderElementsOf(walked);
    assertThat(got).contains("kindergarten A900 B9000 7").noneMatch(p -> p.contains("B9001"));
    Map<String, Map<String, Long>> sums = new TreeMap<>();
    for (String p : walked) {
      String[] f = p.split(" ");
      sums.computeIfAbsent(f[0], c -> new TreeMap<>()).merge(f[1], Long.parseLong(f[3]), Long::sum);
    }
    assertThat(gains).isEqualTo(sums);
    // The walk drops pairs the straight line keeps: the test tells the two apart.
    long straight =
        assets.stream()
            .flatMap(
                a ->
                    city.homes().stream()
                        .filter(
                            h ->
                                a.hosts().contains(h.category())
                                    && Math.hypot(a.x() - h.x(), a.y() - h.y())
                                        <= THRESHOLDS.get(h.category())))
            .count();
    assertThat((long) walked.size()).isPositive().isLessThan(straight);
  }

  /**
   * The recommend stage's candidates where a city has homes on both bases (some on the walk
   * network, some off it, straight line times the detour factor): the greedy plan from {@link
   * RecommendStage.SparkCandidates} (walks and the distance join merged, per asset) equals the plan
   * from the oracle's pairs held in memory.
   */
  @ParameterizedTest
  @ValueSource(longs = {6, 7})
  void planOnMixedBasesEqualsThePlanFromTheOraclePairs(long seed) {
    NetworkCity city = networkCity(seed);
    List<Asset> assets = city.assets();
    // Every third home off the network (its walk is not counted; its straight line is).
    List<Home> homes = new ArrayList<>();
    for (int i = 0; i < city.homes().size(); i++) {
      Home h = city.homes().get(i);
      homes.add(new Home(h.id(), h.category(), h.x(), h.y(), i % 3 == 0, h.residents()));
    }
    Map<String, List<GapFillPlan.Pair>> oracle = new TreeMap<>();
    for (Asset a : assets) {
      for (Home h : homes) {
        double threshold = THRESHOLDS.get(h.category());
        boolean covers =
            a.hosts().contains(h.category())
                && (h.detour()
                    ? Math.hypot(a.x() - h.x(), a.y() - h.y()) * DETOUR <= threshold
                    : city.oracle().getPathWeight(a.id(), h.id()) <= threshold);
        if (covers) {
          oracle
              .computeIfAbsent(h.category(), c -> new ArrayList<>())
              .add(new GapFillPlan.Pair(a.id(), h.id(), h.residents()));
        }
      }
    }
    List<GapFillPlan.CategoryGap> gaps = new ArrayList<>();
    for (String c : CATEGORIES) {
      long uncovered =
          homes.stream().filter(h -> h.category().equals(c)).mapToLong(Home::residents).sum();
      gaps.add(new GapFillPlan.CategoryGap(c, uncovered, false, 3, THRESHOLDS.get(c), "network"));
    }
    SparkSession spark = TestSpark.session();
    Dataset<Row> uncovered =
        homeFrame(spark, homes)
            .withColumn(
                "distance_basis",
                functions
                    .when(functions.col("distance_basis").equalTo("straight_line"), "network")
                    .otherwise(functions.col("distance_basis")));
    List<GapFillPlan.Recommendation> got;
    try (RecommendStage.SparkCandidates source =
        new RecommendStage.SparkCandidates(
            assetFrame(spark, assets),
            candidateFrame(spark, assets),
            uncovered,
            DETOUR,
            city.network(),
            gaps,
            CATEGORIES)) {
      got = GapFillPlan.plan(gaps, source);
    }
    List<GapFillPlan.Recommendation> want =
        GapFillPlan.plan(gaps, c -> oracle.getOrDefault(c, List.of()));
    assertThat(got).isEqualTo(want);
    // Some asset covers homes on both bases in one category: its gain is the two parts summed.
    Set<String> offNetwork =
        homes.stream().filter(Home::detour).map(Home::id).collect(Collectors.toSet());
    Map<String, Set<Boolean>> kinds = new TreeMap<>();
    oracle.forEach(
        (c, pairs) ->
            pairs.forEach(
                p ->
                    kinds
                        .computeIfAbsent(c + " " + p.assetId(), k -> new TreeSet<>())
                        .add(offNetwork.contains(p.buildingId()))));
    assertThat(kinds.values()).contains(Set.of(true, false));
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
