package org.lifecircle.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.lifecircle.common.PipelineException;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/** The array search and the JGraphT search agree, ties included; the graph builder merges nodes. */
class SearchAgreementTest {

  @Test
  void arrayAndJGraphTAgreeOnRandomGraphsWithManyTies() {
    Random rnd = new Random(7);
    int reachedTotal = 0;
    for (int round = 0; round < 40; round++) {
      int n = 50 + rnd.nextInt(400);
      int m = n + rnd.nextInt(3 * n);
      int[] from = new int[m];
      int[] to = new int[m];
      double[] w = new double[m];
      for (int e = 0; e < m; e++) {
        from[e] = rnd.nextInt(n);
        to[e] = rnd.nextInt(n);
        // Small integer weights make equal distances (and so source ties) common; every fourth
        // round uses real-valued weights instead.
        w[e] = round % 4 == 3 ? 1 + 20 * rnd.nextDouble() : 1 + rnd.nextInt(8);
      }
      WalkGraph g = rawGraph(n, from, to, w);
      int k = 1 + rnd.nextInt(12);
      int[] node = new int[k];
      double[] dist = new double[k];
      int[] source = new int[k];
      for (int i = 0; i < k; i++) {
        node[i] = rnd.nextInt(n);
        dist[i] = rnd.nextInt(4);
        source[i] = rnd.nextInt(k); // several seeds per source, as facilities seed two nodes
      }
      NearestSearch.Seeds seeds = new NearestSearch.Seeds(node, dist, source);
      double cutoff = round % 5 == 0 ? Double.POSITIVE_INFINITY : 5 + rnd.nextInt(30);
      NearestSearch.Reach a = NearestSearch.run(g, seeds, cutoff);
      NearestSearch.Reach j = JGraphTSearch.run(JGraphTSearch.toJGraphT(g), n, seeds, cutoff);
      assertThat(a.distance()).as("round %d", round).containsExactly(j.distance());
      assertThat(a.source()).as("round %d", round).containsExactly(j.source());
      for (int v = 0; v < n; v++) {
        assertThat(a.reached(v))
            .isEqualTo(a.distance()[v] < Double.POSITIVE_INFINITY && a.distance()[v] <= cutoff);
        reachedTotal += a.reached(v) ? 1 : 0;
      }
    }
    assertThat(reachedTotal).isGreaterThan(1000);
  }

  /** A WalkGraph with the given edges and straight 2-point lines of the given lengths. */
  static WalkGraph rawGraph(int n, int[] from, int[] to, double[] w) {
    int m = from.length;
    int[] coordStart = new int[m + 1];
    for (int e = 0; e <= m; e++) {
      coordStart[e] = 2 * e;
    }
    boolean[] main = new boolean[m];
    Arrays.fill(main, true);
    return new WalkGraph(
        new double[n],
        new double[n],
        from,
        to,
        w,
        main,
        coordStart,
        new double[2 * m],
        new double[2 * m],
        new WalkGraph.Summary(n, m, 0, 0, 0, 0, 0, m, 0));
  }

  @Test
  void endpointsWithinTheToleranceMergeAndIdsWinOverGeometry() {
    List<GraphBuilder.Way> ways =
        List.of(
            new GraphBuilder.Way("a", null, null, new double[] {0, 0, 100, 0}),
            new GraphBuilder.Way(
                "b", null, null, new double[] {100.3, 0.2, 200, 0}), // joins a at 100
            new GraphBuilder.Way("c", null, null, new double[] {200.6, 0, 300, 0}), // 0.6 m: apart
            new GraphBuilder.Way("d", "N1", "N2", new double[] {0, 50, 100, 50}),
            new GraphBuilder.Way(
                "e", "N3", "N4", new double[] {0, 50, 0, 100}), // same place, new id
            new GraphBuilder.Way(
                "f", null, null, new double[] {100, 50.1, 100, 0})); // joins N2 and a/b
    WalkGraph g = GraphBuilder.build(ways, 0.5, new GraphBuilder.IslandRule(0, 0));
    // Ways with ids come first: d (0), e (1), then a (2), b (3), c (4), f (5).
    assertThat(g.edgeTo(2)).isEqualTo(g.edgeFrom(3));
    assertThat(g.edgeTo(3)).isNotEqualTo(g.edgeFrom(4));
    assertThat(g.edgeFrom(0)).isNotEqualTo(g.edgeFrom(1));
    assertThat(g.edgeFrom(5)).isEqualTo(g.edgeTo(0));
    assertThat(g.edgeTo(5)).isEqualTo(g.edgeTo(2));
    assertThat(g.nodeCount()).isEqualTo(9);
    assertThat(g.summary().components()).isEqualTo(3);
    assertThat(g.edgeLength(3)).isEqualTo(Math.hypot(99.7, 0.2));
  }

