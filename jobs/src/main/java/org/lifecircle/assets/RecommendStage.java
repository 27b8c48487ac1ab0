package org.lifecircle.assets;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.catalog.IdleRules;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;
import org.lifecircle.network.WalkNetwork;

/**
 * Gap-filling recommendations: for every category with distance gaps in coverage_gaps on the
 * snapshot date, the open idle assets that can host it ({@link Candidates}) and a greedy maximal
 * covering of its uncovered target residents ({@link GapFillPlan}, lazy greedy / CELF), up to the
 * category's site budget (catalog host.max_sites, else the idle rules'
 * recommend.sites_per_category).
 *
 * <p>Uncovered residents are all building_access rows of the category with covered = false, also
 * those in communities above the gap share. An asset covers a building when the distance from the
 * asset's point to the building's origin on the row's basis is within the category's threshold: the
 * walk along the walk network on 'network' (the asset snapped as a facility is, one bounded search
 * per asset over the homes snapped on the edges it reaches, {@link NetworkCandidates}), the
 * straight line times the detour factor on 'straight_line_detour', the straight line on
 * 'straight_line' (a Sedona distance join, {@link Candidates#pairs}). Each pick records the basis.
 *
 * <p>Gains and pairs come from Spark; the greedy runs on the driver, one category at a time
 * (categories chain through the one-asset-one-category rule).
 *
 * <p>Each pick is a place: {@code site} is a point inside the asset (its idle_assets location when
 * the footprint or parcel covers it, else the interior point of that footprint or parcel: an
 * entrance may lie on or outside the wall, a concave footprint's centroid outside it), and {@code
 * usable_area_m2} is the area of the right kind: a building's floor area, a parcel's land.
 */
public final class RecommendStage implements Stage {
  public static final String NAME = "recommend";

  @Override
  public String name() {
    return NAME;
  }

  /**
   * parcels is optional: read for picked parcel assets when the table exists; walk_network is read
   * when the city has one (homes on the network basis are covered by the walk from an asset).
   */
  @Override
  public Doors doors() {
    return Doors.reads(
            Tables.COVERAGE_GAPS,
            Tables.IDLE_ASSETS,
            Tables.BUILDING_ACCESS,
            Tables.BUILDINGS,
            Tables.PARCELS,
            Tables.WALK_NETWORK)
        .writes(Tables.GAP_FILL_CANDIDATES)
        .checks("inputs_not_empty");
  }

  @Override
  public StageResult run(SparkSession spark, RunContext ctx, StageTables tables) {
    FacilityCatalog catalog = ctx.catalogs().facilities();
    IdleRules rules = ctx.catalogs().idleRules();
    double detour = ctx.city().limits().detourFactor();
    List<String> gapCategories = new ArrayList<>();
    Dataset<Row> gaps =
        tables.snapshot(Tables.COVERAGE_GAPS).where(col("gap_kind").equalTo("distance"));
    for (Row r : gaps.select("category").distinct().orderBy("category").collectAsList()) {
      if (catalog.codes().contains(r.getString(0))) {
        gapCategories.add(r.getString(0));
      }
    }
    // The graph is built only when some category has homes to walk to.
    WalkNetwork network = gapCategories.isEmpty() ? null : WalkNetwork.ofCity(spark, ctx, tables);
    Dataset<Row> assets = openAssets(spark, ctx, tables);
    // Read once: the per-category totals below and every category's distance join use it.
    Dataset<Row> uncovered =
        tables
            .input(Tables.BUILDING_ACCESS)
            .where(
                col("covered")
                    .equalTo(false)
                    .and(col("target_residents").gt(0))
                    .and(col("category").isin(gapCategories.toArray())))
            .select("building_id", "category", "origin", "distance_basis", "target_residents")
            .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> candidates =
        Candidates.candidates(assets, Candidates.hosts(spark, catalog, gapCategories))
            .persist(StorageLevel.MEMORY_AND_DISK());
    List<GapFillPlan.CategoryGap> categoryGaps = new ArrayList<>();
    List<String> offNetwork = new ArrayList<>();
    categoryGaps(uncovered, catalog, rules, categoryGaps, offNetwork);
    List<GapFillPlan.Recommendation> plan;
    try (SparkCandidates source =
        new SparkCandidates(
            assets, candidates, uncovered, detour, network, categoryGaps, offNetwork)) {
      plan = GapFillPlan.plan(categoryGaps, source);
    } finally {
      candidates.unpersist();
      uncovered.unpersist();
    }

    Dataset<Row> out = sites(spark, ctx, tables, picks(spark, plan).join(assets, "asset_id"));
    long written = tables.replaceSnapshot(Tables.GAP_FILL_CANDIDATES, out);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put(Tables.GAP_FILL_CANDIDATES, written);
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("gap_categories", gapCategories.size());
    metrics.put("open_assets", assets.count());
    return new StageResult(
        categoryGaps.size(),
        written,
        0,
        counts,
        List.of(),
        metrics,
        headlines(tables, catalog, categoryGaps));
  }

