package org.lifecircle.ingest;

import java.util.Map;
import org.lifecircle.common.PipelineException;

/**
 * The ingest's check after publishing, from numbers that no shared code computed: the rows the
 * source reader produced (counted before validation), the rows the silver table's commit added
 * (Delta's metrics), and the rows the quarantine commit holds for the source (read back as of that
 * commit). A row lost or duplicated anywhere between reading and committing makes them disagree.
 */
final class Reconciliation {
  private Reconciliation() {}

  /** Every row read went to the silver table or to the quarantine, exactly once. */
  static void require(String dataset, String table, long read, long committed, long quarantined) {
    if (read != committed + quarantined) {
      throw PipelineException.cannot(
          "reconcile",
          "dataset " + dataset,
          "rows read != rows committed to " + table + " + rows quarantined",
          read + " != " + committed + " + " + quarantined);
    }
  }

  /**
   * Two measures of the one quarantine commit agree before its per-source split is trusted: its
   * rows read back by source, and its metrics. A disagreement is a fault of the read-back or of the
   * metrics, not a lost row, and is named as such rather than blamed on one dataset.
   */
  static void requireQuarantineTotal(Map<String, Long> bySource, long committed) {
    long counted = bySource.values().stream().mapToLong(Long::longValue).sum();
    if (counted != committed) {
      throw PipelineException.cannot(
          "reconcile",
          "table quarantine",
          "rows counted by source != rows its commit added",
          counted + " != " + committed);
    }
  }
}
