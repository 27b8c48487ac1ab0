package org.lifecircle.osm;

import crosby.binary.BinaryParser;
import crosby.binary.Fileformat;
import crosby.binary.Osmformat;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.LongStream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IOUtils;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;
import org.lifecircle.common.PipelineException;
import scala.collection.JavaConverters;

/**
 * The elements of an .osm.pbf file as a Spark dataset, every primitive group of every block read.
 *
 * <p>Why not Sedona's {@code osmpbf} source: Sedona 1.8.0 reads only the first primitive group of a
 * block, and files written by Osmosis (and some other writers) put dense nodes, ways and relations
 * in one block, so every way and relation was lost without a word. Decoding is the format's own
 * protobuf classes and {@link BinaryParser} (OSM-binary, the reference implementation), which walks
 * every group; this class only frames the file (a 4-byte length and a BlobHeader before each blob,
 * as the format specifies) so that blocks are decoded in parallel tasks, a slice of blocks each,
 * through Hadoop's FileSystem (a local path, HDFS or S3 alike). A task decodes its blocks one at a
 * time as its rows are consumed: holding a whole slice's rows made the reader four times slower
 * than Sedona's at SF 1 (docs/BENCHMARKS.md).
 *
 * <p>The schema is the subset of Sedona's that the extract assembly uses: {@code kind} (node, way,
 * relation), {@code id}, {@code location} (WGS84), {@code tags}, {@code refs}, {@code ref_roles},
 * {@code ref_types}.
 */
public final class PbfElements {
  public static final StructType SCHEMA =
      StructType.fromDDL(
          "kind STRING, id LONG,"
              + " location STRUCT<longitude: DOUBLE, latitude: DOUBLE>, tags MAP<STRING, STRING>,"
              + " refs ARRAY<LONG>, ref_roles ARRAY<STRING>, ref_types ARRAY<STRING>");

  /** Blob data per task: large enough that a task's fixed cost is small, small enough to spread. */
  static final long BYTES_PER_SLICE = 16L << 20;

  private static final int MAX_HEADER = 64 * 1024;
  private static final int MAX_BLOB = 32 * 1024 * 1024;

  /** One data blob of the file: where its bytes start and how many there are. */
  record Block(long offset, int size) {}

  private PbfElements() {}

