package org.lifecircle.bench;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import com.univocity.parsers.csv.CsvWriter;
import com.univocity.parsers.csv.CsvWriterSettings;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.index.strtree.ItemDistance;
import org.locationtech.jts.index.strtree.STRtree;

/**
 * The scale benchmark's floor: one plain Java process, no Spark, a JTS STRtree per category, the
 * same nearest-facility-per-category result as the access stage from the files {@link
 * BaselineExport} wrote. Threads split the homes; the trees are shared read-only (built before the
 * threads start, so STRtree's lazy build does not race).
 *
 * <p>Usage: {@code JtsNearestFloor <export dir> <threads>}; writes {@code access_floor.csv}
 * (building_id,category,distance_m) and prints a JSON line with the timings.
 */
public final class JtsNearestFloor {
  private JtsNearestFloor() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int threads = Integer.parseInt(args[1]);
    long t0 = System.nanoTime();
    List<String[]> homes = read(dir.resolve("homes.csv"));
    List<String[]> facilities = read(dir.resolve("facilities.csv"));
    List<String> categories = new ArrayList<>();
    read(dir.resolve("categories.csv")).forEach(r -> categories.add(r[0]));
    long t1 = System.nanoTime();
    Map<String, STRtree> trees = new LinkedHashMap<>();
    categories.forEach(c -> trees.put(c, new STRtree()));
    for (String[] f : facilities) {
      STRtree tree = trees.get(f[1]);
      if (tree != null) {
        Coordinate p = new Coordinate(Double.parseDouble(f[2]), Double.parseDouble(f[3]));
        tree.insert(new Envelope(p), p);
      }
    }
    trees.values().forEach(STRtree::build);
    int n = homes.size();
    double[] hx = column(homes, 1);
    double[] hy = column(homes, 2);
    long t2 = System.nanoTime();
    ItemDistance pointDistance =
        (a, b) -> ((Coordinate) a.getItem()).distance((Coordinate) b.getItem());
    List<STRtree> ordered = categories.stream().map(trees::get).toList();
    double[] distance = new double[n * ordered.size()];
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> parts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int from = (int) ((long) n * t / threads);
      int to = (int) ((long) n * (t + 1) / threads);
      parts.add(
          pool.submit(
              () -> {
                for (int i = from; i < to; i++) {
                  Coordinate home = new Coordinate(hx[i], hy[i]);
                  Envelope env = new Envelope(home);
                  for (int c = 0; c < ordered.size(); c++) {
                    STRtree tree = ordered.get(c);
                    Coordinate nearest =
                        tree.isEmpty()
                            ? null
                            : (Coordinate) tree.nearestNeighbour(env, home, pointDistance);
                    distance[i * ordered.size() + c] =
                        nearest == null ? Double.NaN : home.distance(nearest);
                  }
                }
              }));
    }
    for (Future<?> f : parts) {
      f.get();
    }
    pool.shutdown();
    long t3 = System.nanoTime();
    try (Writer w =
        Files.newBufferedWriter(dir.resolve("access_floor.csv"), StandardCharsets.UTF_8)) {
      CsvWriter csv = new CsvWriter(w, new CsvWriterSettings());
      csv.writeHeaders("building_id", "category", "distance_m");
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < ordered.size(); c++) {
          double d = distance[i * ordered.size() + c];
          csv.writeRow(
              homes.get(i)[0], categories.get(c), Double.isNaN(d) ? null : Double.toString(d));
        }
      }
      csv.close();
    }
    long t4 = System.nanoTime();
    System.out.printf(
        Locale.ROOT,
        "{\"baseline\": \"jts_floor\", \"threads\": %d, \"homes\": %d, \"categories\": %d,"
            + " \"facilities\": %d, \"rows\": %d, \"read_s\": %.2f, \"index_s\": %.2f, \"compute_s\": %.2f,"
            + " \"write_s\": %.2f}%n",
        threads,
        n,
        ordered.size(),
        facilities.size(),
        (long) n * ordered.size(),
        (t1 - t0) / 1e9,
        (t2 - t1) / 1e9,
        (t3 - t2) / 1e9,
        (t4 - t3) / 1e9);
  }

  /** Column {@code k} of every row, as numbers. */
  static double[] column(List<String[]> rows, int k) {
    double[] out = new double[rows.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Double.parseDouble(rows.get(i)[k]);
    }
    return out;
  }

  static List<String[]> read(Path file) throws IOException {
    CsvParserSettings settings = new CsvParserSettings();
    settings.setHeaderExtractionEnabled(true);
    try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return new CsvParser(settings).parseAll(reader);
    }
  }
}