  /** A category's basis by rank: a city has one basis, so the largest rank is that basis. */
  private static final List<String> BASES =
      List.of("straight_line", "straight_line_detour", "network");

  /**
   * Each gap category's uncovered target residents, site budget and distance basis into {@code
   * out}, and into {@code offNetwork} the categories with uncovered homes on another basis than
   * 'network' (every home where a city has no walk network; where it has one, access puts every row
   * on 'network', an unsnapped home with no walk and so no pair).
   */
  private static void categoryGaps(
      Dataset<Row> uncovered,
      FacilityCatalog catalog,
      IdleRules rules,
      List<GapFillPlan.CategoryGap> out,
      List<String> offNetwork) {
    for (Row r :
        uncovered
            .groupBy("category")
            .agg(
                sum("target_residents"),
                max(
                    when(col("distance_basis").equalTo("network"), 2)
                        .when(col("distance_basis").equalTo("straight_line_detour"), 1)
                        .otherwise(0)),
                sum(when(col("distance_basis").notEqual("network"), 1).otherwise(0)))
            .collectAsList()) {
      FacilityCatalog.Category c = catalog.category(r.getString(0));
      FacilityCatalog.Host h = c.host();
      int budget =
          h != null && h.maxSites() != null ? h.maxSites() : rules.recommend().sitesPerCategory();
      out.add(
          new GapFillPlan.CategoryGap(
              c.code(),
              r.getLong(1),
              h != null && h.shareable(),
              budget,
              c.reachM(),
              BASES.get(r.getInt(2))));
      if (r.getLong(3) > 0) {
        offNetwork.add(c.code());
      }
    }
  }

  /**
   * Every gap category's candidate-home pairs, in two parts: homes on the 'network' basis through
   * {@link NetworkCandidates} (one search per asset, no join), homes on another basis (a city
   * without a walk network) from one Sedona distance join ({@link Candidates#pairs}) in one
   * persisted frame. Each part gives every category's gains in one Spark job and the pairs of each
   * category's first candidates in one more. The plan works on a category's best {@code max(64, 4 *
   * budget)} open candidates first; assets taken by the categories before it can push at most the
   * sum of all budgets of others out of the way, so the best {@code first + sum of budgets} by gain
   * hold them. A plan that needs more (its greedy was not yet exact) asks Spark for them, as
   * before.
   */
  static final class SparkCandidates implements GapFillPlan.CandidateSource, AutoCloseable {
    private final Dataset<Row> linePairs;
    private final NetworkCandidates walkPairs;
    private final Map<String, Map<String, Long>> gains = new HashMap<>();
    private final Map<String, Map<String, List<GapFillPlan.Pair>>> first = new HashMap<>();

