package org.lifecircle.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.access.FacilityCatalog;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.io.DeltaTables;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;

/**
 * One self-contained HTML file per city and date ({@code <warehouse>/_reports/<city>/<date>.html}):
 * headline figures, coverage by category and district, a static SVG map of gaps and recommended
 * sites, the check-up indicators and the run's data-quality summary. Opens without a network.
 */
public final class ReportStage implements Stage {
  public static final String NAME = "report";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public StageResult run(SparkSession spark, RunContext ctx) {
    FacilityCatalog catalog = FacilityCatalog.load(ctx.city());
    Map<String, String> names = new HashMap<>();
    catalog.categories().forEach(c -> names.put(c.code(), c.nameZh() + " " + c.nameEn()));
    Html h = new Html();
    h.title(ctx.city().name() + " · 15-minute life circle · " + ctx.snapshotDate());
    h.p(String.format("City %s, snapshot %s, run %s, written %s.", ctx.cityCode(),
        ctx.snapshotDate(), ctx.runId(), Instant.now()));

    Dataset<Row> homes = DeltaTables.input(spark, ctx, "building_population");
    Row head = homes.agg(sum("residents"), count(lit(1)), countDistinct("community_code")).first();
    Dataset<Row> coverage = DeltaTables.input(spark, ctx, "community_coverage");
    long complete = coverage.where(col("area_level").equalTo("community").and(col("complete_community")))
        .select("area_code").distinct().count();
    Dataset<Row> gaps = DeltaTables.readSnapshot(spark, ctx, "coverage_gaps");
    Row gapHead = gaps.agg(count(lit(1)), sum("target_residents_uncovered")).first();
    h.h2("Headlines");
    h.table(List.of("figure", "value"), List.of(
        List.of("residents", fmt(head.getLong(0))),
        List.of("residential buildings", fmt(head.getLong(1))),
        List.of("communities", fmt(head.getLong(2))),
        List.of("complete communities (完整社区)", complete + " of " + head.getLong(2)),
        List.of("gaps (community × category)", fmt(gapHead.getLong(0))),
        List.of("target residents left uncovered", gapHead.isNullAt(1) ? "0" : fmt(gapHead.getLong(1)))));

    h.h2("Coverage by category (city)");
    List<List<String>> rows = new ArrayList<>();
    for (Row r : coverage.where(col("area_level").equalTo("city")).orderBy("category")
        .select("category", "target_residents", "covered_target_residents", "coverage_rate",
            "distance_basis").collectAsList()) {
      rows.add(List.of(names.getOrDefault(r.getString(0), r.getString(0)), fmt(r.getLong(1)),
          fmt(r.getLong(2)), pct(r, 3), r.getString(4)));
    }
    h.table(List.of("category", "target residents", "covered", "coverage", "distance basis"), rows);
    districtTable(h, coverage, names);

    h.h2("Map: gaps per community and recommended sites");
    h.raw(map(spark, ctx, gaps));
    h.h2("Top gaps");
    rows = new ArrayList<>();
    for (Row r : gaps.orderBy("gap_kind", "rank").limit(25).select("rank", "gap_kind",
        "community_code", "category", "target_residents_uncovered", "nearest_distance_m",
        "severity").collectAsList()) {
      rows.add(List.of(String.valueOf(r.getInt(0)), r.getString(1), r.getString(2),
          names.getOrDefault(r.getString(3), r.getString(3)), fmt(r.getLong(4)),
          r.isNullAt(5) ? "—" : String.format(Locale.ROOT, "%.0f m", r.getDouble(5)),
          String.format(Locale.ROOT, "%.1f", r.getDouble(6))));
    }
    h.table(List.of("rank", "kind", "community", "category", "uncovered", "nearest", "severity"), rows);
    optionalTable(spark, ctx, h, "gap_fill_candidates", "Recommended idle assets",
        List.of("category", "rank", "asset_id", "newly_covered_target_residents", "remaining_uncovered"));
    optionalTable(spark, ctx, h, "checkup_indicators", "City check-up indicators (城市体检)",
        List.of("area_level", "area_code", "indicator_code", "value", "unit", "target", "meets_target"));
    quality(spark, ctx, h);

    Path out = ctx.warehouse().resolve("_reports").resolve(ctx.cityCode())
        .resolve(ctx.snapshotDate() + ".html");
    try {
      Files.createDirectories(out.getParent());
      Files.writeString(out, h.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw PipelineException.cannot("write", "report", e.getMessage(), out, e);
    }
    return new StageResult(head.getLong(1), 1, 0, new LinkedHashMap<>(), List.of(),
        Map.of("report", out.toString()), List.of("  report: " + out));
  }

  private static void districtTable(Html h, Dataset<Row> coverage, Map<String, String> names) {
    List<Row> d = coverage.where(col("area_level").equalTo("district")).orderBy("area_code", "category")
        .select("area_code", "category", "coverage_rate").collectAsList();
    List<String> cats = d.stream().map(r -> r.getString(1)).distinct().sorted().toList();
    Map<String, Map<String, String>> byDistrict = new LinkedHashMap<>();
    for (Row r : d) {
      byDistrict.computeIfAbsent(r.getString(0), k -> new HashMap<>()).put(r.getString(1), pct(r, 2));
    }
    List<String> header = new ArrayList<>(List.of("district"));
    cats.forEach(c -> header.add(c));
    List<List<String>> rows = new ArrayList<>();
    byDistrict.forEach((district, m) -> {
      List<String> row = new ArrayList<>(List.of(district));
      cats.forEach(c -> row.add(m.getOrDefault(c, "—")));
      rows.add(row);
    });
    h.h2("Coverage by district");
    h.table(header, rows);
  }

  private static String map(SparkSession spark, RunContext ctx, Dataset<Row> gaps) {
    Map<String, Long> gapCount = new HashMap<>();
    for (Row r : gaps.where(col("gap_kind").equalTo("distance")).groupBy("community_code").count()
        .collectAsList()) {
      gapCount.put(r.getString(0), r.getLong(1));
    }
    WKBReader reader = new WKBReader();
    List<SvgMap.Area> areas = new ArrayList<>();
    long most = 0;
    try {
      for (Row r : DeltaTables.input(spark, ctx, "admin_areas").where(col("level").equalTo("community"))
          .select("area_code", "area_name", "geometry").collectAsList()) {
        long n = gapCount.getOrDefault(r.getString(0), 0L);
        most = Math.max(most, n);
        areas.add(new SvgMap.Area(reader.read((byte[]) r.get(2)), n,
            r.getString(0) + " " + (r.isNullAt(1) ? "" : r.getString(1)) + ": " + n + " gaps"));
      }
      List<SvgMap.Marker> markers = new ArrayList<>();
      if (DeltaTables.exists(spark, ctx, "gap_fill_candidates") && DeltaTables.exists(spark, ctx, "idle_assets")) {
        Dataset<Row> picks = DeltaTables.readSnapshot(spark, ctx, "gap_fill_candidates");
        Dataset<Row> assets = spark.read().format("delta").load(ctx.tablePath("idle_assets"))
            .where(col("city_code").equalTo(lit(ctx.cityCode())));
        for (Row r : picks.join(assets.select(col("asset_id"), col("location")), "asset_id")
            .select("asset_id", "category", "location").collectAsList()) {
          Geometry g = reader.read((byte[]) r.get(2));
          markers.add(new SvgMap.Marker(g.getCentroid().getX(), g.getCentroid().getY(), "#2b83ba",
              r.getString(0) + " → " + r.getString(1)));
        }
      }
      return SvgMap.render(areas, markers, Math.max(1, most), 900,
          "communities by number of gaps; blue dots: recommended idle assets");
    } catch (ParseException e) {
      throw PipelineException.cannot("draw", "report map", "a table holds invalid WKB", e.getMessage(), e);
    }
  }

  private static void optionalTable(SparkSession spark, RunContext ctx, Html h, String table,
      String title, List<String> columns) {
    h.h2(title);
    if (!DeltaTables.exists(spark, ctx, table)) {
      h.p("(not computed in this run)");
      return;
    }
    Dataset<Row> df = DeltaTables.readSnapshot(spark, ctx, table);
    List<List<String>> rows = new ArrayList<>();
    for (Row r : df.select(columns.stream().map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new))
        .limit(60).collectAsList()) {
      List<String> cells = new ArrayList<>();
      for (int i = 0; i < columns.size(); i++) {
        cells.add(r.isNullAt(i) ? "—" : String.valueOf(r.get(i)));
      }
      rows.add(cells);
    }
    h.table(columns, rows);
  }

