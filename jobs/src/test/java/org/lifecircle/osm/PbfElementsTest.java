package org.lifecircle.osm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.lifecircle.common.PipelineException;
import org.lifecircle.osm.PbfWriter.Member;
import org.lifecircle.osm.PbfWriter.Node;
import org.lifecircle.osm.PbfWriter.Relation;
import org.lifecircle.osm.PbfWriter.Way;

/**
 * Reading .osm.pbf files whose blocks hold several primitive groups, as Osmosis writes them: every
 * node, way and relation written must come back, with its tags, coordinates and members. The
 * expectations are the elements the test wrote.
 */
class PbfElementsTest {
  private static SparkSession spark;

  @BeforeAll
  static void session() {
    spark = TestSpark.session();
  }

  private static final List<Node> DENSE =
      List.of(
          new Node(1, 114.3001, 30.6001, Map.of()),
          new Node(2, 114.3002, 30.6001, Map.of("entrance", "main")),
          new Node(3, 114.3002, 30.6002, Map.of()),
          new Node(5, 114.3001, 30.6002, Map.of("amenity", "pharmacy", "name", "药店")));
  private static final List<Node> PLAIN =
      List.of(
          new Node(7, 114.3010, 30.6010, Map.of("highway", "bus_stop")),
          new Node(9, 114.3020, 30.6010, Map.of()));
  private static final List<Way> WAYS_1 =
      List.of(
          new Way(100, new long[] {1, 2, 3, 5, 1}, Map.of("building", "yes")),
          new Way(101, new long[] {7, 9}, Map.of("highway", "footway")));
  private static final List<Way> WAYS_2 =
      List.of(new Way(102, new long[] {9, 3}, Map.of("highway", "service")));
  private static final List<Relation> RELATIONS =
      List.of(
          new Relation(
              400,
              List.of(new Member("WAY", 100, "outer"), new Member("NODE", 2, "entrance")),
              Map.of("type", "multipolygon", "building", "school")),
          new Relation(401, List.of(new Member("RELATION", 400, "")), Map.of("type", "site")));

  /** Two blocks of three and two groups (Osmosis' layout), then a block of one group. */
  private static Path osmosisStyle() throws IOException {
    Path pbf = TestSpark.tempDir("pbf").resolve("osmosis.osm.pbf");
    try (OutputStream f = Files.newOutputStream(pbf);
        PbfWriter w = new PbfWriter(f)) {
      w.block(DENSE, List.of(), WAYS_1, RELATIONS.subList(0, 1));
      w.block(List.of(), PLAIN, WAYS_2, List.of());
      w.block(List.of(), List.of(), List.of(), RELATIONS.subList(1, 2));
    }
    return pbf;
  }

  private static String describe(Row r) {
    String kind = r.getString(0);
    StringBuilder b = new StringBuilder(kind).append(' ').append(r.getLong(1));
    b.append(' ').append(new TreeMap<>(r.<String, String>getJavaMap(3)));
    if (kind.equals("way")) {
      b.append(' ').append(r.getList(4));
    }
    if (kind.equals("relation")) {
      b.append(' ').append(r.getList(4)).append(r.getList(5)).append(r.getList(6));
    }
    return b.toString();
  }

  private static String describe(Node n) {
    return "node " + n.id() + " " + new TreeMap<>(n.tags());
  }

  @Test
  void everyGroupOfEveryBlockIsRead() throws Exception {
    Path pbf = osmosisStyle();
    Dataset<Row> rows = PbfElements.read(spark, pbf.toString());
    List<String> got = new ArrayList<>();
    Map<Long, double[]> located = new TreeMap<>();
    for (Row r : rows.collectAsList()) {
      got.add(describe(r));
      if (r.getString(0).equals("node")) {
        located.put(
            r.getLong(1), new double[] {r.getStruct(2).getDouble(0), r.getStruct(2).getDouble(1)});
      }
    }
    List<String> expected = new ArrayList<>();
    for (Node n : DENSE) {
      expected.add(describe(n));
    }
    for (Node n : PLAIN) {
      expected.add(describe(n));
    }
    for (Way w : WAYS_1) {
      expected.add(
          "way " + w.id() + " " + new TreeMap<>(w.tags()) + " " + Arrays.toString(w.refs()));
    }
    for (Way w : WAYS_2) {
      expected.add(
          "way " + w.id() + " " + new TreeMap<>(w.tags()) + " " + Arrays.toString(w.refs()));
    }
    for (Relation r : RELATIONS) {
      expected.add(
          "relation "
              + r.id()
              + " "
              + new TreeMap<>(r.tags())
              + " "
              + r.members().stream().map(Member::id).toList()
              + r.members().stream().map(Member::role).toList()
              + r.members().stream().map(Member::type).toList());
    }
    assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
    for (Node n : concat(DENSE, PLAIN)) {
      assertThat(located.get(n.id())[0]).isCloseTo(n.lon(), within(1e-7));
      assertThat(located.get(n.id())[1]).isCloseTo(n.lat(), within(1e-7));
    }
    assertThat(OsmExtract.countByKind(rows, pbf))
        .containsExactlyEntriesOf(new TreeMap<>(Map.of("nodes", 6L, "ways", 3L, "relations", 2L)));
  }

  /** The fixture is one that loses data in Sedona 1.8.0's reader: the test above can fail. */
  @Test
  void sedonasReaderLosesTheWaysOfThisFile() throws Exception {
    Path pbf = osmosisStyle();
    long ways =
        spark.read().format("osmpbf").load(pbf.toString()).where("lower(kind) = 'way'").count();
    assertThat(ways).isLessThan(WAYS_1.size() + WAYS_2.size());
  }

  @Test
  void aFileWithNodesButNoWaysStops() throws Exception {
    Path pbf = TestSpark.tempDir("pbf").resolve("nodes.osm.pbf");
    try (OutputStream f = Files.newOutputStream(pbf);
        PbfWriter w = new PbfWriter(f)) {
      w.block(DENSE, List.of(), List.of(), List.of());
    }
    assertThatThrownBy(() -> OsmExtract.countByKind(PbfElements.read(spark, pbf.toString()), pbf))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot read osm extract: it has 4 nodes but no ways, so no buildings, land use"
                + " or walk network (is it a nodes-only cut?) ("
                + pbf
                + ")");
  }

  @Test
  void aTruncatedFileStopsNamingWhere() throws Exception {
    Path full = osmosisStyle();
    byte[] bytes = Files.readAllBytes(full);
    Path cut = full.resolveSibling("cut.osm.pbf");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length - 10));
    assertThatThrownBy(() -> PbfElements.read(spark, cut.toString()))
        .isInstanceOf(PipelineException.class)
        .hasMessageStartingWith(
            "Cannot read osm extract: file is not readable as osm.pbf: it ends"
                + " inside a blob (byte "
                + (bytes.length - 10)
                + " of "
                + bytes.length
                + ")");
  }

  @Test
  void blocksAreSlicedInFileOrder() {
    List<PbfElements.Block> blocks =
        List.of(
            new PbfElements.Block(10, 5),
            new PbfElements.Block(15, 5),
            new PbfElements.Block(20, 5),
            new PbfElements.Block(25, 1));
    assertThat(PbfElements.slices(blocks, 10, 1))
        .containsExactly(blocks.subList(0, 2), blocks.subList(2, 4));
    // At least as many slices as cores while the file is small.
    assertThat(PbfElements.slices(blocks, 1000, 2)).hasSize(2);
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
