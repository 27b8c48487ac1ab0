package org.lifecircle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Checks on run_log shared by the end-to-end tests of the nightly command. */
final class RunLogChecks {
  private RunLogChecks() {}

  /** Every registered stage has one succeeded row for the run; every source reconciles. */
  static void everyStageSucceededAndEverySourceReconciles(Dataset<Row> runLog, String runId) {
    Map<String, String> status = new TreeMap<>();
    for (Row r :
        runLog
            .where("run_id = '" + runId + "' AND source IS NULL")
            .select("stage", "status")
            .collectAsList()) {
      status.put(r.getString(0), r.getString(1));
    }
    assertThat(status.keySet())
        .containsExactlyInAnyOrderElementsOf(NightlyCommand.plan(null)); // gate too
    assertThat(status.values()).containsOnly("succeeded");
    for (Row r :
        runLog
            .where("run_id = '" + runId + "' AND source IS NOT NULL")
            .select("rows_in", "rows_out", "rows_quarantined")
            .collectAsList()) {
      assertThat(r.getLong(0)).isEqualTo(r.getLong(1) + r.getLong(2));
    }
  }
}
