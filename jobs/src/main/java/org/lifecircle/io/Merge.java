package org.lifecircle.io;

import io.delta.tables.DeltaMergeBuilder;
import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;

/**
 * One Delta MERGE by keys into a table that is a history rather than a snapshot: the target is
 * aliased {@code t}, the source {@code s}, and clauses are tried in the order they are added. The
 * clauses are kept as data so that the whole MERGE is built and run inside the DeltaCommits retry:
 * an attempt that lost a concurrency race is run again whole, never half-built.
 */
public final class Merge {
  private record Clause(Column when, Map<String, Column> set) {}

  private final SparkSession spark;
  private final RunContext ctx;
  private final Contract contract;
  private final List<Clause> updates = new ArrayList<>();
  private final List<Clause> inserts = new ArrayList<>();

  private Merge(SparkSession spark, RunContext ctx, Contract contract) {
    this.spark = spark;
    this.ctx = ctx;
    this.contract = contract;
  }

  /** A MERGE into the table of {@code contract}, created from it first when absent. */
  public static Merge into(SparkSession spark, RunContext ctx, Contract contract) {
    DeltaTables.ensure(spark, ctx, contract);
    return new Merge(spark, ctx, contract);
  }

  /** The city's rows as the table stands before the MERGE (what the source is computed from). */
  public Dataset<Row> current() {
    return DeltaTables.readCity(spark, ctx, contract.table());
  }

  public Merge whenMatchedUpdate(Column when, Map<String, Column> set) {
    updates.add(new Clause(when, set));
    return this;
  }

  public Merge whenNotMatchedInsert(Column when, Map<String, Column> values) {
    inserts.add(new Clause(when, values));
    return this;
  }

  /**
   * Runs the MERGE of {@code source} on {@code on} in one commit and returns that commit's
   * operation metrics, or an empty map when it changed nothing (Delta then commits nothing).
   */
  public Map<String, String> execute(Dataset<Row> source, Column on) {
    String path = ctx.tablePath(contract.table());
    DeltaTable target = DeltaTable.forPath(spark, path);
    long before = DeltaLogs.version(spark, path);
    DeltaCommits.run(
        contract.table(),
        () -> {
          DeltaMergeBuilder m = target.as("t").merge(source.as("s"), on);
          for (Clause c : updates) {
            m = m.whenMatched(c.when()).update(c.set());
          }
          for (Clause c : inserts) {
            m = m.whenNotMatched(c.when()).insert(c.set());
          }
          m.execute();
        });
    long after = DeltaLogs.version(spark, path);
    Map<String, String> metrics =
        after == before
            ? null
            : DeltaLogs.commitInfo(spark, path, after)
                .map(DeltaLogs::operationMetrics)
                .orElse(null);
    return metrics == null ? Map.of() : metrics;
  }
}
