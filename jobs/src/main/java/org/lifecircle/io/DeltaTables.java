package org.lifecircle.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.sql.Date;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.types.StructField;
import org.lifecircle.common.Contract;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;

/**
 * Path-based Delta tables under the warehouse root, one folder per table, created from their
 * contract (schema, comments, partitioning). Snapshot writes replace exactly one (city, date)
 * partition in one atomic commit, so reruns are idempotent and other dates are untouched.
 */
public final class DeltaTables {
  private DeltaTables() {}

  public static boolean exists(SparkSession spark, RunContext ctx, String table) {
    return DeltaTable.isDeltaTable(spark, ctx.tablePath(table));
  }

  /** Creates the table from its contract unless it exists; records the city's CRS as a property. */
  public static void ensure(SparkSession spark, RunContext ctx, Contract contract) {
    String path = ctx.tablePath(contract.table());
    if (!DeltaTable.isDeltaTable(spark, path)) {
      DeltaTableBuilder b =
          DeltaTable.createIfNotExists(spark)
              .location(path)
              .comment(
                  contract.description() == null
                      ? contract.table()
                      : contract.description().toString())
              .property("lifecircle.contract", contract.table())
              .property("lifecircle.geometry_encoding", "WKB")
              // Data-skipping statistics only on the leading (key) columns: collecting them for
              // every column costs more at write time than it saves readers of these tables.
              .property("delta.dataSkippingNumIndexedCols", "4");
      if (hasGeometry(contract)) {
        // Set at creation: a property changed afterwards is one more commit, and one more
        // state reconstruction (a Spark job) before the first write.
        b = b.property(crsKey(ctx), ctx.city().metricCrs());
      }
      for (StructField f : contract.schema().fields()) {
        b =
            b.addColumn(
                DeltaTable.columnBuilder(spark, f.name())
                    .dataType(f.dataType())
                    .nullable(f.nullable())
                    .comment(f.metadata().getString("comment"))
                    .build());
      }
      if (!contract.partitionBy().isEmpty()) {
        b = b.partitionedBy(contract.partitionBy().toArray(String[]::new));
      }
      DeltaTableBuilder builder = b;
      DeltaCommits.create(
          contract.table(),
          () -> {
            if (!DeltaTable.isDeltaTable(spark, path)) {
              builder.execute();
            }
          });
    } else {
      addMissingColumns(spark, contract, path);
    }
    recordCrs(spark, ctx, contract, path);
  }

  private static final Set<String> SCHEMA_CHECKED = ConcurrentHashMap.newKeySet();

  /**
   * A table written by an older version lacks the columns its contract has gained since (e.g.
   * buildings.use_evidence): they are added, empty for the snapshots before, so an upgrade needs no
   * migration by hand. Delta adds them as nullable; the new snapshots fill them. Checked once per
   * table per process.
   */
  private static void addMissingColumns(SparkSession spark, Contract contract, String path) {
    if (!SCHEMA_CHECKED.add(path)) {
      return;
    }
    Set<String> have =
        new HashSet<>(Arrays.asList(DeltaTable.forPath(spark, path).toDF().columns()));
    List<String> add = new ArrayList<>();
    for (StructField f : contract.schema().fields()) {
      if (!have.contains(f.name())) {
        add.add(
            "`"
                + f.name()
                + "` "
                + f.dataType().sql()
                + " COMMENT '"
                + f.metadata().getString("comment").replace("'", "\\'")
                + "'");
      }
    }
    if (!add.isEmpty()) {
      // Names and types come from our own contracts, never from user text.
      DeltaCommits.run(
          contract.table(),
          () ->
              spark.sql(
                  "ALTER TABLE delta.`" + path + "` ADD COLUMNS (" + String.join(", ", add) + ")"));
    }
  }

  private static final Set<String> CRS_RECORDED = ConcurrentHashMap.newKeySet();

  private static boolean hasGeometry(Contract contract) {
    return contract.fields().stream().anyMatch(Contract.Field::isGeometry);
  }

  private static String crsKey(RunContext ctx) {
    return "lifecircle.crs." + ctx.cityCode();
  }

  /**
   * Records the city's metric CRS as a table property unless the table already says so: set when
   * the table is created, added here for a city that first writes to a table another city created.
   * Checked once per table and city per process.
   */
  private static void recordCrs(
      SparkSession spark, RunContext ctx, Contract contract, String path) {
    if (!hasGeometry(contract)
        || !CRS_RECORDED.add(path + "|" + ctx.cityCode() + "|" + ctx.city().metricCrs())) {
      return;
    }
    String key = crsKey(ctx);
    if (ctx.city().metricCrs().equals(DeltaLogs.properties(spark, path).get(key))) {
      return;
    }
    // Both values were validated (6-digit code, a CRS name proj4j knows), so they are safe to
    // quote.
    DeltaCommits.run(
        contract.table(),
        () ->
            spark.sql(
                "ALTER TABLE delta.`"
                    + path
                    + "` SET TBLPROPERTIES ('"
                    + key
                    + "' = '"
                    + ctx.city().metricCrs()
                    + "')"));
  }

