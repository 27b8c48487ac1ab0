package org.lifecircle.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "quality-gate",
    header = "Fail when a source's quarantine share or a coverage drop exceeds its limit.",
    mixinStandardHelpOptions = true,
    description = {
      "Fail (exit 1) when a source's quarantine share or a city-level coverage drop against the",
      "previous snapshot exceeds its threshold; nightly and the orchestrator run it right after "
          + Stages.QUALITY_GATE_AFTER
          + ",",
      "before the later stages publish."
    })
final class QualityGateCommand implements Callable<Integer> {
  @Mixin RunOptions options;
  @Mixin GateOptions gate;

  @Override
  public Integer call() {
    return PipelineRun.runStages(options, List.of(gate.gate()), System.out);
  }
}
