package org.lifecircle.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.lifecircle.common.Stage;
import org.lifecircle.quality.QualityGate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "nightly",
    header = "Run every stage in order for one city and snapshot date, then print a summary.",
    mixinStandardHelpOptions = true,
    description = {
      "Run every stage in order for one city and snapshot date, then print a summary.",
      "The quality gate (as `quality-gate`) runs right after "
          + Stages.QUALITY_GATE_AFTER
          + "; when it fails, the run stops there and exits 1.",
      "A city whose config has a `sample` block gets its inputs generated first when they are missing."
    })
final class NightlyCommand implements Callable<Integer> {
  @Mixin RunOptions options;
  @Mixin GateOptions gate;

  @Option(
      names = "--until",
      paramLabel = "STAGE",
      completionCandidates = Stages.Names.class,
      converter = Stages.NameConverter.class,
      description =
          "Stop after this stage (e.g. rebuild only ingest..access for a backfill), one of:"
              + " ${COMPLETION-CANDIDATES}.")
  String until;

  @Override
  public Integer call() {
    List<Stage> stages = new ArrayList<>();
    for (String name : plan(until)) {
      stages.add(QualityGate.NAME.equals(name) ? gate.gate() : Stages.byName(name));
    }
    return PipelineRun.runNightly(options, stages, System.out);
  }

  /**
   * What a nightly runs, in order: the stages up to and including {@code last} (all when null),
   * with the quality gate right after {@link Stages#QUALITY_GATE_AFTER} when the run reaches it.
   */
  static List<String> plan(String last) {
    List<String> plan = new ArrayList<>();
    for (String name : stagesUntil(last)) {
      plan.add(name);
      if (name.equals(Stages.QUALITY_GATE_AFTER)) {
        plan.add(QualityGate.NAME);
      }
    }
    return plan;
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