  /** Every node, way and relation of the file (lazy: decoded when the dataset is computed). */
  public static Dataset<Row> read(SparkSession spark, String path) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<Block> blocks = blocks(conf, path);
    List<List<Block>> slices =
        slices(blocks, BYTES_PER_SLICE, spark.sparkContext().defaultParallelism());
    Map<String, String> settings = new HashMap<>();
    conf.forEach(e -> settings.put(e.getKey(), e.getValue()));
    // A slice travels as offset, size, offset, size... (Spark's Kryo cannot serialize records).
    List<long[]> packed =
        slices.stream()
            .map(
                slice ->
                    slice.stream()
                        .flatMapToLong(b -> LongStream.of(b.offset(), b.size()))
                        .toArray())
            .toList();
    JavaRDD<Row> rows =
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(packed, Math.max(1, packed.size()))
            .flatMap(slice -> decode(settings, path, slice));
    return spark.createDataFrame(rows, SCHEMA);
  }

  /** The data blobs of the file, in file order, from a scan of the blob headers only. */
  static List<Block> blocks(Configuration conf, String path) {
    Path p = new Path(path);
    List<Block> blocks = new ArrayList<>();
    try (FSDataInputStream in = p.getFileSystem(conf).open(p)) {
      long length = p.getFileSystem(conf).getFileStatus(p).getLen();
      long at = 0;
      while (at < length) {
        in.seek(at);
        int headerSize = new DataInputStream(in).readInt();
        if (headerSize <= 0 || headerSize > MAX_HEADER) {
          throw corrupt(path, "blob header size " + headerSize + " at byte " + at);
        }
        byte[] header = new byte[headerSize];
        in.readFully(header);
        Fileformat.BlobHeader h = Fileformat.BlobHeader.parseFrom(header);
        if (h.getDatasize() < 0 || h.getDatasize() > MAX_BLOB) {
          throw corrupt(path, "blob size " + h.getDatasize() + " at byte " + at);
        }
        long data = at + 4 + headerSize;
        if (data + h.getDatasize() > length) {
          throw corrupt(
              path,
              "it ends inside a blob (byte " + length + " of " + (data + h.getDatasize()) + ")");
        }
        if ("OSMData".equals(h.getType())) {
          blocks.add(new Block(data, h.getDatasize()));
        } else if (!"OSMHeader".equals(h.getType())) {
          throw corrupt(path, "unknown blob type '" + h.getType() + "' at byte " + at);
        }
        at = data + h.getDatasize();
      }
    } catch (EOFException e) {
      throw corrupt(path, "it ends inside a blob header");
    } catch (IOException e) {
      throw PipelineException.cannot(
          "read", "osm extract", "file is not readable as osm.pbf: " + e.getMessage(), path, e);
    }
    return blocks;
  }

  /** Consecutive blocks grouped into slices of about {@code bytes}, at least {@code minSlices}. */
  static List<List<Block>> slices(List<Block> blocks, long bytes, int minSlices) {
    long total = blocks.stream().mapToLong(Block::size).sum();
    long target = Math.max(1, Math.min(bytes, total / Math.max(1, minSlices)));
    List<List<Block>> slices = new ArrayList<>();
    List<Block> current = new ArrayList<>();
    long size = 0;
    for (Block b : blocks) {
      current.add(b);
      size += b.size();
      if (size >= target) {
        slices.add(current);
        current = new ArrayList<>();
        size = 0;
      }
    }
    if (!current.isEmpty()) {
      slices.add(current);
    }
    return slices;
  }

  /**
   * The rows of a slice's blocks, decoded one block at a time as the task consumes them, so that a
   * task holds one block's rows (at most 8,000 elements as writers cut them), not its slice's.
   */
  static Iterator<Row> decode(Map<String, String> settings, String path, long[] slice)
      throws IOException {
    Configuration conf = new Configuration(false);
    settings.forEach(conf::set);
    Path p = new Path(path);
    FSDataInputStream in = p.getFileSystem(conf).open(p);
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) t -> IOUtils.closeStream(in));
    }
    return new Iterator<>() {
      private int next;
      private Iterator<Row> block = Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!block.hasNext() && next < slice.length) {
          Block b = new Block(slice[next], (int) slice[next + 1]);
          next += 2;
          try {
            byte[] blob = new byte[b.size()];
            in.readFully(b.offset(), blob);
            Collector collector = new Collector();
            collector.parse(Osmformat.PrimitiveBlock.parseFrom(inflate(path, b, blob)));
            block = collector.rows.iterator();
          } catch (IOException e) {
            throw new UncheckedIOException(e); // as an IOException from the task would have been
          }
        }
        if (!block.hasNext() && next <= slice.length) {
          next = slice.length + 1; // the file is closed once, when the last block is done
          IOUtils.closeStream(in);
        }
        return block.hasNext();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return block.next();
      }
    };
  }

  /** A blob's block bytes: stored raw or zlib-compressed (the two compressions writers use). */
  static byte[] inflate(String path, Block b, byte[] blobBytes) throws IOException {
    Fileformat.Blob blob = Fileformat.Blob.parseFrom(blobBytes);
    if (blob.hasRaw()) {
      return blob.getRaw().toByteArray();
    }
    if (!blob.hasZlibData()) {
      String kind =
          blob.hasLzmaData()
              ? "lzma"
              : blob.hasLz4Data() ? "lz4" : blob.hasZstdData() ? "zstd" : "unknown";
      throw PipelineException.cannot(
          "read",
          "osm extract",
          "block at byte "
              + b.offset()
              + " uses compression '"
              + kind
              + "' (recompress it with osmium cat)",
          path);
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(blob.getZlibData().toByteArray());
      byte[] out = new byte[blob.getRawSize()];
      int n = inflater.inflate(out);
      if (n != out.length) {
        throw corrupt(
            path,
            "block at byte " + b.offset() + " inflates to " + n + " bytes, not " + out.length);
      }
      if (!inflater.finished()) {
        // Full at its raw size with the stream not at its end: damaged, or a wrong raw size.
        throw corrupt(
            path,
            "block at byte "
                + b.offset()
                + " does not end its zlib stream at its raw size ("
                + out.length
                + " bytes)");
      }
      return out;
    } catch (DataFormatException e) {
      throw corrupt(path, "block at byte " + b.offset() + " is not valid zlib data");
    } finally {
      inflater.end();
    }
  }

  private static PipelineException corrupt(String path, String what) {
    return PipelineException.cannot(
        "read", "osm extract", "file is not readable as osm.pbf: " + what, path);
  }

  /** Rows from every group of each block it is given ({@link BinaryParser} walks the groups). */
  static final class Collector extends BinaryParser {
    final List<Row> rows = new ArrayList<>();

    @Override
    protected void parseDense(Osmformat.DenseNodes nodes) {
      long id = 0;
      long lat = 0;
      long lon = 0;
      int kv = 0;
      for (int i = 0; i < nodes.getIdCount(); i++) {
        id += nodes.getId(i);
        lat += nodes.getLat(i);
        lon += nodes.getLon(i);
        Map<String, String> tags = new HashMap<>();
        // keys_vals: key, value, key, value, ..., 0 after each node (absent when no node has tags).
        while (kv < nodes.getKeysValsCount() && nodes.getKeysVals(kv) != 0) {
          tags.put(getStringById(nodes.getKeysVals(kv)), getStringById(nodes.getKeysVals(kv + 1)));
          kv += 2;
        }
        kv++;
        rows.add(node(id, parseLon(lon), parseLat(lat), tags));
      }
    }

    @Override
    protected void parseNodes(List<Osmformat.Node> nodes) {
      for (Osmformat.Node n : nodes) {
        Map<String, String> tags = new HashMap<>();
        for (int i = 0; i < n.getKeysCount(); i++) {
          tags.put(getStringById(n.getKeys(i)), getStringById(n.getVals(i)));
        }
        rows.add(node(n.getId(), parseLon(n.getLon()), parseLat(n.getLat()), tags));
      }
    }

    @Override
    protected void parseWays(List<Osmformat.Way> ways) {
      for (Osmformat.Way w : ways) {
        long[] refs = new long[w.getRefsCount()];
        long ref = 0;
        for (int i = 0; i < refs.length; i++) {
          ref += w.getRefs(i);
          refs[i] = ref;
        }
        rows.add(
            RowFactory.create(
                "way", w.getId(), null, tags(w.getKeysList(), w.getValsList()), refs, null, null));
      }
    }

    @Override
    protected void parseRelations(List<Osmformat.Relation> relations) {
      for (Osmformat.Relation r : relations) {
        int n = r.getMemidsCount();
        long[] refs = new long[n];
        String[] roles = new String[n];
        String[] types = new String[n];
        long ref = 0;
        for (int i = 0; i < n; i++) {
          ref += r.getMemids(i);
          refs[i] = ref;
          roles[i] = getStringById(r.getRolesSid(i));
          types[i] = r.getTypes(i).name();
        }
        rows.add(
            RowFactory.create(
                "relation",
                r.getId(),
                null,
                tags(r.getKeysList(), r.getValsList()),
                refs,
                roles,
                types));
      }
    }

    @Override
    protected void parse(Osmformat.HeaderBlock header) {
      // Header blobs are not handed to the tasks (see blocks()).
    }

    @Override
    public void complete() {}

    private Row node(long id, double lon, double lat, Map<String, String> tags) {
      return RowFactory.create(
          "node", id, RowFactory.create(lon, lat), scalaMap(tags), null, null, null);
    }

    private Object tags(List<Integer> keys, List<Integer> vals) {
      Map<String, String> tags = new HashMap<>();
      for (int i = 0; i < keys.size(); i++) {
        tags.put(getStringById(keys.get(i)), getStringById(vals.get(i)));
      }
      return scalaMap(tags);
    }

    /** Spark's row encoder takes a Scala map for a MapType column. */
    private static Object scalaMap(Map<String, String> tags) {
      return JavaConverters.mapAsScalaMapConverter(tags).asScala();
    }
  }
}