  /** Selects and casts the frame to the contract's columns, in order; a missing one is a bug. */
  public static Dataset<Row> conform(Dataset<Row> df, Contract contract) {
    Set<String> have = new HashSet<>(Arrays.asList(df.columns()));
    Column[] cols = new Column[contract.fields().size()];
    int i = 0;
    for (Contract.Field f : contract.fields()) {
      if (!have.contains(f.name())) {
        throw PipelineException.cannot(
            "write",
            "table " + contract.table(),
            "column '" + f.name() + "' is not produced",
            null);
      }
      cols[i++] = col(f.name()).cast(f.sparkType()).as(f.name());
    }
    return df.select(cols);
  }

  /**
   * Replaces the (city, snapshot date) partition with {@code df} in one commit. replaceWhere makes
   * Delta check that every written row lies inside the partition.
   */
  public static long replaceSnapshot(
      SparkSession spark, RunContext ctx, Contract contract, Dataset<Row> df) {
    return replaceSnapshotCommit(spark, ctx, contract, df).rowsAdded();
  }

  /** As {@link #replaceSnapshot}, returning the commit (for checks that read its metrics). */
  public static CommitMetrics.Commit replaceSnapshotCommit(
      SparkSession spark, RunContext ctx, Contract contract, Dataset<Row> df) {
    return replace(spark, ctx, contract, withSnapshotKeys(df, ctx), snapshotPredicate(ctx));
  }

  /** {@code df} with this run's city_code and snapshot_date columns (replacing any it has). */
  static Dataset<Row> withSnapshotKeys(Dataset<Row> df, RunContext ctx) {
    return df.withColumn("city_code", lit(ctx.cityCode()))
        .withColumn("snapshot_date", lit(Date.valueOf(ctx.snapshotDate())));
  }

  /**
   * The one snapshot write: the rows matching {@code predicate} are replaced by {@code rows}
   * (conformed to the contract) in one commit, retried on a lost concurrency race. Returns that
   * commit, found by its userMetadata tag, with the rows it added from Delta's own metrics.
   */
  static CommitMetrics.Commit replace(
      SparkSession spark, RunContext ctx, Contract contract, Dataset<Row> rows, String predicate) {
    ensure(spark, ctx, contract);
    return replace(
        spark,
        ctx,
        contract,
        rows,
        predicate,
        DeltaLogs.version(spark, ctx.tablePath(contract.table())));
  }

  /**
   * As above, for a table seen at {@code seenVersion}. Version 0 is the table's creation by {@link
   * #ensure}, which holds no rows, so there is nothing to replace: the rows are appended, which
   * spares the two Spark jobs a replaceWhere costs before it writes (Delta's state of the table and
   * the files the predicate selects; on a fresh warehouse two per table, 32 of the demo nightly's
   * jobs). Had another writer committed in between, the append would not be the version after the
   * creation: the write is made again as a replaceWhere, which leaves exactly these rows under the
   * predicate, as if it had been one from the start.
   */
  static CommitMetrics.Commit replace(
      SparkSession spark,
      RunContext ctx,
      Contract contract,
      Dataset<Row> rows,
      String predicate,
      long seenVersion) {
    Dataset<Row> conformed = Handoffs.prepare(conform(rows, contract));
    String path = ctx.tablePath(contract.table());
    CommitMetrics.Commit commit =
        write(spark, ctx, contract, conformed, path, predicate, seenVersion == 0);
    if (seenVersion == 0 && commit.committed() && commit.version() != 1) {
      commit = write(spark, ctx, contract, conformed, path, predicate, false);
    }
    Snapshot now = DeltaLogs.latest(spark, path);
    String key = WrittenSnapshots.key(path, predicate);
    WrittenSnapshots.record(key, now.metadata().id(), commit.version(), commit.rowsAdded());
    Handoffs.keep(key, conformed, now.metadata().id(), commit.version(), now.schema());
    return commit;
  }

  /** One tagged commit of {@code rows}: appended, or replacing what {@code predicate} selects. */
  private static CommitMetrics.Commit write(
      SparkSession spark,
      RunContext ctx,
      Contract contract,
      Dataset<Row> rows,
      String path,
      String predicate,
      boolean append) {
    String tag = CommitMetrics.tag(ctx, contract.table());
    DeltaCommits.run(
        contract.table(),
        () -> {
          DataFrameWriter<Row> w = rows.write().format("delta").option("userMetadata", tag);
          if (append) {
            w.mode("append").save(path);
          } else {
            w.mode("overwrite").option("replaceWhere", predicate).save(path);
          }
        });
    return CommitMetrics.find(spark, contract.table(), path, tag, predicate);
  }

  /**
   * Undoes {@code commit}, this run's replaceSnapshot of the table: the (city, date) partition is
   * put back as it was just before it (empty where it held nothing), in one more commit. For a
   * check that can only read what a commit holds and fails: the snapshot is not left half
   * published. Other cities and dates are untouched.
   */
  public static void undoSnapshot(
      SparkSession spark, RunContext ctx, Contract contract, CommitMetrics.Commit commit) {
    undo(spark, ctx, contract, commit, snapshotPredicate(ctx));
  }

