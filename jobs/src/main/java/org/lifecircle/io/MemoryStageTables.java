package org.lifecircle.io;

import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.lifecircle.common.Contract;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageTables;

/**
 * Tables held in memory, for unit tests of a stage's logic: seed the inputs with {@link #put}, run
 * the stage, read what it wrote with {@link #snapshot}. Writes are conformed to the table's
 * contract (columns, types, order) exactly as the Delta sink conforms them, and materialised at
 * once (rows collected on the driver), so a write is as final as a commit and a later read does not
 * re-run the stage's plan. Sized for a few hand-written rows, not for a city.
 */
public final class MemoryStageTables implements StageTables {
  private static final String LOCATION = "memory:";

  private final SparkSession spark;
  private final RunContext ctx;
  private final Map<String, List<Row>> rows;

  private MemoryStageTables(SparkSession spark, RunContext ctx, Map<String, List<Row>> rows) {
    this.spark = Objects.requireNonNull(spark, "spark");
    this.ctx = Objects.requireNonNull(ctx, "ctx");
    this.rows = rows;
  }

  public static MemoryStageTables of(SparkSession spark, RunContext ctx) {
    return new MemoryStageTables(spark, ctx, new TreeMap<>());
  }

  /**
   * The same tables as another run sees them (another date or mode of the city): what either
   * writes, the other reads. For stages that read earlier snapshots.
   */
  public MemoryStageTables as(RunContext other) {
    return new MemoryStageTables(spark, other, rows);
  }

  /** Seeds this run's snapshot of {@code table}, as the stage that writes it would have. */
  public MemoryStageTables put(String table, Dataset<Row> snapshot) {
    replaceSnapshot(table, snapshot);
    return this;
  }

  /** Seeds {@code table} from rows in its contract's column order (partition columns left out). */
  public MemoryStageTables put(String table, List<Row> snapshot) {
    return put(
        table, spark.createDataFrame(snapshot, Contract.of(table).schemaWithoutPartitions()));
  }

  @Override
  public boolean exists(String table) {
    return rows.containsKey(table);
  }

  @Override
  public Dataset<Row> snapshot(String table) {
    return frame(table, this::inSnapshot);
  }

  @Override
  public Dataset<Row> input(String table) {
    Dataset<Row> df = snapshot(table);
    if (df.isEmpty()) {
      throw DeltaTables.empty(ctx, table, LOCATION + table);
    }
    return df;
  }

  @Override
  public long rows(String table) {
    return snapshot(table).count();
  }

  @Override
  public Dataset<Row> city(String table) {
    return frame(table, r -> ctx.cityCode().equals(r.getAs("city_code")));
  }

  @Override
  public long replaceSnapshot(String table, Dataset<Row> snapshot) {
    return replace(table, DeltaTables.withSnapshotKeys(snapshot, ctx), this::inSnapshot);
  }

  @Override
  public long replaceQuarantine(String stage, Dataset<Row> quarantined) {
    return replace(
        Tables.QUARANTINE,
        Quarantine.withKeys(quarantined, ctx, stage),
        r -> inSnapshot(r) && stage.equals(r.getAs("stage")));
  }

  private boolean inSnapshot(Row r) {
    return ctx.cityCode().equals(r.getAs("city_code"))
        && Date.valueOf(ctx.snapshotDate()).equals(r.getAs("snapshot_date"));
  }

  /**
   * Drops the rows {@code replaced} selects and adds {@code written}, conformed to the contract. A
   * null in a column the contract declares not null fails the write, as Delta's NOT NULL constraint
   * does (Spark would accept the row and then optimise {@code IS NULL} tests on that column away).
   */
  private long replace(String table, Dataset<Row> written, Predicate<Row> replaced) {
    Contract contract = Contract.of(table);
    List<Row> added = DeltaTables.conform(written, contract).collectAsList();
    StructField[] fields = contract.schema().fields();
    for (int row = 0; row < added.size(); row++) {
      for (int i = 0; i < fields.length; i++) {
        if (!fields[i].nullable() && added.get(row).isNullAt(i)) {
          throw PipelineException.cannot(
              "write",
              "table " + table,
              "column '" + fields[i].name() + "' is null, which its contract does not allow",
              "row " + row);
        }
      }
    }
    List<Row> kept = new ArrayList<>();
    for (Row r : rows.getOrDefault(table, List.of())) {
      if (!replaced.test(r)) {
        kept.add(r);
      }
    }
    kept.addAll(added);
    rows.put(table, kept);
    return added.size();
  }

  private Dataset<Row> frame(String table, Predicate<Row> keep) {
    List<Row> all = rows.get(table);
    if (all == null) {
      throw DeltaTables.missing(table, LOCATION + table);
    }
    return spark.createDataFrame(all.stream().filter(keep).toList(), Contract.of(table).schema());
  }
}
