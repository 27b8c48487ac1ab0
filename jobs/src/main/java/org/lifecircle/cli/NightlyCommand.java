package org.lifecircle.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "nightly",
    mixinStandardHelpOptions = true,
    description = {
      "Run every stage in order for one city and snapshot date, then print a summary.",
      "A city whose config has a `sample` block gets its inputs generated first when they are missing."
    })
final class NightlyCommand implements Callable<Integer> {
  @Mixin RunOptions options;

  @Override
  public Integer call() {
    return PipelineRun.run(options, Stages.names(), System.out);
  }
}
