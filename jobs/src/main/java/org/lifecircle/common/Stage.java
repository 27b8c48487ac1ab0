package org.lifecircle.common;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * One room of the pipeline: reads tables, writes its own tables, reports counts. A stage declares
 * its doors, the tables it reads and writes (names from io/Tables), so that the nightly order, the
 * documentation and {@code lifecircle stages} can be checked against the code instead of being kept
 * by hand.
 */
public interface Stage {
  String name();

  Doors doors();

  /**
   * The tables the stage reads that other stages write, optional ones included. A table the stage
   * reads back after writing it (its own ledger or history) is not listed again.
   */
  default List<String> inputs() {
    return doors().inputs();
  }

  /** The tables the stage writes. run_log is not listed: the runner appends every stage's row. */
  default List<String> outputs() {
    return doors().outputs();
  }

  /** Short names of the checks that stop the stage (and the nightly) when they fail. */
  default List<String> checks() {
    return doors().checks();
  }

  /**
   * Spark SQL settings for this stage's queries alone, on top of the session's profile; the runner
   * sets them before the stage and puts the session's values back after it. A setting the
   * deployment gave (spark-submit --conf, -Dspark.*) still wins.
   */
  default Map<String, String> sparkSettings() {
    return Map.of();
  }

  /**
   * Runs the stage for the run {@code ctx} describes, reading and writing its tables through {@code
   * tables} (the Delta warehouse in a run, tables in memory in a unit test).
   */
  StageResult run(SparkSession spark, RunContext ctx, StageTables tables);

  /** What a stage reads, writes and checks: {@code Doors.reads(...).writes(...).checks(...)}. */
  record Doors(List<String> inputs, List<String> outputs, List<String> checks) {
    public Doors {
      inputs = List.copyOf(inputs);
      outputs = List.copyOf(outputs);
      checks = List.copyOf(checks);
    }

    public static Doors reads(String... tables) {
      return new Doors(List.of(tables), List.of(), List.of());
    }

    public Doors writes(String... tables) {
      return new Doors(inputs, List.of(tables), checks);
    }

    public Doors checks(String... names) {
      return new Doors(inputs, outputs, List.of(names));
    }
  }
}