  @Test
  void islandsAreSmallComponentsAndTheLargestNeverIsOne() {
    List<GraphBuilder.Way> ways = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ways.add(
          new GraphBuilder.Way(
              "m" + (100 + i), null, null, new double[] {i * 10, 0, i * 10 + 10, 0}));
    }
    ways.add(new GraphBuilder.Way("s1", null, null, new double[] {0, 500, 30, 500}));
    WalkGraph g = GraphBuilder.build(ways, 0.5, GraphBuilder.IslandRule.DEFAULT);
    assertThat(g.summary().islands()).isEqualTo(1);
    assertThat(g.summary().islandLengthM()).isEqualTo(30.0);
    assertThat(EdgeSnapper.snap(g, 10, 495, 150)).isNull();
    WalkGraph alone =
        GraphBuilder.build(ways.subList(12, 13), 0.5, GraphBuilder.IslandRule.DEFAULT);
    assertThat(alone.summary().islands()).isZero();
    assertThat(EdgeSnapper.snap(alone, 10, 495, 150)).isEqualTo(new EdgeSnapper.Snap(0, 10, 5));
  }

  @Test
  void broadcastPayloadsSurviveSparksKryo() {
    // Broadcasts go through Kryo, which cannot rebuild records: the graph and the snaps must not
    // carry one (the driver-only summary is transient).
    WalkGraph g =
        GraphBuilder.build(
            NetworkFixture.ways(NetworkFixture.lines()), 0.5, GraphBuilder.IslandRule.DEFAULT);
    EdgeSnapper.Snaps snaps =
        EdgeSnapper.snapAll(g, new double[] {150, -500}, new double[] {103, -500}, 150);
    SerializerInstance kryo =
        new KryoSerializer(
                new SparkConf()
                    .set(
                        "spark.kryo.registrator",
                        "org.apache.sedona.core.serde.SedonaKryoRegistrator"))
            .newInstance();
    ClassTag<Object> any = ClassTag$.MODULE$.AnyRef();
    WalkGraph g2 = (WalkGraph) kryo.deserialize(kryo.serialize(g, any), any);
    EdgeSnapper.Snaps s2 = (EdgeSnapper.Snaps) kryo.deserialize(kryo.serialize(snaps, any), any);
    assertThat(g2.adjWeight()).containsExactly(g.adjWeight());
    assertThat(EdgeSnapper.snap(g2, 150, 103, 150)).isEqualTo(EdgeSnapper.snap(g, 150, 103, 150));
    assertThat(s2.get(0)).isEqualTo(snaps.get(0));
    assertThat(s2.snapped(1)).isFalse();
    // The walk searches' task results and the arrays the access pass reads: cluster executors
    // deserialize both (local mode hands over the driver's objects).
    Tuple2<double[], int[]> found =
        new Tuple2<>(new double[] {120.5, Double.NaN}, new int[] {0, -1});
    @SuppressWarnings("unchecked")
    Tuple2<double[], int[]> found2 =
        (Tuple2<double[], int[]>) kryo.deserialize(kryo.serialize(found, any), any);
    assertThat(found2._1()).containsExactly(found._1());
    assertThat(found2._2()).containsExactly(found._2());
    NetworkDistances d =
        new NetworkDistances(
            List.<String[]>of(new String[] {"F1"}),
            List.of(new BuildingDistances.Result(found._1(), found._2())),
            snaps,
            new int[] {"B1".hashCode(), "B2".hashCode()});
    NetworkDistances d2 = (NetworkDistances) kryo.deserialize(kryo.serialize(d, any), any);
    assertThat(d2.home(1, "B2")).isEqualTo(1);
    assertThat(d2.distance(0, 0)).isEqualTo(120.5);
    assertThat(d2.facilityId(0, 0)).isEqualTo("F1");
    assertThat(d2.distance(0, 1)).isNull();
    assertThat(d2.snapped(0)).isTrue();
  }

  @Test
  void aLineWithOneVertexIsRejected() {
    assertThatThrownBy(() -> new GraphBuilder.Way("x", null, null, new double[] {1, 2}))
        .isInstanceOf(PipelineException.class)
        .hasMessage("Cannot build walk network: an edge needs at least two vertices (x)");
  }
}
