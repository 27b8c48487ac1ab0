package org.lifecircle.report;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;

/**
 * One self-contained HTML file per city and date ({@code <warehouse>/_reports/<city>/<date>.html}):
 * the headline figures ({@link Headlines}), coverage per category, a map of the city with a
 * category switch ({@link SvgMap}), the top of the gap ledger, coverage per district, the city's
 * check-up indicators against their targets, the recommended sites and the run's data quality.
 * Chinese first, English beside it; opens without a network.
 */
public final class ReportStage implements Stage {
  public static final String NAME = "report";
  static final int TOP_GAPS = 10;

  /** The console summary's figure lines, made from the figures this stage has read. */
  private List<String> consoleSummary;

  @Override
  public String name() {
    return NAME;
  }

  /** Writes no table but an HTML file; walk_network and the last two gold tables are optional. */
  @Override
  public Doors doors() {
    return Doors.reads(
        Tables.ADMIN_AREAS,
        Tables.BUILDINGS,
        Tables.FACILITIES,
        Tables.WALK_NETWORK,
        Tables.SERVICE_AREAS,
        Tables.BUILDING_POPULATION,
        Tables.BUILDING_ACCESS,
        Tables.COMMUNITY_COVERAGE,
        Tables.COVERAGE_GAPS,
        Tables.CHECKUP_INDICATORS,
        Tables.GAP_FILL_CANDIDATES,
        Tables.RUN_LOG,
        Tables.QUARANTINE);
  }

  @Override
  public StageResult run(SparkSession spark, RunContext ctx, StageTables tables) {
    FacilityCatalog catalog = ctx.catalogs().facilities();
    Names names = Names.load(tables, catalog);
    Headlines head = Headlines.compute(spark, tables, catalog);
    Html h = new Html();
    h.title(ctx.city().name() + " · 一刻钟便民生活圈 15-minute life circle · " + ctx.snapshotDate());
    h.p(
        String.format(
            Locale.ROOT,
            "城市 City %s · 快照 snapshot %s · run %s · %s",
            ctx.cityCode(),
            ctx.snapshotDate(),
            ctx.runId(),
            Instant.now().truncatedTo(ChronoUnit.SECONDS)));

    h.h2("概要", "Headlines");
    h.figures(
        List.of(
            new Html.Figure("residents", "常住人口 Residents placed in homes", head.residents(), null),
            new Html.Figure("homes", "住宅建筑 Homes", head.homes(), null),
            new Html.Figure(
                "unmet_residents",
                "至少一类设施不达标的居民 Residents with at least one unmet" + " category (distinct people)",
                head.unmetResidents(),
                share(head.unmetResidents(), head.residents())),
            new Html.Figure(
                "communities", "社区 Communities (admin_areas)", head.communities(), null),
            new Html.Figure(
                "populated_communities",
                "有居民的社区 Communities with residents",
                head.populatedCommunities(),
                "of " + head.communities() + " communities 个社区"),
            new Html.Figure(
                "complete_communities",
                "完整社区 Complete communities (among those with" + " residents)",
                head.completeCommunities(),
                "of " + head.populatedCommunities()),
            new Html.Figure(
                "distance_gaps",
                "距离缺口 Distance gaps (community × category)",
                head.distanceGaps(),
                null),
            new Html.Figure(
                "capacity_gaps",
                "容量缺口 Capacity gaps (community × category)",
                head.capacityGaps(),
                null)));

    String worst = Sections.coverageByCategory(tables, h, catalog, head);
    List<SvgMap.Point> sites = Sections.recommendationSites(tables);
    h.h2("地图", "Map");
    h.raw(Sections.categorySwitch(catalog, worst));
    SvgMap.Layers layers =
        MapLayers.load(
            tables,
            names.categoryOrder(),
            names.categories(),
            names.areas(),
            worst,
            sites,
            levels(ctx.catalogs().facilities()));
    h.raw("<figure>" + SvgMap.render(layers) + "</figure>");
    if (!layers.serviceAreas().isEmpty()) {
      // A planner sees red homes inside the blue and asks why (Helsinki: 11 of 107 for pharmacies).
      double buffer = ctx.city().limits().serviceAreaBufferM();
      h.p(
          String.format(
              Locale.ROOT,
              "蓝色为步行服务范围：该类圈层分钟内步行可达的街道及其两侧至多 %.0f 米。住宅是否覆盖按它自己的步行计算"
                  + "（从住宅到最近的街道，再沿路网），所以服务范围内也可能有未覆盖的住宅。 Blue: the walk"
                  + " service area, the streets reached within the category's minutes and up to %.0f m"
                  + " either side. A home is covered by its own walk, from the home to its nearest street and"
                  + " along the network, so an uncovered home can stand inside the blue.",
              buffer,
              buffer));
    }
    h.raw(Sections.SWITCH_SCRIPT);
    consoleSummary = Summary.lines(head, names, Sections.topGaps(tables, h, names));
    Sections.districts(tables, h, names);
    Sections.indicators(tables, h, ctx.catalogs().indicators());
    Sections.recommendations(tables, h, names);
    Sections.quality(ctx, tables, h);

    Path out =
        ctx.warehouse()
            .resolve("_reports")
            .resolve(ctx.cityCode())
            .resolve(ctx.snapshotDate() + ".html");
    try {
      Files.createDirectories(out.getParent());
      Files.writeString(out, h.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw PipelineException.cannot("write", "report", e.getMessage(), out, e);
    }
    return new StageResult(
        head.homes(),
        1,
        0,
        new LinkedHashMap<>(),
        List.of(),
        Map.of("report", out.toString()),
        List.of("  report: " + out));
  }

  /**
   * The console summary's figure lines ({@link Summary}) when this instance has run, so that the
   * run's end prints them without reading the tables again.
   */
  public Optional<List<String>> consoleSummary() {
    return Optional.ofNullable(consoleSummary);
  }

  private static String share(long part, long whole) {
    return whole == 0 ? null : String.format(Locale.ROOT, "(%.1f%%)", 100.0 * part / whole);
  }

  /** Names for codes: categories from the catalog (catalog order), areas from admin_areas. */
  record Names(
      Map<String, String> categories, List<String> categoryOrder, Map<String, String> areas) {
    static Names load(StageTables tables, FacilityCatalog catalog) {
      Map<String, String> cats = new LinkedHashMap<>();
      catalog.categories().forEach(c -> cats.put(c.code(), c.nameZh() + " " + c.nameEn()));
      Map<String, String> areas = new HashMap<>();
      for (Row r :
          tables
              .snapshot(Tables.ADMIN_AREAS)
              .select(col("area_code"), col("area_name"))
              .collectAsList()) {
        areas.put(
            r.getString(0), r.isNullAt(1) ? r.getString(0) : r.getString(1) + " " + r.getString(0));
      }
      return new Names(cats, new ArrayList<>(cats.keySet()), areas);
    }

    String category(String code) {
      return categories.getOrDefault(code, code);
    }

    String area(String code) {
      return code == null ? "—" : areas.getOrDefault(code, code);
    }
  }

  /** Each category's life-circle level in minutes: the service area the map draws for it. */
  private static Map<String, Integer> levels(FacilityCatalog catalog) {
    Map<String, Integer> out = new LinkedHashMap<>();
    catalog.categories().forEach(c -> out.put(c.code(), c.level()));
    return out;
  }
}
