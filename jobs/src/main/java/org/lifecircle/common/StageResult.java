package org.lifecircle.common;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a stage reports: rows in, out and quarantined, rows written per table, per-source counts
 * (ingest) and free-form headline lines for the run summary.
 */
public record StageResult(
    long rowsIn,
    long rowsOut,
    long rowsQuarantined,
    Map<String, Long> tablesWritten,
    List<SourceCount> sources,
    Map<String, Object> metrics,
    List<String> headlines) {

  public StageResult {
    tablesWritten = new LinkedHashMap<>(tablesWritten);
    sources = List.copyOf(sources);
    metrics = new LinkedHashMap<>(metrics);
    headlines = List.copyOf(headlines);
  }

  public static StageResult of(long in, long out, Map<String, Long> tables, List<String> headlines) {
    return new StageResult(in, out, 0, tables, List.of(), Map.of(), headlines);
  }

  /** Per-source reconciliation: read = accepted + quarantined. */
  public record SourceCount(String source, long read, long accepted, long quarantined, long repaired) {
    public boolean reconciles() {
      return read == accepted + quarantined;
    }
  }
}
