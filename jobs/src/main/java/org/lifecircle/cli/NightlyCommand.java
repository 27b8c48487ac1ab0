package org.lifecircle.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "nightly",
    header = "Run every stage in order for one city and snapshot date, then print a summary.",
    mixinStandardHelpOptions = true,
    description = {
      "Run every stage in order for one city and snapshot date, then print a summary.",
      "A city whose config has a `sample` block gets its inputs generated first when they are missing."
    })
final class NightlyCommand implements Callable<Integer> {
  @Mixin RunOptions options;

  @Option(names = "--until", paramLabel = "STAGE", completionCandidates = Stages.Names.class,
      converter = Stages.NameConverter.class,
      description = "Stop after this stage (e.g. rebuild only ingest..access for a backfill), one of:"
          + " ${COMPLETION-CANDIDATES}.")
  String until;

  @Override
  public Integer call() {
    return PipelineRun.run(options, stagesUntil(until), System.out);
  }

  /** The nightly stages in order, up to and including {@code last} (all when null). */
  static List<String> stagesUntil(String last) {
    List<String> all = Stages.names();
    if (last == null) {
      return all;
    }
    Stages.byName(last); // an unknown name stops here with the list of known ones
    return all.subList(0, all.indexOf(last) + 1);
  }
}