  /**
   * Replaces the rows {@code predicate} selects with those it selected at the version before {@code
   * commit}. A commit Delta never made (an empty write into an empty partition) changed nothing and
   * is left alone.
   */
  static void undo(
      SparkSession spark,
      RunContext ctx,
      Contract contract,
      CommitMetrics.Commit commit,
      String predicate) {
    if (!commit.committed()) {
      return;
    }
    // Version 0 is the table's creation (ensure): every write of ours is at version 1 or later.
    Dataset<Row> before =
        spark
            .read()
            .format("delta")
            .option("versionAsOf", commit.version() - 1)
            .load(ctx.tablePath(contract.table()))
            .where(predicate);
    replace(spark, ctx, contract, before, predicate);
  }

  /** Appends rows (logs only: run_log is a log, not a snapshot). */
  public static void append(
      SparkSession spark, RunContext ctx, Contract contract, Dataset<Row> df) {
    ensure(spark, ctx, contract);
    Dataset<Row> rows = conform(df, contract);
    DeltaCommits.run(
        contract.table(),
        () -> rows.write().format("delta").mode("append").save(ctx.tablePath(contract.table())));
  }

  /** The city code is six digits and the date a LocalDate: no user text reaches this predicate. */
  static String snapshotPredicate(RunContext ctx) {
    return "city_code = '"
        + ctx.cityCode()
        + "' AND snapshot_date = DATE'"
        + ctx.snapshotDate()
        + "'";
  }

  public static Dataset<Row> readSnapshot(SparkSession spark, RunContext ctx, String table) {
    String path = ctx.tablePath(table);
    Handoffs.Handed handed = Handoffs.get(WrittenSnapshots.key(path, snapshotPredicate(ctx)));
    if (handed != null
        && WrittenSnapshots.stillAt(spark, path, handed.tableId(), handed.version())) {
      return handed.rows();
    }
    return readCity(spark, ctx, table)
        .where(col("snapshot_date").equalTo(lit(Date.valueOf(ctx.snapshotDate()))));
  }

  /**
   * Every row of one city, all dates: the tables that are not snapshots (run_log, the idle_assets
   * history), and snapshots compared across dates (the quality gate's coverage drop).
   */
  public static Dataset<Row> readCity(SparkSession spark, RunContext ctx, String table) {
    return readTable(spark, ctx, table).where(col("city_code").equalTo(lit(ctx.cityCode())));
  }

  /** The whole table, every city and date; readers narrow it by partition columns. */
  static Dataset<Row> readTable(SparkSession spark, RunContext ctx, String table) {
    String path = ctx.tablePath(table);
    if (!DeltaTable.isDeltaTable(spark, path)) {
      throw missing(table, path);
    }
    return spark.read().format("delta").load(path);
  }

  /**
   * A stage's input: the snapshot must exist and hold rows, or the stage stops with a message that
   * says which stage to run first (an empty input would silently publish empty results).
   */
  public static Dataset<Row> input(SparkSession spark, RunContext ctx, String table) {
    Dataset<Row> df = readSnapshot(spark, ctx, table);
    // A stage reading what an earlier stage of this process wrote knows from that commit whether
    // the snapshot holds rows, without the Spark job (and Delta file listing) isEmpty costs; any
    // commit since, by anyone, and the data is asked.
    Long written = writtenRows(spark, ctx, table);
    if (written != null ? written == 0 : df.isEmpty()) {
      throw empty(ctx, table, ctx.tablePath(table));
    }
    return df;
  }

  /** The rows this process's commit left in this run's snapshot, while still current; or null. */
  private static Long writtenRows(SparkSession spark, RunContext ctx, String table) {
    String path = ctx.tablePath(table);
    return WrittenSnapshots.rowsIfCurrent(
        spark, path, WrittenSnapshots.key(path, snapshotPredicate(ctx)));
  }

  /**
   * The rows of this run's snapshot of {@code table}: what the commit that wrote them added, while
   * this process wrote it and the table is still at that version; else a count.
   */
  public static long rows(SparkSession spark, RunContext ctx, String table) {
    Long written = writtenRows(spark, ctx, table);
    return written != null ? written : readSnapshot(spark, ctx, table).count();
  }

  /** A table that is not there, wherever {@code location} says it was looked for. */
  static PipelineException missing(String table, Object location) {
    return PipelineException.cannot(
        "read",
        "table " + table,
        "it does not exist; run the stage that writes it first",
        location);
  }

  /** A required input without rows for the run's city and date. */
  static PipelineException empty(RunContext ctx, String table, Object location) {
    return PipelineException.cannot(
        "read",
        "table " + table,
        "it has no rows for city "
            + ctx.cityCode()
            + " on "
            + ctx.snapshotDate()
            + "; run the stage that writes it first",
        location);
  }
}
