package org.lifecircle.bench;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.access.AccessStage;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.SparkSessions;
import org.lifecircle.io.DeltaTables;
import org.lifecircle.io.Tables;
import org.lifecircle.network.GraphBuilder;
import org.lifecircle.network.NearestSearch;
import org.lifecircle.network.NetworkAccess;
import org.lifecircle.network.WalkGraph;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.index.strtree.STRtree;

/**
 * Writes what the scale benchmark's baselines need from one pipeline run into plain files, so the
 * JTS floor, PostGIS, GeoPandas and pgRouting compute from exactly the inputs our access and
 * network stages used (the silver tables, already in the metric CRS) and are checked against our
 * result:
 *
 * <pre>
 *   homes.csv        building_id,x,y          (building_population origins)
 *   facilities.csv   facility_id,category,x,y (silver facilities)
 *   categories.csv   code,threshold_m,cutoff_m
 *   access_ours/     Parquet: building_id, category, facility_id, distance_m (building_access)
 *   nodes.csv, edges.csv   the walk graph as the network stage builds it
 *   origins.csv      a sample of facilities, each at its nearest graph node, with its cutoff
 *   network_ours.csv origin,node,distance_m: our bounded search from each sampled origin
 *   network_ours.json our search time per origin
 * </pre>
 *
 * <p>Usage: {@code BaselineExport <city.yaml> <warehouse> <date> <out dir> <origins per category>}.
 */
public final class BaselineExport {
  private BaselineExport() {}

  public static void main(String[] args) throws IOException {
    CityConfig city = CityConfig.load(Path.of(args[0]));
    RunContext ctx =
        new RunContext("baseline-export", city, LocalDate.parse(args[2]), Path.of(args[1]));
    Path out = Path.of(args[3]);
    int originsPerCategory = Integer.parseInt(args[4]);
    Files.createDirectories(out);
    SparkSession spark = SparkSessions.create("baseline-export", "local[*]", false);
    try {
      FacilityCatalog catalog = ctx.catalogs().facilities();
      double cutoffMultiple = city.limits().cutoffMultiple();
      Dataset<Row> homes =
          DeltaTables.readSnapshot(spark, ctx, "building_population")
              .selectExpr(
                  "building_id",
                  "ST_X(ST_GeomFromWKB(origin)) AS x",
                  "ST_Y(ST_GeomFromWKB(origin)) AS y");
      csv(homes, out, "homes.csv");
      Dataset<Row> facilities =
          DeltaTables.readSnapshot(spark, ctx, "facilities")
              .selectExpr(
                  "facility_id",
                  "category",
                  "ST_X(ST_GeomFromWKB(geometry)) AS x",
                  "ST_Y(ST_GeomFromWKB(geometry)) AS y");
      csv(facilities, out, "facilities.csv");
      try (PrintWriter w =
          new PrintWriter(Files.newBufferedWriter(out.resolve("categories.csv")))) {
        w.println("code,threshold_m,cutoff_m");
        for (FacilityCatalog.Category c : catalog.categories()) {
          w.printf(
              Locale.ROOT,
              "%s,%s,%s%n",
              c.code(),
              c.reachM(),
              Math.max(c.thresholdM(), c.reachM()) * cutoffMultiple);
        }
      }
      DeltaTables.readSnapshot(spark, ctx, "building_access")
          .select(
              col("building_id"),
              col("category"),
              col("nearest_facility_id").as("facility_id"),
              col("distance_m"))
          .write()
          .mode("overwrite")
          .parquet(out.resolve("access_ours").toString());
      // The access transform alone, counted instead of written: what the stage costs without its
      // Delta write, the part comparable with a baseline that keeps its result in memory.
      long t0 = System.nanoTime();
      long rows =
          AccessStage.access(
                  spark,
                  DeltaTables.input(spark, ctx, "building_population"),
                  DeltaTables.input(spark, ctx, "facilities"),
                  catalog,
                  new AccessStage.Basis("straight_line", 1.0))
              .count();
      Files.writeString(
          out.resolve("access_ours.json"),
          String.format(
              Locale.ROOT,
              "{\"rows\": %d, \"transform_count_s\": %.2f}%n",
              rows,
              (System.nanoTime() - t0) / 1e9));
      if (city.has("walk_network")) {
        network(spark, ctx, facilities, catalog, cutoffMultiple, out, originsPerCategory);
      }
    } finally {
      spark.stop();
    }
  }

