package org.lifecircle.bench;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.SparkSessions;
import org.lifecircle.osm.PbfElements;
import org.lifecircle.osm.PbfWriter;
import org.lifecircle.osm.PbfWriter.Member;
import org.lifecircle.osm.PbfWriter.Node;
import org.lifecircle.osm.PbfWriter.Relation;
import org.lifecircle.osm.PbfWriter.Way;

/**
 * The Java side of the PBF reader benchmark (bench/pbf_read.py runs it; not part of the test
 * suite).
 *
 * <ul>
 *   <li>{@code generate <sf> <out.osm.pbf>}: a synthetic extract the size of the scale benchmark's
 *       city at that scale factor (SF 1: 1,592,789 buildings and 2,035,684 walk edges, as
 *       bench/cities/sf1.yaml generates): each building a closed way of four nodes of its own with
 *       building tags, each walk edge a two-node way on a street grid, one multipolygon relation
 *       per 200 buildings. Written as osmium writes: nodes, then ways, then relations, 8,000
 *       elements and one primitive group per block (a layout Sedona's reader can read too).
 *   <li>{@code read <file> lifecircle|sedona <threads>}: every element of the file through {@link
 *       PbfElements} or Sedona's {@code osmpbf} data source, in a local Spark of that many threads,
 *       aggregated per kind over every column (count, tags, refs, coordinates) so that both readers
 *       decode everything; prints one JSON line: seconds and the aggregates, which the script
 *       compares between readers.
 * </ul>
 */
public final class PbfReadBench {
  static final long SF1_BUILDINGS = 1_592_789;
  static final long SF1_WALK_EDGES = 2_035_684;
  static final int PER_BLOCK = 8_000;
  static final int BUILDINGS_PER_RELATION = 200;
  static final double LON0 = 113.5;
  static final double LAT0 = 30.2;
  static final double M_PER_DEG_LON = 95_900.0;
  static final double M_PER_DEG_LAT = 110_860.0;