    SparkCandidates(
        Dataset<Row> assets,
        Dataset<Row> candidates,
        Dataset<Row> uncovered,
        double detour,
        WalkNetwork network,
        List<GapFillPlan.CategoryGap> gaps,
        List<String> offNetwork) {
      // A category's basis is 'network' when any of its uncovered homes is on it (BASES' rank).
      List<String> walkCodes =
          gaps.stream()
              .filter(g -> g.basis().equals("network"))
              .map(GapFillPlan.CategoryGap::category)
              .toList();
      linePairs =
          offNetwork.isEmpty()
              ? null
              : Candidates.pairs(
                      assets,
                      candidates,
                      uncovered.where(col("distance_basis").notEqual("network")),
                      detour,
                      offNetwork)
                  .persist(StorageLevel.MEMORY_AND_DISK());
      walkPairs =
          network == null || walkCodes.isEmpty()
              ? null
              : NetworkCandidates.of(
                  assets,
                  candidates,
                  uncovered.where(col("distance_basis").equalTo("network")),
                  walkCodes,
                  network);
      if (linePairs != null) {
        for (Row r :
            linePairs
                .groupBy("category", "asset_id")
                .agg(sum("target_residents"))
                .collectAsList()) {
          gains
              .computeIfAbsent(r.getString(0), c -> new HashMap<>())
              .put(r.getString(1), r.getLong(2));
        }
      }
      if (walkPairs != null) {
        walkPairs
            .gains()
            .forEach(
                (code, byAsset) ->
                    byAsset.forEach(
                        (a, g) ->
                            gains
                                .computeIfAbsent(code, c -> new HashMap<>())
                                .merge(a, g, Long::sum)));
      }
      if (gains.isEmpty()) {
        return;
      }
      int allBudgets = gaps.stream().mapToInt(GapFillPlan.CategoryGap::budget).sum();
      Map<String, Set<String>> wanted = new HashMap<>();
      for (GapFillPlan.CategoryGap g : gaps) {
        Map<String, Long> byAsset = gains.getOrDefault(g.category(), Map.of());
        Map<String, List<GapFillPlan.Pair>> firstOfCategory = new HashMap<>();
        Set<String> top = new TreeSet<>();
        GapFillPlan.best(
                byAsset,
                a -> true,
                Math.max(GapFillPlan.FIRST_CANDIDATES, 4 * g.budget()) + allBudgets)
            .forEach(
                a -> {
                  top.add(a);
                  firstOfCategory.put(a, new ArrayList<>());
                });
        wanted.put(g.category(), top);
        first.put(g.category(), firstOfCategory);
      }
      for (CategoryPair p : linePairs(wanted)) {
        first.get(p.category()).get(p.pair().assetId()).add(p.pair());
      }
      if (walkPairs != null) {
        walkPairs
            .pairs(wanted)
            .forEach(
                (code, byAsset) -> byAsset.forEach((a, ps) -> first.get(code).get(a).addAll(ps)));
      }
    }

    private record CategoryPair(String category, GapFillPlan.Pair pair) {}

    /** The straight-line pairs of the assets {@code wanted} lists per category, in one job. */
    private List<CategoryPair> linePairs(Map<String, Set<String>> wanted) {
      List<CategoryPair> out = new ArrayList<>();
      if (linePairs == null) {
        return out;
      }
      List<Row> keys = new ArrayList<>();
      wanted.forEach((code, assets) -> assets.forEach(a -> keys.add(RowFactory.create(code, a))));
      Dataset<Row> keyFrame =
          linePairs
              .sparkSession()
              .createDataFrame(
                  keys, new StructType().add("w_category", "string").add("w_asset", "string"));
      for (Row r :
          linePairs
              .join(
                  broadcast(keyFrame),
                  col("category")
                      .equalTo(col("w_category"))
                      .and(col("asset_id").equalTo(col("w_asset"))))
              .select("category", "asset_id", "building_id", "target_residents")
              .collectAsList()) {
        out.add(
            new CategoryPair(
                r.getString(0),
                new GapFillPlan.Pair(r.getString(1), r.getString(2), r.getLong(3))));
      }
      return out;
    }

