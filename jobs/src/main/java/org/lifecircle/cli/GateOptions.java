package org.lifecircle.cli;

import org.lifecircle.quality.QualityGate;
import picocli.CommandLine.Option;

/** The quality gate's thresholds, shared by {@code quality-gate} and {@code nightly}. */
final class GateOptions {
  @Option(
      names = "--max-quarantine-share",
      paramLabel = "SHARE",
      description =
          "Quality gate: largest share of a source's rows that may be quarantined."
              + " Default: the city config's limits.max_quarantine_share (0.05 when not set).")
  Double maxQuarantineShare;

  @Option(
      names = "--max-coverage-drop",
      paramLabel = "SHARE",
      defaultValue = "0.10",
      description =
          "Quality gate: largest drop of any category's city coverage rate since the"
              + " previous snapshot. Default: ${DEFAULT-VALUE}.")
  double maxCoverageDrop;

  QualityGate gate() {
    return new QualityGate(maxQuarantineShare, maxCoverageDrop);
  }
}
