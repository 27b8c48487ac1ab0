package org.lifecircle.assets;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.catalog.IdleRules;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;

/**
 * The idle-asset inventory: every building and parcel that trips a rule of the idle rules
 * (catalogs/idle_rules.yaml) becomes an asset ('B:' + building_id, 'P:' + parcel_id) with its
 * reason codes, size, FAR, idle years, location, community (Sedona spatial join with the community
 * polygons of admin_areas) and reuse flags (heritage, historic district, dangerous, old compound).
 * The idle_assets table is a history, not a snapshot: {@link AssetHistory} merges each run into it.
 *
 * <p>Inputs: buildings and admin_areas (required); parcels and compounds when the city configures
 * them, or, if it does not, when their silver tables exist (absent: no parcel assets, no
 * old-compound flag).
 */
public final class AssetsStage implements Stage {
  public static final String NAME = "assets";

  @Override
  public String name() {
    return NAME;
  }

  /** parcels and compounds are optional (see above); idle_assets is a history, read back too. */
  @Override
  public Doors doors() {
    return Doors.reads(Tables.BUILDINGS, Tables.ADMIN_AREAS, Tables.PARCELS, Tables.COMPOUNDS)
        .writes(Tables.IDLE_ASSETS)
        .checks("inputs_not_empty");
  }

  @Override
  public StageResult run(SparkSession spark, RunContext ctx, StageTables tables) {
    IdleRules rules = ctx.catalogs().idleRules();
    Dataset<Row> buildings = tables.input(Tables.BUILDINGS);
    Dataset<Row> areas = tables.input(Tables.ADMIN_AREAS);
    Dataset<Row> parcels = optional(ctx, tables, Tables.PARCELS);
    Dataset<Row> compounds = optional(ctx, tables, Tables.COMPOUNDS);

    Dataset<Row> all =
        evaluate(buildings, parcels, compounds, rules, ctx).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> idle =
        AssetRules.placeInCommunities(all.where(col("reason_codes").notEqual("")), areas)
            .withColumn("location", expr("ST_AsBinary(location)"));
    Map<String, String> merge = AssetHistory.merge(spark, ctx, idle, all.select("asset_id"));
    long inputs = all.count();
    all.unpersist();

    Map<String, Long> byStatus = new TreeMap<>();
    Map<String, Long> byReason = new TreeMap<>();
    for (Row r :
        AssetHistory.read(tables)
            .groupBy("status", "reason_codes")
            .agg(count("*"))
            .collectAsList()) {
      byStatus.merge(r.getString(0), r.getLong(2), Long::sum);
      if ("open".equals(r.getString(0))) {
        for (String reason : r.getString(1).split(",")) {
          byReason.merge(reason, r.getLong(2), Long::sum);
        }
      }
    }
    List<String> headlines = new ArrayList<>();
    headlines.add(
        String.format(
            "  idle assets: %d open, %d reused, %d gone (of %d buildings and parcels)",
            byStatus.getOrDefault("open", 0L),
            byStatus.getOrDefault("reused", 0L),
            byStatus.getOrDefault("gone", 0L),
            inputs));
    byReason.forEach((reason, n) -> headlines.add(String.format("    %-26s %d", reason, n)));
    Map<String, Object> metrics = new LinkedHashMap<>();
    for (String k :
        List.of(
            "numTargetRowsInserted",
            "numTargetRowsUpdated",
            "numTargetRowsMatchedUpdated",
            "numTargetRowsNotMatchedBySourceUpdated",
            "numTargetFilesAdded")) {
      metrics.put(k, Long.parseLong(merge.getOrDefault(k, "0")));
    }
    long written =
        (Long) metrics.get("numTargetRowsInserted") + (Long) metrics.get("numTargetRowsUpdated");
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put(Tables.IDLE_ASSETS, written);
    return new StageResult(
        inputs, byStatus.getOrDefault("open", 0L), 0, counts, List.of(), metrics, headlines);
  }

  /**
   * Every building and parcel with its rule outcome (reason_codes "" when not idle), in the columns
   * of {@link AssetRules#COLUMNS}; location is still a geometry.
   */
  public static Dataset<Row> evaluate(
      Dataset<Row> buildings,
      Dataset<Row> parcels,
      Dataset<Row> compounds,
      IdleRules rules,
      RunContext ctx) {
    Column[] cols = AssetRules.COLUMNS.stream().map(c -> col(c)).toArray(Column[]::new);
    Dataset<Row> b = AssetRules.buildings(buildings, compounds, rules, ctx.snapshotDate());
    Dataset<Row> out = b.select(cols);
    if (parcels != null) {
      out = out.unionByName(AssetRules.parcels(parcels, b, rules, ctx.snapshotDate()).select(cols));
    }
    return out;
  }

  /** A silver input the city may not have: configured, or else present for the date. */
  private static Dataset<Row> optional(RunContext ctx, StageTables tables, String table) {
    if (ctx.city().has(table)) {
      return tables.input(table);
    }
    return tables.exists(table) ? tables.snapshot(table) : null;
  }
}