  private static void quality(SparkSession spark, RunContext ctx, Html h) {
    h.h2("Data quality");
    Dataset<Row> log = spark.read().format("delta").load(ctx.tablePath("run_log"))
        .where(col("city_code").equalTo(lit(ctx.cityCode()))
            .and(col("snapshot_date").equalTo(lit(java.sql.Date.valueOf(ctx.snapshotDate()))))
            .and(col("stage").equalTo("ingest")).and(col("source").isNotNull()));
    Dataset<Row> latest = log.join(log.groupBy("source").agg(max("ended_at").as("last")), "source")
        .where(col("ended_at").equalTo(col("last")));
    List<List<String>> rows = new ArrayList<>();
    for (Row r : latest.orderBy("source").select("source", "rows_in", "rows_out", "rows_quarantined")
        .collectAsList()) {
      rows.add(List.of(r.getString(0), fmt(r.getLong(1)), fmt(r.getLong(2)), fmt(r.getLong(3))));
    }
    h.table(List.of("source", "read", "accepted", "quarantined"), rows);
    rows = new ArrayList<>();
    for (Row r : DeltaTables.readSnapshot(spark, ctx, "quarantine").groupBy("stage", "source", "reason_code")
        .count().orderBy(col("count").desc()).collectAsList()) {
      rows.add(List.of(r.getString(0), r.getString(1), r.getString(2), fmt(r.getLong(3))));
    }
    h.table(List.of("stage", "source", "reason", "rows"), rows.isEmpty()
        ? List.of(List.of("—", "—", "nothing quarantined", "0")) : rows);
  }

  private static String fmt(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String pct(Row r, int i) {
    return r.isNullAt(i) ? "—" : String.format(Locale.ROOT, "%.1f%%", 100 * r.getDouble(i));
  }

}