  private PbfReadBench() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "generate" -> generate(Double.parseDouble(args[1]), Path.of(args[2]));
      case "read" -> read(Path.of(args[1]), args[2], Integer.parseInt(args[3]));
      default -> throw new IllegalArgumentException("generate or read, not " + args[0]);
    }
  }

  /** The synthetic extract's layout at a scale factor. */
  record Layout(long buildings, long walkEdges, int gridSide, long relations) {
    static Layout of(double sf) {
      long buildings = Math.round(SF1_BUILDINGS * sf);
      long edges = Math.round(SF1_WALK_EDGES * sf);
      // An n x n grid has 2 n (n - 1) edges.
      int n = (int) Math.ceil((1 + Math.sqrt(1 + 2.0 * edges)) / 2);
      return new Layout(buildings, edges, n, buildings / BUILDINGS_PER_RELATION);
    }

    long nodes() {
      return 4 * buildings + (long) gridSide * gridSide;
    }

    /** Node ids: four corners per building, then the street grid row by row. */
    Node node(long id) {
      long i = id - 1;
      if (i < 4 * buildings) {
        long b = i / 4;
        int corner = (int) (i % 4);
        long side = (long) Math.ceil(Math.sqrt(buildings));
        double x = (b % side) * 30.0 + (corner == 1 || corner == 2 ? 20 : 0);
        double y = (b / side) * 30.0 + (corner >= 2 ? 15 : 0);
        Map<String, String> tags =
            b % 1000 == 0 && corner == 0 ? Map.of("entrance", "main") : Map.of();
        return new Node(id, lon(x + jitter(id)), lat(y + jitter(~id)), tags);
      }
      long g = i - 4 * buildings;
      return new Node(
          id,
          lon((g % gridSide) * 100.0 + jitter(id)),
          lat((g / gridSide) * 100.0 + jitter(~id)),
          Map.of());
    }

    /**
     * A deterministic offset of up to 2 m either way, so that coordinate deltas vary as surveyed
     * ones do: a perfect grid compresses far better than any real extract.
     */
    static double jitter(long seed) {
      long h = seed * 0x9E3779B97F4A7C15L;
      h ^= h >>> 29;
      return ((h & 0xFFFF) / 65535.0 - 0.5) * 4;
    }

    Way way(long id) {
      long i = id - 1;
      if (i < buildings) {
        long first = 4 * i + 1;
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("building", i % 10 < 7 ? "yes" : i % 10 < 9 ? "residential" : "apartments");
        if (i % 3 == 0) {
          tags.put("building:levels", String.valueOf(1 + i % 30));
        }
        if (i % 5 == 0) {
          tags.put("addr:housenumber", String.valueOf(1 + i % 200));
        }
        return new Way(id, new long[] {first, first + 1, first + 2, first + 3, first}, tags);
      }
      long e = i - buildings;
      long horizontal = (long) gridSide * (gridSide - 1);
      long from;
      long to;
      if (e < horizontal) {
        long row = e / (gridSide - 1);
        long col = e % (gridSide - 1);
        from = row * gridSide + col;
        to = from + 1;
      } else {
        long v = e - horizontal;
        from = v;
        to = v + gridSide;
      }
      Map<String, String> tags = new LinkedHashMap<>();
      tags.put("highway", e % 4 == 0 ? "residential" : "footway");
      if (e % 10 == 0) {
        tags.put("name", "幸福路" + (e % 100));
      }
      long base = 4 * buildings + 1;
      return new Way(id, new long[] {base + from, base + to}, tags);
    }

    Relation relation(long id) {
      long outer = (id - 1) * BUILDINGS_PER_RELATION + 1;
      return new Relation(
          id,
          List.of(new Member("WAY", outer, "outer")),
          Map.of("type", "multipolygon", "building", "yes"));
    }
  }

  static double lon(double x) {
    return LON0 + x / M_PER_DEG_LON;
  }

  static double lat(double y) {
    return LAT0 + y / M_PER_DEG_LAT;
  }

  static void generate(double sf, Path out) throws Exception {
    Layout l = Layout.of(sf);
    long t0 = System.nanoTime();
    Files.createDirectories(out.toAbsolutePath().getParent());
    try (OutputStream f = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20);
        PbfWriter w = new PbfWriter(f)) {
      List<Node> nodes = new ArrayList<>(PER_BLOCK);
      for (long id = 1; id <= l.nodes(); id++) {
        nodes.add(l.node(id));
        if (nodes.size() == PER_BLOCK || id == l.nodes()) {
          w.block(nodes, List.of(), List.of(), List.of());
          nodes.clear();
        }
      }
      List<Way> ways = new ArrayList<>(PER_BLOCK);
      long wayCount = l.buildings() + l.walkEdges();
      for (long id = 1; id <= wayCount; id++) {
        ways.add(l.way(id));
        if (ways.size() == PER_BLOCK || id == wayCount) {
          w.block(List.of(), List.of(), ways, List.of());
          ways.clear();
        }
      }
      List<Relation> relations = new ArrayList<>(PER_BLOCK);
      for (long id = 1; id <= l.relations(); id++) {
        relations.add(l.relation(id));
        if (relations.size() == PER_BLOCK || id == l.relations()) {
          w.block(List.of(), List.of(), List.of(), relations);
          relations.clear();
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "{\"sf\": %s, \"nodes\": %d, \"ways\": %d, \"relations\": %d, \"building_ways\": %d,"
            + " \"walk_ways\": %d, \"bytes\": %d, \"generate_s\": %.1f}%n",
        sf,
        l.nodes(),
        l.buildings() + l.walkEdges(),
        l.relations(),
        l.buildings(),
        l.walkEdges(),
        Files.size(out),
        (System.nanoTime() - t0) / 1e9);
  }

  static void read(Path file, String reader, int threads) {
    SparkSession spark = SparkSessions.create("pbf-read-bench", "local[" + threads + "]", false);
    spark.sparkContext().setLogLevel("WARN");
    long t0 = System.nanoTime();
    Dataset<Row> elements =
        switch (reader) {
          case "lifecircle" -> PbfElements.read(spark, file.toString());
          case "sedona" -> spark.read().format("osmpbf").load(file.toString());
          default -> throw new IllegalArgumentException("lifecircle or sedona, not " + reader);
        };
    List<Row> rows =
        elements
            .groupBy(lower(col("kind")).as("kind"))
            .agg(
                count(lit(1)),
                sum(sizeOrZero("tags")),
                sum(sizeOrZero("refs")),
                sum(nanodegrees("location.longitude")),
                sum(nanodegrees("location.latitude")))
            .collectAsList();
    double seconds = (System.nanoTime() - t0) / 1e9;
    int partitions = elements.rdd().getNumPartitions();
    Map<String, String> byKind = new TreeMap<>();
    for (Row r : rows) {
      byKind.put(
          r.getString(0),
          String.format(
              Locale.ROOT,
              "{\"count\": %d, \"tags\": %d, \"refs\": %d, \"lon_e7_sum\": %d,"
                  + " \"lat_e7_sum\": %d}",
              r.getLong(1),
              r.getLong(2),
              r.getLong(3),
              r.getLong(4),
              r.getLong(5)));
    }
    List<String> kinds = new ArrayList<>();
    byKind.forEach((k, v) -> kinds.add("\"" + k + "\": " + v));
    System.out.printf(
        Locale.ROOT,
        "{\"reader\": \"%s\", \"threads\": %d, \"partitions\": %d, \"seconds\": %.2f,"
            + " \"kinds\": {%s}}%n",
        reader,
        threads,
        partitions,
        seconds,
        String.join(", ", kinds));
    spark.stop();
  }

  /**
   * A coordinate in the file's units (100 nanodegrees) as a whole number, 0 when null: sums of
   * these are exact, so the two readers' sums compare equal whatever order their tasks add in.
   */
  private static Column nanodegrees(String name) {
    return coalesce(round(col(name).multiply(1e7)).cast("long"), lit(0L));
  }

  /** The size of an array or map column, 0 when it is null (Spark's size(null) is -1). */
  private static Column sizeOrZero(String name) {
    return when(col(name).isNull(), lit(0)).otherwise(size(col(name)));
  }
}
