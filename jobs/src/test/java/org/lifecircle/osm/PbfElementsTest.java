package org.lifecircle.osm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import crosby.binary.Fileformat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
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

  /** What a test writes into a file: its blocks, through the writer. */
  private interface Blocks {
    void write(PbfWriter w) throws IOException;
  }

  /** A new .osm.pbf file of the given blocks. */
  private static Path pbf(String name, Blocks blocks) throws IOException {
    Path pbf = TestSpark.tempDir("pbf").resolve(name);
    try (OutputStream f = Files.newOutputStream(pbf);
        PbfWriter w = new PbfWriter(f)) {
      blocks.write(w);
    }
    return pbf;
  }

  /** Two blocks of three and two groups (Osmosis' layout), then a block of one group. */
  private static Path osmosisStyle() throws IOException {
    return pbf(
        "osmosis.osm.pbf",
        w -> {
          w.block(DENSE, List.of(), WAYS_1, RELATIONS.subList(0, 1));
          w.block(List.of(), PLAIN, WAYS_2, List.of());
          w.block(List.of(), List.of(), List.of(), RELATIONS.subList(1, 2));
        });
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
    Path pbf = pbf("nodes.osm.pbf", w -> w.block(DENSE, List.of(), List.of(), List.of()));
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

  /**
   * A task holds one block's rows at a time (at SF 1 a slice's rows held at once took 5.4 GB and
   * four times as long, docs/BENCHMARKS.md): the first block's rows come out before the second
   * block, spoilt here, is read.
   */
  @Test
  void aSliceIsDecodedBlockByBlockAsItIsConsumed() throws Exception {
    Path pbf =
        pbf(
            "spoilt.osm.pbf",
            w -> {
              w.block(DENSE, List.of(), List.of(), List.of());
              w.block(List.of(), List.of(), WAYS_1, List.of());
            });
    List<PbfElements.Block> blocks = PbfElements.blocks(new Configuration(), pbf.toString());
    PbfElements.Block first = blocks.get(0);
    PbfElements.Block second = blocks.get(1);
    byte[] bytes = Files.readAllBytes(pbf);
    int rawSize =
        Fileformat.Blob.parseFrom(
                Arrays.copyOfRange(
                    bytes, (int) second.offset(), (int) second.offset() + second.size()))
            .getRawSize();
    // The blob's last bytes are its zlib stream's end and checksum.
    for (long i = second.offset() + second.size() - 8; i < second.offset() + second.size(); i++) {
      bytes[(int) i] ^= 0x5A;
    }
    Files.write(pbf, bytes);
    Iterator<Row> rows =
        PbfElements.decode(
            Map.of(),
            pbf.toString(),
            new long[] {first.offset(), first.size(), second.offset(), second.size()});
    for (Node n : DENSE) {
      assertThat(rows.next().getLong(1)).isEqualTo(n.id());
    }
    assertThatThrownBy(rows::hasNext)
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot read osm extract: file is not readable as osm.pbf: block at byte "
                + second.offset()
                + " does not end its zlib stream at its raw size ("
                + rawSize
                + " bytes) ("
                + pbf
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