    @Override
    public Map<String, Long> gains(String code) {
      return new HashMap<>(gains.getOrDefault(code, Map.of()));
    }

    @Override
    public List<GapFillPlan.Pair> pairs(String code, Set<String> chosen) {
      Map<String, List<GapFillPlan.Pair>> known = first.getOrDefault(code, Map.of());
      List<GapFillPlan.Pair> out = new ArrayList<>();
      if (known.keySet().containsAll(chosen)) {
        for (String a : new TreeSet<>(chosen)) {
          known.get(a).stream()
              .sorted(Comparator.comparing(GapFillPlan.Pair::buildingId))
              .forEach(out::add);
        }
        return out;
      }
      linePairs(Map.of(code, chosen)).forEach(p -> out.add(p.pair()));
      if (walkPairs != null) {
        out.addAll(walkPairs.pairs(code, chosen));
      }
      return out;
    }

    @Override
    public void close() {
      if (linePairs != null) {
        linePairs.unpersist();
      }
      if (walkPairs != null) {
        walkPairs.close();
      }
    }
  }

  /**
   * Adds {@code site} (WKB, metric CRS), {@code usable_area_m2} and {@code usable_area_kind} to the
   * picks. Open assets were found idle on the snapshot date, so their building or parcel is in that
   * date's silver table; only the picked ones are read.
   */
  static Dataset<Row> sites(
      SparkSession spark, RunContext ctx, StageTables tables, Dataset<Row> picks) {
    List<String> ids = new ArrayList<>();
    for (Row r : picks.select("asset_id").distinct().collectAsList()) {
      ids.add(r.getString(0));
    }
    Dataset<Row> shapes = shapes(tables, Tables.BUILDINGS, "building_id", "B:", ids);
    if (tables.exists(Tables.PARCELS)) {
      shapes = shapes.unionByName(shapes(tables, Tables.PARCELS, "parcel_id", "P:", ids));
    }
    return picks
        .join(shapes, col("asset_id").equalTo(col("s_id")), "left")
        .withColumn(
            "site",
            expr(
                "CASE WHEN s_shape IS NULL THEN location"
                    + " WHEN ST_Covers(ST_GeomFromWKB(s_shape), ST_GeomFromWKB(location)) THEN location"
                    + " ELSE ST_AsBinary(ST_PointOnSurface(ST_GeomFromWKB(s_shape))) END"))
        .withColumn(
            "usable_area_kind",
            when(col("kind").equalTo("building"), lit("floor")).otherwise(lit("land")))
        .withColumn(
            "usable_area_m2",
            when(col("kind").equalTo("building"), col("floor_area_m2"))
                .otherwise(col("land_area_m2")))
        .drop("s_id", "s_shape");
  }

  /** (s_id, s_shape) of the picked assets among one silver table's rows on the snapshot date. */
  private static Dataset<Row> shapes(
      StageTables tables, String table, String key, String prefix, List<String> ids) {
    return tables
        .snapshot(table)
        .select(concat(lit(prefix), col(key)).as("s_id"), col("geometry").as("s_shape"))
        .where(col("s_id").isin(ids.toArray()));
  }

  /** Open assets as of the snapshot date, with the attributes the output carries. */
  static Dataset<Row> openAssets(SparkSession spark, RunContext ctx, StageTables tables) {
    Date today = Date.valueOf(ctx.snapshotDate());
    if (!tables.exists(Tables.IDLE_ASSETS)) {
      throw PipelineException.cannot(
          "read",
          "table " + Tables.IDLE_ASSETS,
          "it does not exist; run the assets stage first",
          ctx.tablePath(Tables.IDLE_ASSETS));
    }
    return AssetHistory.read(tables)
        .where(
            col("status")
                .equalTo("open")
                .and(col("open_since").leq(lit(today)))
                .and(col("last_seen").geq(lit(today))))
        .select(
            "asset_id",
            "kind",
            "use",
            "community_code",
            "floor_area_m2",
            "land_area_m2",
            "reason_codes",
            "location",
            "protected_heritage",
            "in_historic_district",
            "dangerous",
            "old_compound");
  }

