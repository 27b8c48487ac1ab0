package org.lifecircle.common;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A stage's one door to the tables, for one run's city and snapshot date: the source it reads and
 * the sink it writes. The nightly hands every stage the Delta warehouse ({@code
 * io/DeltaStageTables}); unit tests hand it tables held in memory ({@code io/MemoryStageTables}),
 * so a stage's logic is tested on a few hand-written rows without a warehouse. Both conform what is
 * written to the table's contract and fail with the same messages.
 *
 * <p>Two writes stay outside, in io/, because what they check is the Delta commit itself: ingest's
 * reconciliation reads the rows each commit added, and the idle_assets history is a Delta MERGE.
 */
public interface StageTables {
  /** Whether the table exists at all (any city, any date). */
  boolean exists(String table);

  /** The table's rows for this run's city and date (empty when the table holds none). */
  Dataset<Row> snapshot(String table);

  /**
   * A stage's required input: the snapshot, which must hold rows, or the stage stops with a message
   * that names the stage to run first.
   */
  Dataset<Row> input(String table);

  /**
   * How many rows the snapshot holds: from the commit that wrote it when this process wrote it and
   * no one has committed to the table since (no Spark job), else counted.
   */
  long rows(String table);

  /** Every date of this run's city: logs, histories, and snapshots compared across dates. */
  Dataset<Row> city(String table);

  /**
   * Replaces this run's snapshot of the table with {@code rows} (city_code and snapshot_date are
   * set here) in one write; returns the rows written.
   */
  long replaceSnapshot(String table, Dataset<Row> rows);

  /**
   * Replaces {@code stage}'s quarantine rows for this run's city and date; returns rows written.
   */
  long replaceQuarantine(String stage, Dataset<Row> rows);
}