  private static void csv(Dataset<Row> df, Path out, String name) throws IOException {
    Path tmp = out.resolve(name + ".parts");
    df.coalesce(1).write().mode("overwrite").option("header", "true").csv(tmp.toString());
    try (Stream<Path> parts = Files.list(tmp)) {
      Path part =
          parts
              .filter(p -> p.getFileName().toString().startsWith("part-"))
              .findFirst()
              .orElseThrow();
      Files.move(part, out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
    try (Stream<Path> rest = Files.walk(tmp)) {
      rest.sorted((a, b) -> b.compareTo(a))
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }

  private static void network(
      SparkSession spark,
      RunContext ctx,
      Dataset<Row> facilities,
      FacilityCatalog catalog,
      double cutoffMultiple,
      Path out,
      int originsPerCategory)
      throws IOException {
    WalkGraph g =
        GraphBuilder.build(
            NetworkAccess.readWays(DeltaTables.readSnapshot(spark, ctx, Tables.WALK_NETWORK)),
            GraphBuilder.MERGE_TOLERANCE_M,
            GraphBuilder.IslandRule.DEFAULT);
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.resolve("nodes.csv")))) {
      w.println("node,x,y");
      for (int v = 0; v < g.nodeCount(); v++) {
        w.printf(Locale.ROOT, "%d,%.3f,%.3f%n", v, g.nodeX(v), g.nodeY(v));
      }
    }
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.resolve("edges.csv")))) {
      w.println("edge,source,target,length_m");
      for (int e = 0; e < g.edgeCount(); e++) {
        w.printf(Locale.ROOT, "%d,%d,%d,%s%n", e + 1, g.edgeFrom(e), g.edgeTo(e), g.edgeLength(e));
      }
    }
    STRtree nodes = new STRtree();
    for (int v = 0; v < g.nodeCount(); v++) {
      nodes.insert(new Envelope(g.nodeX(v), g.nodeX(v), g.nodeY(v), g.nodeY(v)), v);
    }
    // Every k-th facility of each category in facility_id order: deterministic and spread out.
    List<double[]> origins = new ArrayList<>(); // category index, node, cutoff
    List<FacilityCatalog.Category> cats = List.copyOf(catalog.categories());
    Map<String, List<Row>> byCategory = new HashMap<>();
    for (Row f : facilities.orderBy("facility_id").collectAsList()) {
      byCategory.computeIfAbsent(f.getString(1), c -> new ArrayList<>()).add(f);
    }
    for (int ci = 0; ci < cats.size(); ci++) {
      FacilityCatalog.Category c = cats.get(ci);
      List<Row> fs = byCategory.getOrDefault(c.code(), List.of());
      int step = Math.max(1, fs.size() / Math.max(1, originsPerCategory));
      for (int i = 0, taken = 0; i < fs.size() && taken < originsPerCategory; i += step, taken++) {
        Row f = fs.get(i);
        Coordinate p = new Coordinate(f.getDouble(2), f.getDouble(3));
        Object nearest =
            nodes.nearestNeighbour(
                new Envelope(p),
                p,
                (a, b) -> {
                  int v = (Integer) (a.getItem() instanceof Integer ? a.getItem() : b.getItem());
                  return Math.hypot(g.nodeX(v) - p.x, g.nodeY(v) - p.y);
                });
        origins.add(
            new double[] {
              ci, (Integer) nearest, Math.max(c.thresholdM(), c.reachM()) * cutoffMultiple
            });
      }
    }
    long searchNanos = 0;
    long reachedTotal = 0;
    try (PrintWriter ow = new PrintWriter(Files.newBufferedWriter(out.resolve("origins.csv")));
        PrintWriter nw =
            new PrintWriter(Files.newBufferedWriter(out.resolve("network_ours.csv")))) {
      ow.println("origin,category,node,cutoff_m");
      nw.println("origin,node,distance_m");
      for (int o = 0; o < origins.size(); o++) {
        double[] origin = origins.get(o);
        int node = (int) origin[1];
        ow.printf(
            Locale.ROOT, "%d,%s,%d,%s%n", o, cats.get((int) origin[0]).code(), node, origin[2]);
        long t0 = System.nanoTime();
        NearestSearch.Reach reach =
            NearestSearch.run(
                g,
                new NearestSearch.Seeds(new int[] {node}, new double[] {0.0}, new int[] {0}),
                origin[2]);
        searchNanos += System.nanoTime() - t0;
        double[] d = reach.distance();
        for (int v = 0; v < d.length; v++) {
          if (reach.reached(v)) {
            nw.printf(Locale.ROOT, "%d,%d,%s%n", o, v, d[v]);
            reachedTotal++;
          }
        }
      }
    }
    Files.writeString(
        out.resolve("network_ours.json"),
        String.format(
            Locale.ROOT,
            "{\"origins\": %d, \"nodes\": %d, \"edges\": %d, \"seconds_per_origin\": %.6f, \"reached\": %d}%n",
            origins.size(),
            g.nodeCount(),
            g.edgeCount(),
            searchNanos / 1e9 / Math.max(1, origins.size()),
            reachedTotal));
  }
}
