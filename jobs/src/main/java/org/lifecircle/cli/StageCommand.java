package org.lifecircle.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs one stage alone for a city and date (its inputs are the tables earlier stages wrote). */
@Command(mixinStandardHelpOptions = true)
final class StageCommand implements Callable<Integer> {
  private final String stage;

  @Mixin RunOptions options;

  StageCommand(String stage) {
    this.stage = stage;
  }

  @Override
  public Integer call() {
    return PipelineRun.run(options, List.of(stage), System.out);
  }
}
