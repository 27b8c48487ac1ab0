package org.lifecircle.indicators;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.catalog.IndicatorCatalog;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;

/**
 * City health-check (城市体检) indicators from the indicator catalog (catalogs/indicators.yaml or the
 * city's catalogs.indicators), written to checkup_indicators: one row per area level, area,
 * indicator (and breakdown), with the catalog's unit and target and whether the value meets it.
 *
 * <p>Reads building_population, building_access, community_coverage and the silver buildings and
 * facilities (all required), compounds (old-compound indicators are skipped with a note when the
 * city has none) and idle_assets (idle indicators are skipped with a note when the table does not
 * exist or holds no row for the city; it is the asset ledger as it stands, not as of the snapshot
 * date). Coverage-type indicators use the coverage distance basis of building_access and are
 * reported per community, street, district and city; stock, idle and density indicators per city.
 * Methods and their definitions: {@link HomeIndicators}, {@link ResidentMethods}, {@link
 * StockMethods}; residential land is approximated by the footprint area of residential buildings.
 */
public final class IndicatorsStage implements Stage {
  public static final String NAME = "indicators";
  private static final Logger LOG = LogManager.getLogger(IndicatorsStage.class);

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Adaptive execution off at every size: it re-plans each of the roll-ups' many small shuffles
   * into more jobs than it saves. SF 0.1 with the large profile, this stage alone: 54.5 s and 53.2
   * s with it, 253 jobs; 42.9 s without, 45 jobs (docs/BENCHMARKS.md, session 8).
   */
  @Override
  public Map<String, String> sparkSettings() {
    return Map.of("spark.sql.adaptive.enabled", "false");
  }

  /** compounds and idle_assets are optional: their indicators are skipped with a note. */
  @Override
  public Doors doors() {
    return Doors.reads(
            Tables.BUILDING_POPULATION,
            Tables.BUILDING_ACCESS,
            Tables.COMMUNITY_COVERAGE,
            Tables.BUILDINGS,
            Tables.FACILITIES,
            Tables.COMPOUNDS,
            Tables.IDLE_ASSETS)
        .writes(Tables.CHECKUP_INDICATORS)
        .checks("inputs_not_empty", "indicator_categories", "indicators_computed");
  }

  @Override
  public StageResult run(SparkSession spark, RunContext ctx, StageTables tables) {
    // indicator_categories: checked once per run by Catalogs.load, before any stage starts.
    IndicatorCatalog catalog = ctx.catalogs().indicators();
    IndicatorInputs in = IndicatorInputs.read(ctx, tables);
    List<String> notes = new ArrayList<>();
    // The union of every indicator's rows has a partition per partition of each branch (77 on the
    // demo, 67 files for its 755 rows): written in as many tasks as the cores, into as many files.
    Dataset<Row> rows =
        compute(catalog, in, notes).coalesce(spark.sparkContext().defaultParallelism());
    long written = tables.replaceSnapshot(Tables.CHECKUP_INDICATORS, rows);
    List<String> headlines = headlines(tables.snapshot(Tables.CHECKUP_INDICATORS), catalog, notes);
    long homes = tables.rows(Tables.BUILDING_POPULATION);
    in.unpersist();
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put(Tables.CHECKUP_INDICATORS, written);
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("indicators", catalog.indicators().size());
    metrics.put("skipped", notes.size());
    return new StageResult(homes, written, 0, counts, List.of(), metrics, headlines);
  }

  /**
   * checkup_indicators rows (without city_code and snapshot_date) for every catalog indicator whose
   * inputs exist; a note for each one skipped.
   */
  public static Dataset<Row> compute(
      IndicatorCatalog catalog, IndicatorInputs in, List<String> notes) {
    IndicatorCatalog.Parameters p = catalog.parameters();
    HomeIndicators homes = HomeIndicators.of(catalog, in);
    Dataset<Row> out = homes.rows();
    for (IndicatorCatalog.Indicator i : catalog.indicators()) {
      if (homes.holds(i)) {
        continue;
      }
      Dataset<Row> values = values(i, p, in);
      if (values == null) {
        String note = String.format("skipped %s: %s", i.code(), missing(i.method()));
        LOG.info("indicators: {}", note);
        notes.add(note);
        continue;
      }
      Dataset<Row> rows = withTarget(values, i);
      out = out == null ? rows : out.unionByName(rows);
    }
    if (out == null) {
      throw PipelineException.cannot(
          "compute", "checkup indicators", "every indicator of the catalog was skipped", notes);
    }
    return out;
  }

