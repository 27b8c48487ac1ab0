package org.lifecircle.assets;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.not;

import io.delta.tables.DeltaTable;
import java.sql.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;
import org.lifecircle.io.DeltaTables;

/**
 * Keeps the idle_assets history table by one Delta MERGE per run on (city_code, asset_id), touching
 * only this city's rows:
 *
 * <ul>
 *   <li>new idle asset: inserted open, first_seen = last_seen = open_since = the snapshot date;
 *   <li>open and idle again: last_seen, attributes and months_idle updated, but only when last_seen
 *       is earlier than the date or an attribute differs (null-safe). last_seen advances every
 *       night, so a new date rewrites every still-open asset; a rerun of the same date with
 *       unchanged input matches no clause and rewrites nothing (no row updated, no file added);
 *   <li>open, still in the inputs but no longer idle: status reused, closed_on = date;
 *   <li>open and no longer in the inputs (not matched by source): status gone, closed_on = date;
 *       last_seen keeps the last date it was seen idle;
 *   <li>closed (reused or gone) and idle again: reopened visibly: status open, open_since = date,
 *       reopened_count + 1, and history_note gains "reopened DATE after STATUS on CLOSED_ON".
 * </ul>
 * Every clause also requires the row's last_seen to be on or before the date, so rerunning an
 * older date (a backfill) never rewinds a later history.
 */
final class AssetHistory {
  static final String TABLE = "idle_assets";
  /** Attributes compared to decide whether a same-date rerun changes anything. */
  static final List<String> ATTRIBUTES = List.of("kind", "source_id", "reason_codes", "use",
      "land_use_code", "floor_area_m2", "land_area_m2", "far_actual", "far_planned", "idle_since",
      "years_idle", "location", "community_code", "protected_heritage", "in_historic_district",
      "dangerous", "old_compound");

  private AssetHistory() {}

  /**
   * Merges today's idle assets ({@code idle}: asset_id plus {@link #ATTRIBUTES}, location as WKB)
   * and the ids of every building and parcel in today's inputs ({@code present}: asset_id).
   * Returns the MERGE commit's operation metrics.
   */
  static Map<String, String> merge(SparkSession spark, RunContext ctx, Dataset<Row> idle,
      Dataset<Row> present) {
    Contract contract = Contract.of(TABLE);
    DeltaTables.ensure(spark, ctx, contract);
    String path = ctx.tablePath(TABLE);
    Column city = lit(ctx.cityCode());
    Column today = lit(Date.valueOf(ctx.snapshotDate()));
    DeltaTable target = DeltaTable.forPath(spark, path);

    Column[] attrs = new Column[ATTRIBUTES.size() + 1];
    attrs[0] = col("asset_id");
    for (int i = 0; i < ATTRIBUTES.size(); i++) {
      String a = ATTRIBUTES.get(i);
      attrs[i + 1] = col(a).cast(contract.field(a).sparkType()).as(a);
    }
    Dataset<Row> idleRows = idle.select(attrs).withColumn("idle", lit(true));
    // Only open assets can become 'reused': the rest of the present ids need not enter the MERGE.
    Dataset<Row> openIds = target.toDF()
        .where(col("city_code").equalTo(city).and(col("status").equalTo("open")))
        .select("asset_id");
    Dataset<Row> notIdle = present.select("asset_id").distinct()
        .join(openIds, "asset_id", "left_semi")
        .join(idleRows.select("asset_id"), "asset_id", "left_anti");
    for (String a : ATTRIBUTES) {
      notIdle = notIdle.withColumn(a, lit(null).cast(contract.field(a).sparkType()));
    }
    Dataset<Row> source = idleRows.unionByName(notIdle.withColumn("idle", lit(false)));

    Column notLater = col("t.last_seen").leq(today);
    Column open = col("t.status").equalTo("open");
    Column changed = col("t.last_seen").lt(today);
    for (String a : ATTRIBUTES) {
      changed = changed.or(not(col("t." + a).eqNullSafe(col("s." + a))));
    }
    Map<String, Column> refresh = new LinkedHashMap<>();
    for (String a : ATTRIBUTES) {
      refresh.put(a, col("s." + a));
    }
    refresh.put("last_seen", today);
    refresh.put("months_idle", monthsIdle(today, col("t.open_since")));

    Map<String, Column> reopen = new LinkedHashMap<>(refresh);
    reopen.put("status", lit("open"));
    reopen.put("open_since", today);
    reopen.put("closed_on", lit(null).cast("date"));
    reopen.put("months_idle", monthsIdle(today, today));
    reopen.put("reopened_count", col("t.reopened_count").plus(1));
    reopen.put("history_note", concat_ws("; ", col("t.history_note"),
        concat(lit("reopened "), today.cast("string"), lit(" after "), col("t.status"),
            lit(" on "), coalesce(col("t.closed_on").cast("string"), lit("?")))));

    Map<String, Column> insert = new LinkedHashMap<>();
    insert.put("city_code", city);
    insert.put("asset_id", col("s.asset_id"));
    for (String a : ATTRIBUTES) {
      insert.put(a, col("s." + a));
    }
    insert.put("status", lit("open"));
    insert.put("first_seen", today);
    insert.put("last_seen", today);
    insert.put("open_since", today);
    insert.put("closed_on", lit(null).cast("date"));
    insert.put("months_idle", monthsIdle(today, today));
    insert.put("reopened_count", lit(0));
    insert.put("history_note", lit(null).cast("string"));

    target.as("t")
        .merge(source.as("s"),
            col("t.city_code").equalTo(city).and(col("t.asset_id").equalTo(col("s.asset_id"))))
        .whenMatched(col("s.idle").and(open).and(notLater).and(changed)).update(refresh)
        .whenMatched(col("s.idle").and(not(open)).and(notLater)).update(reopen)
        .whenMatched(not(col("s.idle")).and(open).and(notLater))
        .update(Map.of("status", lit("reused"), "closed_on", today))
        .whenNotMatched(col("s.idle")).insert(insert)
        .whenNotMatchedBySource(col("t.city_code").equalTo(city).and(open).and(notLater))
        .update(Map.of("status", lit("gone"), "closed_on", today))
        .execute();
    Map<String, String> metrics = target.history(1).select("operationMetrics").first().getJavaMap(0);
    return metrics == null ? Map.of() : metrics;
  }

  /** Whole months from the earlier of the spell start and the idle evidence date to today. */
  private static Column monthsIdle(Column today, Column openSince) {
    return floor(months_between(today, least(openSince, col("s.idle_since")), true)).cast("int");
  }

  /** This city's rows of the history table. */
  static Dataset<Row> read(SparkSession spark, RunContext ctx) {
    return spark.read().format("delta").load(ctx.tablePath(TABLE))
        .where(col("city_code").equalTo(lit(ctx.cityCode())));
  }
}
