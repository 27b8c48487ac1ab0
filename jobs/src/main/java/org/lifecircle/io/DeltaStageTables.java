package org.lifecircle.io;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageTables;

/** The stages' tables in the Delta warehouse: {@link DeltaTables} and {@link Quarantine}. */
public final class DeltaStageTables implements StageTables {
  private final SparkSession spark;
  private final RunContext ctx;

  private DeltaStageTables(SparkSession spark, RunContext ctx) {
    this.spark = spark;
    this.ctx = ctx;
  }

  public static StageTables of(SparkSession spark, RunContext ctx) {
    return new DeltaStageTables(spark, ctx);
  }

  @Override
  public boolean exists(String table) {
    return DeltaTables.exists(spark, ctx, table);
  }

  @Override
  public Dataset<Row> snapshot(String table) {
    return DeltaTables.readSnapshot(spark, ctx, table);
  }

  @Override
  public Dataset<Row> input(String table) {
    return DeltaTables.input(spark, ctx, table);
  }

  @Override
  public long rows(String table) {
    return DeltaTables.rows(spark, ctx, table);
  }

  @Override
  public Dataset<Row> city(String table) {
    return DeltaTables.readCity(spark, ctx, table);
  }

  @Override
  public long replaceSnapshot(String table, Dataset<Row> rows) {
    return DeltaTables.replaceSnapshot(spark, ctx, Contract.of(table), rows);
  }

  @Override
  public long replaceQuarantine(String stage, Dataset<Row> rows) {
    return Quarantine.replace(spark, ctx, stage, rows);
  }
}
