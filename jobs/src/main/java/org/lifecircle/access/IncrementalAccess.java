package org.lifecircle.access;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.catalog.AgeBands;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageTables;
import org.lifecircle.incremental.SnapshotDiff;
import org.lifecircle.ingest.IngestStage;
import org.lifecircle.io.Tables;
import org.lifecircle.network.AccessTally;
import org.lifecircle.network.FacilityPoints;
import org.lifecircle.network.NetworkAccess;
import org.lifecircle.population.PopulationStage;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * The access stage of an incremental run: which homes' building_access rows the changes since the
 * city's previous snapshot can reach, so that only those are recomputed and every other home's rows
 * are copied from the previous snapshot.
 *
 * <p>A home is reached when its building_population row changed or is new (residents, age bands,
 * origin, community, district); when, for some category, a facility of that category that was
 * removed or moved was its nearest (by straight line or along the network), or one that was added
 * or moved now lies close enough to beat its nearest: within its previous straight-line distance,
 * or within its previous network distance (the category's search cutoff when none was reached and
 * the home is snapped); or when it lies within {@link #edgeRadius} of a walk edge that changed
 * ({@link EdgeReach}, which also counts facilities near such an edge as moved). A walk is never
 * shorter than the straight line ({@code BuildingDistances}), so a facility farther in a straight
 * line than both bounds cannot become the nearest on either basis. Everything else about a home's
 * rows depends only on the catalog and the limits, which must be those of the previous run.
 *
 * <p>Not Delta's change data feed: each date is its own partition, so a new date's feed lists every
 * row as inserted ({@link SnapshotDiff}).
 */
final class IncrementalAccess {
  /** Above this share of homes reached, recomputing all is cheaper than reading and copying. */
  static final double FULL_SHARE = 0.5;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String IDS = "building_id";

  private IncrementalAccess() {}

  /**
   * What the run does: a full computation ({@code recompute} null) with the reason, or the homes to
   * recompute (their building_population rows) and the previous rows to copy ({@link #copied}).
   */
  static final class Plan {
    final Dataset<Row> recompute;
    final Map<String, Object> metrics;
    private final Dataset<Row> keep;
    private final Map<String, String> districts;
    private final Dataset<Row> excluded;

    private Plan(
        Dataset<Row> recompute,
        Dataset<Row> keep,
        Map<String, String> districts,
        Dataset<Row> excluded,
        Map<String, Object> metrics) {
      this.recompute = recompute;
      this.keep = keep;
      this.districts = districts;
      this.excluded = excluded;
      this.metrics = metrics;
    }

    boolean incremental() {
      return recompute != null;
    }

    /** Why the run computes in full or what it reuses, as run_log says it. */
    String why() {
      return (String) metrics.get("why");
    }

    static Plan full(String why) {
      return full(why, Map.of());
    }

    static Plan full(String why, Map<String, Object> known) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("mode", "full");
      m.put("why", why);
      m.putAll(known);
      return new Plan(null, null, null, null, m);
    }

    /**
     * The previous snapshot's rows of the homes not recomputed, in building_access's column order
     * (without the partition columns); with {@code tally} (a network run) each row is counted as
     * {@link NearestRows} counts the rows it makes, so network_stats covers every home.
     */
    Dataset<Row> copied(SparkSession spark, FacilityCatalog catalog, AccessTally tally) {
      return tally == null ? keep : CopiedRows.tallied(spark, keep, districts, catalog, tally);
    }

    /** Releases what the plan cached; after the write. */
    void release() {
      if (excluded != null) {
        excluded.unpersist();
      }
    }
  }

  /**
   * What building_access's rows depend on besides the inputs: the catalog, the limits the access
   * stage reads, the distance basis and the table's columns. A previous snapshot is reused only
   * when its run had the same fingerprint (its run_log row's metrics).
   */
  static String fingerprint(RunContext ctx, FacilityCatalog catalog, boolean network) {
    String text =
        String.join(
            "\n",
            catalog.categories().toString(),
            String.valueOf(ctx.city().limits().maxSnapM()),
            String.valueOf(ctx.city().limits().cutoffMultiple()),
            String.valueOf(ctx.city().limits().detourFactor()),
            String.valueOf(network),
            Contract.of(Tables.BUILDING_ACCESS).schema().json());
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The plan for this run, which the caller has asked to be incremental. */
  static Plan plan(
      SparkSession spark,
      RunContext ctx,
      StageTables tables,
      Map<String, FacilityPoints> points,
      boolean network,
      String fingerprint,
      long homes) {
    if (!tables.exists(Tables.BUILDING_ACCESS) || !tables.exists(Tables.RUN_LOG)) {
      return Plan.full("no earlier snapshot of building_access");
    }
    Row latest =
        tables
            .city(Tables.BUILDING_ACCESS)
            .where(col("snapshot_date").lt(lit(Date.valueOf(ctx.snapshotDate()))))
            .agg(max("snapshot_date"))
            .first();
    if (latest.isNullAt(0)) {
      return Plan.full("no earlier snapshot of building_access");
    }
    Date previous = latest.getDate(0);
    String stale = staleness(tables, previous, fingerprint);
    if (stale != null) {
      return Plan.full(stale);
    }
    FacilityCatalog catalog = ctx.catalogs().facilities();
    Dataset<Row> previousFacilities = at(tables, Tables.FACILITIES, previous);
    Map<String, FacilityPoints> previousPoints =
        FacilityPoints.byCategory(previousFacilities, catalog);
    Set<String> withFacilities = new HashSet<>();
    for (Map<String, FacilityPoints> side : List.of(previousPoints, points)) {
      side.forEach(
          (code, p) -> {
            if (p.ids().length > 0) {
              withFacilities.add(code);
            }
          });
    }
    EdgeReach.Result edges =
        network
            ? EdgeReach.of(
                spark,
                at(tables, Tables.WALK_NETWORK, previous),
                tables.snapshot(Tables.WALK_NETWORK),
                tables.input(Tables.BUILDING_POPULATION),
                previousFacilities,
                tables.input(Tables.FACILITIES),
                edgeRadius(catalog, ctx.city().limits(), withFacilities),
                ctx.city().limits().maxSnapM())
            : null;
    Map<String, String> districts =
        CopiedRows.districtsByCommunity(tables.input(Tables.BUILDING_POPULATION));
    if (districts == null) {
      return Plan.full("a community lies in more than one district");
    }
    Map<String, FacilityReach.CategoryChange> changes =
        FacilityReach.changes(
            previousPoints,
            points,
            catalog,
            ctx.city().limits().cutoffMultiple(),
            network,
            edges == null ? Set.of() : edges.facilities());
    long facilitiesChanged = 0;
    for (FacilityReach.CategoryChange c : changes.values()) {
      facilitiesChanged += c.gone().size() + c.arrived().size();
    }

    List<String> homeColumns = new ArrayList<>(List.of(IDS, "community_code", "origin"));
    homeColumns.add("residents");
    homeColumns.add("district_code");
    homeColumns.addAll(AgeBands.COLUMNS);
    Dataset<Row> homeChanges =
        SnapshotDiff.changes(
                Contract.of(Tables.BUILDING_POPULATION),
                at(tables, Tables.BUILDING_POPULATION, previous).select(columns(homeColumns)),
                tables.snapshot(Tables.BUILDING_POPULATION).select(columns(homeColumns)))
            .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> previousRows = at(tables, Tables.BUILDING_ACCESS, previous);
    Dataset<Row> reached = FacilityReach.reached(spark, previousRows, changes);
    // Homes left out of the copy: reached, changed, new (no previous rows anyway) or removed.
    Dataset<Row> touched = reached.union(homeChanges.select(IDS));
    if (edges != null) {
      touched = touched.union(edges.homes());
    }
    Dataset<Row> excluded = touched.distinct().persist(StorageLevel.MEMORY_AND_DISK());
    long removed;
    long changedHomes;
    long leftOut;
    try {
      Map<String, Long> byChange = new HashMap<>();
      for (Row r : homeChanges.groupBy(SnapshotDiff.CHANGE).count().collectAsList()) {
        byChange.put(r.getString(0), r.getLong(1));
      }
      removed = byChange.getOrDefault(SnapshotDiff.REMOVED, 0L);
      changedHomes =
          byChange.getOrDefault(SnapshotDiff.ADDED, 0L)
              + byChange.getOrDefault(SnapshotDiff.CHANGED, 0L);
      leftOut = excluded.count();
    } finally {
      homeChanges.unpersist();
    }
    long recomputed = leftOut - removed;
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("previous_snapshot", previous.toString());
    metrics.put("homes_changed", changedHomes);
    metrics.put("homes_removed", removed);
    metrics.put("facilities_changed", facilitiesChanged);
    metrics.put("edges_changed", edges == null ? 0 : edges.edges());
    metrics.put("edges_island_flips", edges == null ? 0 : edges.islandFlips());
    metrics.put("homes_recomputed", recomputed);
    metrics.put("homes_copied", homes - recomputed);
    if (recomputed > FULL_SHARE * homes) {
      excluded.unpersist();
      return Plan.full(
          String.format(
              "%d of %d homes reached by the changes since %s: recomputing all is cheaper",
              recomputed, homes, previous),
          metrics);
    }
    Dataset<Row> keep =
        previousRows
            .select(
                columns(
                    List.of(
                        Contract.of(Tables.BUILDING_ACCESS)
                            .schemaWithoutPartitions()
                            .fieldNames())))
            .join(broadcast(excluded), seq(IDS), "left_anti");
    Dataset<Row> recompute =
        tables.input(Tables.BUILDING_POPULATION).join(broadcast(excluded), seq(IDS), "left_semi");
    String why = "recomputed the homes the changes since " + previous + " reach, copied the rest";
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("mode", "incremental");
    all.put("why", why);
    all.putAll(metrics);
    return new Plan(recompute, keep, districts, excluded, all);
  }

  /**
   * How far from a changed walk edge a home's rows may change: the longest search cutoff of a
   * category with facilities on either date (no reported walk is longer, and every edge on a walk
   * lies within its length of the home) or the snap limit, with a metre to spare for the rounding
   * of the join's distance.
   */
  static double edgeRadius(
      FacilityCatalog catalog, CityConfig.Limits limits, Set<String> withFacilities) {
    double r = limits.maxSnapM();
    for (FacilityCatalog.Category c : catalog.categories()) {
      // A category without a facility on either date has no walk to change.
      if (withFacilities.contains(c.code())) {
        r = Math.max(r, NetworkAccess.cutoffM(c, limits.cutoffMultiple()));
      }
    }
    return r + 1;
  }

  /**
   * Why the previous snapshot of building_access cannot be reused (null when it can): its run is
   * not in run_log, ran with another catalog, limits or basis, or a run of access (failed),
   * population or ingest for that date ended after it.
   */
  static String staleness(StageTables tables, Date previous, String fingerprint) {
    List<Row> log =
        tables
            .city(Tables.RUN_LOG)
            .where(
                col("snapshot_date")
                    .equalTo(lit(previous))
                    .and(col("source").isNull())
                    .and(
                        col("stage")
                            .isin(AccessStage.NAME, PopulationStage.NAME, IngestStage.NAME)))
            .select("stage", "ended_at", "metrics", "status")
            .collectAsList();
    Timestamp accessEnded = null;
    String accessMetrics = null;
    for (Row r : log) {
      if (AccessStage.NAME.equals(r.getString(0))
          && "succeeded".equals(r.getString(3))
          && (accessEnded == null || r.getTimestamp(1).after(accessEnded))) {
        accessEnded = r.getTimestamp(1);
        accessMetrics = r.getString(2);
      }
    }
    if (accessEnded == null) {
      return "run_log holds no successful access run of " + previous;
    }
    if (!fingerprint.equals(fingerprintOf(accessMetrics))) {
      return "the catalog, limits or distance basis differ from the access run of " + previous;
    }
    // Anything after it may have left other rows: a failed access run may have written
    // building_access before it failed, an ingest or population run rewrote the inputs.
    for (Row r : log) {
      if (r.getTimestamp(1).after(accessEnded)) {
        return AccessStage.NAME.equals(r.getString(0))
            ? "a failed access run of " + previous + " ended after its last successful one"
            : r.getString(0) + " ran for " + previous + " after its access run";
      }
    }
    return null;
  }

  private static String fingerprintOf(String metrics) {
    if (metrics == null) {
      return null;
    }
    try {
      return JSON.readTree(metrics).path("fingerprint").asText(null);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("run_log metrics must be JSON: " + metrics, e);
    }
  }

  /** A table's snapshot of this city at another date, as {@link StageTables#snapshot} reads one. */
  private static Dataset<Row> at(StageTables tables, String table, Date date) {
    return tables.city(table).where(col("snapshot_date").equalTo(lit(date)));
  }

  private static Column[] columns(List<String> names) {
    return names.stream().map(c -> col(c)).toArray(Column[]::new);
  }

  private static Seq<String> seq(String column) {
    return JavaConverters.asScalaBuffer(List.of(column)).toSeq();
  }
}
