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
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Merge;
import org.lifecircle.io.Tables;

/**
 * Keeps the idle_assets history table by one Delta MERGE per run on (city_code, asset_id), touching
 * only this city's rows:
 *
 * <ul>
 *   <li>new idle asset: inserted open, first_seen = last_seen = open_since = the snapshot date;
 *   <li>open and idle again ("refresh"): last_seen, attributes and months_idle updated, only when
 *       last_seen is before the date or an attribute differs (null-safe). last_seen advances every
 *       night, so each new date rewrites every still-open asset; a rerun of the same date with
 *       unchanged input changes nothing: no row updated, no file added;
 *   <li>open, still in the inputs but no longer idle: status reused, closed_on = date;
 *   <li>open and no longer in the inputs: status gone, closed_on = date; last_seen keeps the last
 *       date it was seen idle;
 *   <li>closed (reused or gone) and idle again: reopened visibly: status open, open_since = date,
 *       reopened_count + 1, and history_note gains "reopened DATE after STATUS on CLOSED_ON".
 * </ul>
 *
 * <p>How: the city's current rows are read first and the MERGE source holds only rows that change
 * something, each with its action. Two Delta facts make this necessary: a MERGE that also inserts
 * rewrites every file holding a row its ON condition matches, whatever the clause conditions say;
 * and a WHEN NOT MATCHED BY SOURCE clause scans (and may rewrite) other cities' files. So "gone"
 * rows come from the source too, the ON condition pins t.city_code (partition pruning), and the
 * clause conditions (whenMatched: last_seen before the date or an attribute differs) restate the
 * action as a guard. Every clause also requires last_seen on or before the date, so rerunning an
 * older date (a backfill) never rewinds a later history.
 */
final class AssetHistory {
  /** Attributes compared to decide whether a same-date rerun changes anything. */
  static final List<String> ATTRIBUTES =
      List.of(
          "kind",
          "source_id",
          "reason_codes",
          "use",
          "land_use_code",
          "floor_area_m2",
          "land_area_m2",
          "far_actual",
          "far_planned",
          "idle_since",
          "years_idle",
          "location",
          "community_code",
          "protected_heritage",
          "in_historic_district",
          "dangerous",
          "old_compound");

  private AssetHistory() {}

