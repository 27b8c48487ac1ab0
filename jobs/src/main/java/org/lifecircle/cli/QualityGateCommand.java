package org.lifecircle.cli;

import java.util.concurrent.Callable;
import org.lifecircle.quality.QualityGate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "quality-gate",
    header = "Fail when a source's quarantine share or a coverage drop exceeds its limit.",
    mixinStandardHelpOptions = true,
    description = {
      "Fail (exit 1) when a source's quarantine share or a city-level coverage drop against the",
      "previous snapshot exceeds its threshold; run by the orchestrator before publishing tasks."
    })
final class QualityGateCommand implements Callable<Integer> {
  @Mixin RunOptions options;

  @Option(names = "--max-quarantine-share", paramLabel = "SHARE", defaultValue = "0.05",
      description = "Largest share of a source's rows that may be quarantined. Default: ${DEFAULT-VALUE}.")
  double maxQuarantineShare;

  @Option(names = "--max-coverage-drop", paramLabel = "SHARE", defaultValue = "0.10",
      description = "Largest drop of any category's city coverage rate since the previous snapshot."
          + " Default: ${DEFAULT-VALUE}.")
  double maxCoverageDrop;

  @Override
  public Integer call() {
    QualityGate gate = new QualityGate(maxQuarantineShare, maxCoverageDrop);
    return PipelineRun.runStages(options, java.util.List.of(gate), System.out);
  }
}