  private static Dataset<Row> picks(SparkSession spark, List<GapFillPlan.Recommendation> plan) {
    StructType schema =
        new StructType()
            .add("category", DataTypes.StringType, false)
            .add("rank", DataTypes.IntegerType, false)
            .add("asset_id", DataTypes.StringType, false)
            .add("newly_covered_target_residents", DataTypes.LongType, false)
            .add("newly_covered_buildings", DataTypes.IntegerType, false)
            .add("cumulative_covered", DataTypes.LongType, false)
            .add("remaining_uncovered", DataTypes.LongType, false)
            .add("threshold_m", DataTypes.DoubleType, false)
            .add("distance_basis", DataTypes.StringType, false);
    List<Row> rows = new ArrayList<>();
    for (GapFillPlan.Recommendation r : plan) {
      rows.add(
          RowFactory.create(
              r.category(),
              r.rank(),
              r.assetId(),
              r.newlyCovered(),
              r.newlyCoveredBuildings(),
              r.cumulative(),
              r.remaining(),
              r.thresholdM(),
              r.basis()));
    }
    return spark.createDataFrame(rows, schema);
  }

  private static List<String> headlines(
      StageTables tables, FacilityCatalog catalog, List<GapFillPlan.CategoryGap> gaps) {
    List<String> lines = new ArrayList<>();
    lines.add("  gap-filling recommendations (category: site, newly covered target residents):");
    Map<String, List<Row>> byCategory = new LinkedHashMap<>();
    for (Row r :
        tables
            .snapshot(Tables.GAP_FILL_CANDIDATES)
            .select(
                "category",
                "rank",
                "asset_id",
                "kind",
                "usable_area_m2",
                "newly_covered_target_residents",
                "remaining_uncovered",
                "protected_heritage",
                "dangerous",
                "usable_area_kind")
            // The picks are few: one sorted partition, not a global orderBy's sampling job.
            .coalesce(1)
            .sortWithinPartitions("category", "rank")
            .collectAsList()) {
      byCategory.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r);
    }
    List<GapFillPlan.CategoryGap> ordered = new ArrayList<>(gaps);
    ordered.sort(
        Comparator.comparingLong(GapFillPlan.CategoryGap::uncovered)
            .reversed()
            .thenComparing(GapFillPlan.CategoryGap::category));
    for (GapFillPlan.CategoryGap g : ordered) {
      List<Row> rows = byCategory.getOrDefault(g.category(), List.of());
      lines.add(
          String.format(
              "    %-18s %-12s %7d uncovered, %d site(s)%s",
              g.category(),
              catalog.category(g.category()).nameZh(),
              g.uncovered(),
              rows.size(),
              rows.isEmpty() ? ": no idle asset can host it nearby" : ""));
      for (Row r : rows.subList(0, Math.min(3, rows.size()))) {
        String area =
            r.isNullAt(4)
                ? "area unknown"
                : String.format("%.0f m2 %s", r.getDouble(4), r.getString(9));
        lines.add(
            String.format(
                "      #%d %-16s %-8s %16s  +%d residents, %d left%s%s",
                r.getInt(1),
                r.getString(2),
                r.getString(3),
                area,
                r.getLong(5),
                r.getLong(6),
                r.getBoolean(7) ? " [heritage: reuse only]" : "",
                r.getBoolean(8) ? " [dangerous: repair first]" : ""));
      }
    }
    return lines;
  }
}
