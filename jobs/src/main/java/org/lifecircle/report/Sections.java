package org.lifecircle.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.catalog.IndicatorCatalog;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;
import org.lifecircle.population.PopulationStage;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;

/** The report's sections after the headlines: each reads its tables and appends to the page. */
final class Sections {
  /** Switches the map's category: home colours from data-c, that category's points, the legend. */
  static final String SWITCH_SCRIPT =
      "<script>(function(){var s=document.getElementById('lc-cat');"
          + "if(!s)return;function show(){var i=s.selectedIndex,c=s.value;"
          + "document.querySelectorAll('#lc-buildings path[data-c]').forEach(function(p){"
          + "p.setAttribute('fill',p.getAttribute('data-c').charAt(i)==='1'?'"
          + SvgMap.COVERED
          + "':'"
          + SvgMap.UNCOVERED
          + "');});"
          + "document.querySelectorAll('g.lc-cat').forEach(function(g){"
          + "g.style.display=g.getAttribute('data-cat')===c?'inline':'none';});"
          + "var l=document.getElementById('lc-legend-cat');if(l)l.textContent=s.options[i].text;}"
          + "s.addEventListener('change',show);})();</script>";

  private Sections() {}

  /**
   * City coverage per category, worst first; returns the category with most uncovered residents.
   */
  static String coverageByCategory(
      StageTables tables, Html h, FacilityCatalog catalog, Headlines head) {
    h.h2("各类设施覆盖率（全市）", "Coverage by category (city), lowest first");
    List<Row> rows =
        tables
            .snapshot(Tables.COMMUNITY_COVERAGE)
            .where(col("area_level").equalTo("city"))
            .select(
                "category",
                "target_residents",
                "covered_target_residents",
                "coverage_rate",
                "distance_basis")
            .collectAsList();
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(
        Comparator.comparingDouble((Row r) -> r.isNullAt(3) ? 2.0 : r.getDouble(3))
            .thenComparing(r -> r.getString(0)));
    List<List<Object>> table = new ArrayList<>();
    for (Row r : sorted) {
      FacilityCatalog.Category c = catalog.category(r.getString(0));
      table.add(
          List.of(
              c.nameZh() + " " + c.nameEn(),
              c.level() + " min",
              walk(c),
              c.target(),
              fmt(r.getLong(1)),
              fmt(r.getLong(2)),
              // The headline figure (Headlines.uncoveredByCategory), readable as data-figure.
              new Html.FigureCell(
                  "uncovered." + c.code(), head.uncoveredByCategory().get(c.code())),
              pct(r, 3),
              r.getString(4)));
    }
    h.table(
        "coverage",
        List.of(
            "类别 category",
            "圈层 level",
            "步行时间 walk (walker)",
            "目标人群 target",
            "目标人口 target residents",
            "已覆盖 covered",
            "未覆盖 uncovered",
            "覆盖率 coverage",
            "距离口径 basis"),
        table,
        null);
    return head.uncoveredByCategory().entrySet().stream()
        .max(
            Map.Entry.<String, Long>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
        .map(Map.Entry::getKey)
        .orElse(catalog.categories().get(0).code());
  }

  static String categorySwitch(FacilityCatalog catalog, String selected) {
    StringBuilder b =
        new StringBuilder(
            "<div class=\"switch\"><label for=\"lc-cat\">类别 Category: "
                + "</label><select id=\"lc-cat\">");
    for (FacilityCatalog.Category c : catalog.categories()) {
      b.append("<option value=\"")
          .append(SvgMap.escape(c.code()))
          .append('"')
          .append(c.code().equals(selected) ? " selected" : "")
          .append('>')
          .append(SvgMap.escape(c.nameZh() + " " + c.nameEn() + " (" + walk(c) + ")"))
          .append("</option>");
    }
    return b.append(
            "</select> <span class=\"en\">(默认显示未覆盖人口最多的类别 the category with the"
                + " most uncovered target residents is shown first)</span></div>")
        .toString();
  }

  /** The top of the gap ledger, in its one ranking over both gap kinds. */
  static List<Row> topGaps(StageTables tables, Html h, ReportStage.Names names) {
    h.h2("缺口排名（前 " + ReportStage.TOP_GAPS + " 名）", "Top gaps by severity");
    List<List<String>> rows = new ArrayList<>();
    List<Map<String, String>> data = new ArrayList<>();
    List<Row> top = topGapRows(tables);
    for (Row r : top) {
      boolean distance = "distance".equals(r.getString(1));
      rows.add(
          List.of(
              String.valueOf(r.getInt(0)),
              names.area(r.getString(2)),
              names.category(r.getString(3)),
              distance ? "距离 distance" : "容量 capacity",
              fmt(r.getLong(4)),
              r.isNullAt(5) ? "—" : fmt(r.getDouble(5)) + " m",
              fmt(r.getDouble(6)) + " m",
              fmt(r.getDouble(7))));
      Map<String, String> d = new LinkedHashMap<>();
      d.put("rank", String.valueOf(r.getInt(0)));
      d.put("community", r.getString(2));
      d.put("category", r.getString(3));
      d.put("kind", r.getString(1));
      d.put("uncovered", String.valueOf(r.getLong(4)));
      d.put("severity", String.valueOf(r.getDouble(7)));
      data.add(d);
    }
    h.table(
        "top-gaps",
        List.of(
            "排名 rank",
            "社区 community",
            "类别 category",
            "类型 kind",
            "未覆盖目标人口 uncovered target residents",
            "当前最近 nearest now",
            "步行距离 threshold (its walker)",
            "严重程度 severity"),
        rows,
        data);
    return top;
  }

  /**
   * The top of the gap ledger in rank order: rank, gap_kind, community_code, category,
   * target_residents_uncovered, nearest_distance_m, threshold_m, severity (the report's table and
   * the console summary read the same rows).
   */
  static List<Row> topGapRows(StageTables tables) {
    return tables
        .snapshot(Tables.COVERAGE_GAPS)
        .orderBy("rank")
        .limit(ReportStage.TOP_GAPS)
        .select(
            "rank",
            "gap_kind",
            "community_code",
            "category",
            "target_residents_uncovered",
            "nearest_distance_m",
            "threshold_m",
            "severity")
        .collectAsList();
  }

  /** Coverage per district: categories down, districts across, a few districts per table. */
  static void districts(StageTables tables, Html h, ReportStage.Names names) {
    h.h2("各区覆盖率", "Coverage by district");
    Map<String, Map<String, String>> byCategory = new LinkedHashMap<>();
    List<String> districts = new ArrayList<>();
    for (Row r :
        tables
            .snapshot(Tables.COMMUNITY_COVERAGE)
            .where(col("area_level").equalTo("district"))
            // Sorted in one partition: a global orderBy would add a sampling job for a few rows.
            .coalesce(1)
            .sortWithinPartitions("area_code")
            .select("area_code", "category", "coverage_rate")
            .collectAsList()) {
      if (!districts.contains(r.getString(0))) {
        districts.add(r.getString(0));
      }
      byCategory
          .computeIfAbsent(r.getString(1), k -> new HashMap<>())
          .put(r.getString(0), pct(r, 2));
    }
    int per = 6;
    for (int from = 0; from < districts.size(); from += per) {
      List<String> part = districts.subList(from, Math.min(districts.size(), from + per));
      List<String> header = new ArrayList<>(List.of("类别 category"));
      part.forEach(d -> header.add(names.area(d)));
      List<List<String>> rows = new ArrayList<>();
      for (String cat : names.categoryOrder()) {
        Map<String, String> m = byCategory.get(cat);
        if (m == null) {
          continue;
        }
        List<String> row = new ArrayList<>(List.of(names.category(cat)));
        part.forEach(d -> row.add(m.getOrDefault(d, "—")));
        rows.add(row);
      }
      h.table(header, rows);
    }
  }

  /** The city-level check-up indicators with their target and whether it is met. */
  static void indicators(StageTables tables, Html h, IndicatorCatalog catalog) {
    h.h2("城市体检指标（全市）", "City check-up indicators (city level)");
    if (!tables.exists(Tables.CHECKUP_INDICATORS)) {
      h.p("（本次未计算 not computed in this run）");
      return;
    }
    Map<String, IndicatorCatalog.Indicator> byCode = new HashMap<>();
    catalog.indicators().forEach(i -> byCode.put(i.code(), i));
    List<List<String>> rows = new ArrayList<>();
    List<Map<String, String>> data = new ArrayList<>();
    for (Row r :
        tables
            .snapshot(Tables.CHECKUP_INDICATORS)
            .where(col("area_level").equalTo("city"))
            .coalesce(1) // one sorted partition, no sampling job (districts above)
            .sortWithinPartitions("indicator_code", "breakdown")
            .select("indicator_code", "breakdown", "value", "unit", "target", "meets_target")
            .collectAsList()) {
      IndicatorCatalog.Indicator i = byCode.get(r.getString(0));
      String name = i == null ? r.getString(0) : i.nameZh() + " " + i.nameEn();
      String unit = r.getString(3);
      rows.add(
          List.of(
              name + (r.isNullAt(1) ? "" : " · " + r.getString(1)),
              r.isNullAt(2) ? "—" : value(r.getDouble(2), unit),
              r.isNullAt(4) ? "—" : value(r.getDouble(4), unit),
              r.isNullAt(5) ? "—" : r.getBoolean(5) ? "达标 met" : "未达标 not met"));
      Map<String, String> d = new LinkedHashMap<>();
      d.put("indicator", r.getString(0));
      for (int c : new int[] {1, 2, 4, 5}) {
        if (!r.isNullAt(c)) {
          d.put(List.of("", "breakdown", "value", "", "target", "met").get(c), r.get(c).toString());
        }
      }
      data.add(d);
    }
    h.table("indicators", List.of("指标 indicator", "数值 value", "目标 target", "是否达标 met"), rows, data);
  }

  /** Recommended sites as map points (metric CRS), labelled by their pick order in the category. */
  static List<SvgMap.Point> recommendationSites(StageTables tables) {
    List<SvgMap.Point> points = new ArrayList<>();
    if (!tables.exists(Tables.GAP_FILL_CANDIDATES)) {
      return points;
    }
    WKBReader wkb = new WKBReader();
    for (Row r :
        tables
            .snapshot(Tables.GAP_FILL_CANDIDATES)
            .select("category", "rank", "site")
            .collectAsList()) {
      try {
        Geometry g = wkb.read((byte[]) r.get(2));
        points.add(
            new SvgMap.Point(
                r.getString(0), g.getCoordinate().x, g.getCoordinate().y, "#" + r.getInt(1)));
      } catch (ParseException e) {
        throw PipelineException.cannot(
            "draw", "report map", "a table holds invalid WKB", e.getMessage(), e);
      }
    }
    return points;
  }

  /** Recommendations, the category with most newly covered residents first, picks in order. */
  static void recommendations(StageTables tables, Html h, ReportStage.Names names) {
    h.h2("闲置资产补缺推荐", "Recommended idle sites");
    if (!tables.exists(Tables.GAP_FILL_CANDIDATES)) {
      h.p("（本次未计算 not computed in this run）");
      return;
    }
    List<Row> rows =
        tables
            .snapshot(Tables.GAP_FILL_CANDIDATES)
            .select(
                "category",
                "rank",
                "asset_id",
                "kind",
                "use",
                "community_code",
                "usable_area_m2",
                "usable_area_kind",
                "newly_covered_target_residents",
                "remaining_uncovered",
                "protected_heritage",
                "dangerous")
            .collectAsList();
    Map<String, Long> gain = new HashMap<>();
    rows.forEach(r -> gain.merge(r.getString(0), r.getLong(8), Long::sum));
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(
        Comparator.comparing((Row r) -> -gain.get(r.getString(0)))
            .thenComparing(r -> r.getString(0))
            .thenComparingInt(r -> r.getInt(1)));
    List<List<String>> table = new ArrayList<>();
    List<Map<String, String>> data = new ArrayList<>();
    for (Row r : sorted) {
      boolean building = "building".equals(r.getString(3));
      String area =
          r.isNullAt(6)
              ? "—"
              : fmt(r.getDouble(6))
                  + " m²"
                  + ("floor".equals(r.getString(7)) ? " 建筑面积 floor" : " 用地面积 land");
      List<String> flags = new ArrayList<>();
      if (r.getBoolean(10)) {
        flags.add("保护建筑 heritage: reuse only");
      }
      if (r.getBoolean(11)) {
        flags.add("危房 repair first");
      }
      table.add(
          List.of(
              names.category(r.getString(0)),
              "#" + r.getInt(1),
              r.getString(2),
              building ? "闲置建筑 building" : "低效用地 parcel",
              r.isNullAt(4) ? "—" : r.getString(4),
              names.area(r.getString(5)),
              area,
              fmt(r.getLong(8)),
              fmt(r.getLong(9)),
              String.join("; ", flags)));
      Map<String, String> d = new LinkedHashMap<>();
      d.put("category", r.getString(0));
      d.put("pick", String.valueOf(r.getInt(1)));
      d.put("asset", r.getString(2));
      if (!r.isNullAt(6)) {
        d.put("usable-area", String.valueOf(r.getDouble(6)));
      }
      d.put("usable-area-kind", r.getString(7));
      d.put("newly-covered", String.valueOf(r.getLong(8)));
      data.add(d);
    }
    if (table.isEmpty()) {
      h.p("（无推荐 no site qualifies）");
      return;
    }
    h.table(
        "recommendations",
        List.of(
            "类别 category",
            "顺序 pick",
            "资产 asset",
            "类型 kind",
            "用途 use",
            "社区 community",
            "可用面积 usable area",
            "新增覆盖 newly covered",
            "剩余未覆盖 left uncovered",
            "提示 notes"),
        table,
        data);
  }

  /** Per-source reconciliation, quarantine reasons and where residents were placed. */
  static void quality(RunContext ctx, StageTables tables, Html h) {
    h.h2("数据质量", "Data quality");
    Dataset<Row> log =
        tables
            .city(Tables.RUN_LOG)
            .where(col("snapshot_date").equalTo(lit(Date.valueOf(ctx.snapshotDate()))));
    Dataset<Row> latest =
        log.join(
            log.groupBy(col("stage").as("l_stage"), col("source").as("l_source"))
                .agg(max("ended_at").as("last")),
            col("stage")
                .equalTo(col("l_stage"))
                .and(col("source").eqNullSafe(col("l_source")))
                .and(col("ended_at").equalTo(col("last"))));
    List<List<String>> rows = new ArrayList<>();
    String population = null;
    for (Row r :
        latest
            .where(col("status").equalTo("succeeded"))
            .orderBy("stage", "source")
            .select("stage", "source", "rows_in", "rows_out", "rows_quarantined", "metrics")
            .collectAsList()) {
      if (!r.isNullAt(1)) {
        rows.add(List.of(r.getString(1), fmt(r.getLong(2)), fmt(r.getLong(3)), fmt(r.getLong(4))));
      } else if (PopulationStage.NAME.equals(r.getString(0)) && !r.isNullAt(5)) {
        population = r.getString(5);
      }
    }
    h.table(List.of("输入 source", "读取 read", "接收 accepted", "隔离 quarantined"), rows);
    rows = new ArrayList<>();
    for (Row r :
        tables
            .snapshot(Tables.QUARANTINE)
            .groupBy("stage", "source", "reason_code")
            .count()
            .orderBy(col("count").desc())
            .collectAsList()) {
      rows.add(List.of(r.getString(0), r.getString(1), r.getString(2), fmt(r.getLong(3))));
    }
    h.table(
        List.of("阶段 stage", "输入 source", "原因 reason", "行数 rows"),
        rows.isEmpty() ? List.of(List.of("—", "—", "无隔离 nothing quarantined", "0")) : rows);
    if (population != null) {
      placement(h, population);
    }
  }

  private static void placement(Html h, String metricsJson) {
    try {
      JsonNode m = new ObjectMapper().readTree(metricsJson);
      if (!m.has("input_residents")) {
        return;
      }
      List<List<String>> rows = new ArrayList<>();
      rows.add(
          List.of(
              "人口输入 residents in the population input", fmt(m.get("input_residents").asLong())));
      rows.add(
          List.of(
              "已落位 placed in homes",
              fmt(m.get("placed_residents").asLong())
                  + String.format(
                      Locale.ROOT, " (%.2f%%)", 100 * m.path("placed_share").asDouble(1.0))));
      m.path("fallbacks")
          .fields()
          .forEachRemaining(
              e ->
                  rows.add(
                      List.of(
                          "兜底 fallback " + e.getKey(),
                          fmt(e.getValue().path("residents").asLong())
                              + " residents in "
                              + fmt(e.getValue().path("cells").asLong())
                              + " cells")));
      h.table(List.of("人口落位 placement", ""), rows);
    } catch (JsonProcessingException e) {
      throw PipelineException.cannot(
          "read", "run_log metrics", "they are not JSON", metricsJson, e);
    }
  }

  private static String value(double v, String unit) {
    return switch (unit) {
      case "share" -> String.format(Locale.ROOT, "%.1f%%", 100 * v);
      case "m2" -> String.format(Locale.ROOT, "%,.0f m²", v);
      default ->
          v == Math.rint(v)
              ? String.format(Locale.ROOT, "%,.0f %s", v, unit)
              : String.format(Locale.ROOT, "%,.1f %s", v, unit);
    };
  }

  static String fmt(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /**
   * A category's threshold as a planner reads it: minutes, the metres its walker covers in them,
   * and the walker, e.g. "5 min, 240 m (older)".
   */
  static String walk(FacilityCatalog.Category c) {
    return new BigDecimal(c.thresholdMinutes())
            .setScale(1, RoundingMode.HALF_UP)
            .stripTrailingZeros()
            .toPlainString()
        + " min, "
        + fmt(c.reachM())
        + " m ("
        + c.walkerCode()
        + ")";
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  static String pct(Row r, int i) {
    return r.isNullAt(i) ? "—" : String.format(Locale.ROOT, "%.1f%%", 100 * r.getDouble(i));
  }
}
