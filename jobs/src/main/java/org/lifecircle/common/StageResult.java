package org.lifecircle.common;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

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

  /**
   * Fails a stage whose own quarantine share (rows quarantined / rows in) exceeds the city's limit.
   * Ingest checks each source against the same limit; this covers every other stage, so no loss
   * passes the nightly unseen.
   */
  public void requireQuarantineWithin(String stage, double maxShare) {
    if (!sources.isEmpty() || rowsIn == 0) {
      return;
    }
    double share = (double) rowsQuarantined / rowsIn;
    if (share > maxShare) {
      throw PipelineException.cannot(
          "finish",
          "stage " + stage,
          String.format(
              Locale.ROOT,
              "quarantine share %.2f%% exceeds the limit %.2f%%",
              100 * share,
              100 * maxShare),
          rowsQuarantined + " of " + rowsIn + " rows");
    }
  }

  public static StageResult of(
      long in, long out, Map<String, Long> tables, List<String> headlines) {
    return new StageResult(in, out, 0, tables, List.of(), Map.of(), headlines);
  }

  /**
   * Per-source reconciliation: read = accepted + quarantined. {@code dropped} counts, by reason,
   * source records that never became a row (e.g. an OSM way with too few nodes); they are outside
   * the reconciliation and reported in run_log's metrics, as are {@code elements}: what the file
   * held before any mapping (an OSM extract's nodes, ways and relations).
   */
  public record SourceCount(
      String source,
      long read,
      long accepted,
      long quarantined,
      long repaired,
      Map<String, Long> dropped,
      Map<String, Long> elements) {
    public SourceCount {
      dropped = new TreeMap<>(dropped);
      elements = new TreeMap<>(elements);
    }

    public SourceCount(String source, long read, long accepted, long quarantined, long repaired) {
      this(source, read, accepted, quarantined, repaired, Map.of(), Map.of());
    }

    public boolean reconciles() {
      return read == accepted + quarantined;
    }
  }
}