  /**
   * The values of one indicator not counted per home ({@link HomeIndicators} holds those), or null
   * when an optional input is missing.
   */
  static Dataset<Row> values(
      IndicatorCatalog.Indicator i, IndicatorCatalog.Parameters p, IndicatorInputs in) {
    List<String> levels = i.levels();
    switch (i.method()) {
      case "complete_communities":
        return ResidentMethods.completeCommunities(in, levels);
      case "complete_community_residents":
        return ResidentMethods.completeCommunityResidents(in, levels);
      case "capacity_per_1000":
        return StockMethods.capacityPer1000(in, i.categories());
      case "old_compound_residents", "old_compound_no_elevator":
        return null; // reached only without compounds: HomeIndicators holds them otherwise
      case "dangerous_buildings":
        return StockMethods.dangerous(in, p, false);
      case "dangerous_floor_area":
        return StockMethods.dangerous(in, p, true);
      case "idle_floor_area":
        return in.idle() == null ? null : StockMethods.idleArea(in, p, "floor_area_m2");
      case "idle_land_area":
        return in.idle() == null ? null : StockMethods.idleArea(in, p, "land_area_m2");
      case "hotspot_cells":
        return ResidentMethods.hotspots(in, p, false);
      case "hotspot_residents":
        return ResidentMethods.hotspots(in, p, true);
      default:
        throw new IllegalStateException("method without a computation: " + i.method());
    }
  }

  private static String missing(String method) {
    return method.startsWith("idle")
        ? "no idle_assets rows for the city (run the assets stage)"
        : "no compounds snapshot for the city";
  }

  /** Adds indicator_code, unit, target and meets_target; the catalog values travel as literals. */
  static Dataset<Row> withTarget(Dataset<Row> values, IndicatorCatalog.Indicator i) {
    Column[] target = targetColumns(col("value"), i);
    return values.select(
        col("area_level"),
        col("area_code"),
        lit(i.code()).as("indicator_code"),
        col("breakdown"),
        col("value"),
        target[0].as("unit"),
        target[1].as("target"),
        target[2].as("meets_target"));
  }

  /** unit, target and meets_target of the indicator for a value. */
  static Column[] targetColumns(Column value, IndicatorCatalog.Indicator i) {
    IndicatorCatalog.Target t = i.target();
    Column meets = lit(null).cast("boolean");
    if (t != null) {
      meets =
          when(
              value.isNotNull(),
              "at_least".equals(t.direction())
                  ? value.geq(lit(t.value()))
                  : value.leq(lit(t.value())));
    }
    return new Column[] {
      lit(i.unit()), t == null ? lit(null).cast("double") : lit(t.value()), meets
    };
  }

  /** The city-level indicator table, in catalog order. */
  static List<String> headlines(
      Dataset<Row> written, IndicatorCatalog catalog, List<String> notes) {
    Map<String, List<Row>> byCode = new HashMap<>();
    for (Row r :
        written
            .where(col("area_level").equalTo("city"))
            .orderBy(col("indicator_code"), col("breakdown").asc_nulls_first())
            .select("indicator_code", "breakdown", "value", "unit", "target", "meets_target")
            .collectAsList()) {
      byCode.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r);
    }
    List<String> lines = new ArrayList<>();
    lines.add("  city health-check indicators (城市体检), city level:");
    for (IndicatorCatalog.Indicator i : catalog.indicators()) {
      for (Row r : byCode.getOrDefault(i.code(), List.of())) {
        String label = r.isNullAt(1) ? i.code() : "  by " + r.getString(1);
        String target =
            r.isNullAt(4)
                ? ""
                : String.format(
                    "  target %s %s: %s",
                    "at_least".equals(i.target().direction()) ? ">=" : "<=",
                    number(r.getDouble(4)),
                    r.isNullAt(5) ? "n/a" : r.getBoolean(5) ? "met" : "NOT met");
        // The Chinese name goes last: wide characters would break the column alignment.
        lines.add(
            String.format(
                "    %-40s %14s %-28s %s",
                label,
                r.isNullAt(2) ? "n/a" : number(r.getDouble(2)),
                r.getString(3) + target,
                r.isNullAt(1) ? i.nameZh() : ""));
      }
    }
    notes.forEach(n -> lines.add("    " + n));
    return lines;
  }

  private static String number(double v) {
    return Math.abs(v) >= 100 || v == Math.rint(v)
        ? String.format("%,.0f", v)
        : String.format("%.3f", v);
  }
}