  /**
   * Merges today's idle assets ({@code idle}: asset_id plus {@link #ATTRIBUTES}, location as WKB)
   * and the ids of every building and parcel in today's inputs ({@code present}: asset_id). Returns
   * the MERGE commit's operation metrics.
   */
  static Map<String, String> merge(
      SparkSession spark, RunContext ctx, Dataset<Row> idle, Dataset<Row> present) {
    Contract contract = Contract.of(Tables.IDLE_ASSETS);
    Merge merge = Merge.into(spark, ctx, contract);
    Column city = lit(ctx.cityCode());
    Column today = lit(Date.valueOf(ctx.snapshotDate()));

    Column[] attrs = new Column[ATTRIBUTES.size() + 1];
    attrs[0] = col("asset_id");
    for (int i = 0; i < ATTRIBUTES.size(); i++) {
      String a = ATTRIBUTES.get(i);
      attrs[i + 1] = col(a).cast(contract.field(a).sparkType()).as(a);
    }
    Dataset<Row> idleRows = idle.select(attrs);
    Column[] known = new Column[ATTRIBUTES.size() + 3];
    known[0] = col("asset_id").as("k_id");
    known[1] = col("status").as("k_status");
    known[2] = col("last_seen").as("k_last_seen");
    for (int i = 0; i < ATTRIBUTES.size(); i++) {
      known[i + 3] = col(ATTRIBUTES.get(i)).as("k_" + ATTRIBUTES.get(i));
    }
    Dataset<Row> mine = merge.current().select(known);
    Dataset<Row> stillOpen =
        mine.where(col("k_status").equalTo("open").and(col("k_last_seen").leq(today)));

    // The source holds only rows that change something: Delta rewrites every file holding a row
    // the ON condition matches (when the MERGE also inserts), whatever the clause conditions say.
    Dataset<Row> idleActions =
        idleRows
            .join(mine, col("asset_id").equalTo(col("k_id")), "left")
            .withColumn(
                "action",
                when(col("k_id").isNull(), lit("insert"))
                    .when(col("k_last_seen").gt(today), lit(null))
                    .when(
                        col("k_status")
                            .equalTo("open")
                            .and(
                                changed(
                                    a -> col("k_" + a), a -> col(a), col("k_last_seen"), today)),
                        lit("refresh"))
                    .when(col("k_status").notEqual("open"), lit("reopen")))
            .where(col("action").isNotNull())
            .select(idleRows.col("*"), col("action"));
    Dataset<Row> ids = present.select(col("asset_id").as("p_id")).distinct();
    Dataset<Row> reused =
        stillOpen
            .join(ids, col("k_id").equalTo(col("p_id")), "left_semi")
            .join(
                idleRows.select(col("asset_id").as("i_id")),
                col("k_id").equalTo(col("i_id")),
                "left_anti")
            .select(col("k_id").as("asset_id"))
            .withColumn("action", lit("reused"));
    Dataset<Row> gone =
        stillOpen
            .join(ids, col("k_id").equalTo(col("p_id")), "left_anti")
            .select(col("k_id").as("asset_id"))
            .withColumn("action", lit("gone"));
    Dataset<Row> closing = reused.unionByName(gone);
    for (String a : ATTRIBUTES) {
      closing = closing.withColumn(a, lit(null).cast(contract.field(a).sparkType()));
    }
    Dataset<Row> source = idleActions.unionByName(closing);

    Column notLater = col("t.last_seen").leq(today);
    Column open = col("t.status").equalTo("open");
    Column changed = changed(a -> col("t." + a), a -> col("s." + a), col("t.last_seen"), today);
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
    reopen.put(
        "history_note",
        concat_ws(
            "; ",
            col("t.history_note"),
            concat(
                lit("reopened "),
                today.cast("string"),
                lit(" after "),
                col("t.status"),
                lit(" on "),
                coalesce(col("t.closed_on").cast("string"), lit("?")))));

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

    Column action = col("s.action");
    // A MERGE that changes nothing commits nothing: then there are no metrics of this run.
    return merge
        .whenMatchedUpdate(action.equalTo("refresh").and(open).and(notLater).and(changed), refresh)
        .whenMatchedUpdate(action.equalTo("reopen").and(not(open)).and(notLater), reopen)
        .whenMatchedUpdate(
            action.equalTo("reused").and(open).and(notLater),
            Map.of("status", lit("reused"), "closed_on", today))
        .whenMatchedUpdate(
            action.equalTo("gone").and(open).and(notLater),
            Map.of("status", lit("gone"), "closed_on", today))
        .whenNotMatchedInsert(action.equalTo("insert"), insert)
        .execute(
            source,
            col("t.city_code").equalTo(city).and(col("t.asset_id").equalTo(col("s.asset_id"))));
  }

  /** last_seen is before today, or an attribute differs (null-safe). */
  private static Column changed(
      Function<String, Column> before,
      Function<String, Column> now,
      Column lastSeen,
      Column today) {
    Column c = lastSeen.lt(today);
    for (String a : ATTRIBUTES) {
      c = c.or(not(before.apply(a).eqNullSafe(now.apply(a))));
    }
    return c;
  }

  /** Whole months from the earlier of the spell start and the idle evidence date to today. */
  private static Column monthsIdle(Column today, Column openSince) {
    return floor(months_between(today, least(openSince, col("s.idle_since")), true)).cast("int");
  }

  /** This city's rows of the history table. */
  static Dataset<Row> read(StageTables tables) {
    return tables.city(Tables.IDLE_ASSETS);
  }
}
