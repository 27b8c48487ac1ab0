package org.lifecircle.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.SparkSessions;
import org.lifecircle.common.Stage;

/** Runs a list of stages for one city and date in one Spark session and prints the summary. */
final class PipelineRun {
  private PipelineRun() {}

  static int run(RunOptions options, List<String> stageNames, PrintStream out) {
    return run(options, stageNames.stream().map(Stages::byName).toList(), out, true);
  }

  /** Runs stages that are not part of nightly (e.g. the quality gate); no sample generation. */
  static int runStages(RunOptions options, List<Stage> stages, PrintStream out) {
    return run(options, stages, out, false);
  }

  private static int run(RunOptions options, List<Stage> stages, PrintStream out, boolean generate) {
    Instant start = Instant.now();
    CityConfig config = CityConfig.load(options.city);
    RunContext ctx = options.context(config);
    List<String> stageNames = stages.stream().map(Stage::name).toList();
    if (options.dryRun) {
      out.printf("dry run: city %s (%s), date %s, warehouse %s, run %s%n", config.code(),
          config.name(), ctx.snapshotDate(), ctx.warehouse(), ctx.runId());
      out.println("stages: " + String.join(" -> ", stageNames));
      return 0;
    }
    SparkSession spark = SparkSessions.create("lifecircle " + String.join(",", stageNames) + " "
        + config.code() + " " + ctx.snapshotDate(), options.master, options.sparkUi);
    if (generate) {
      SampleInputs.generateIfMissing(spark, config, out);
    }
    List<StageRunner.Timed> done = new ArrayList<>();
    for (Stage stage : stages) {
      done.add(StageRunner.run(spark, ctx, stage));
    }
    if (options.metastoreDatabase != null) {
      MetastoreRegistration.register(spark, ctx, options.metastoreDatabase, done.stream()
          .flatMap(t -> t.result().tablesWritten().keySet().stream()).distinct().toList(), out);
    }
    printSummary(out, ctx, done, Duration.between(start, Instant.now()));
    return 0;
  }

  private static void printSummary(
      PrintStream out, RunContext ctx, List<StageRunner.Timed> done, Duration total) {
    out.println();
    out.printf("== lifecircle: city %s (%s), snapshot %s, run %s ==%n", ctx.cityCode(),
        ctx.city().name(), ctx.snapshotDate(), ctx.runId());
    Map<String, Long> tables = new LinkedHashMap<>();
    out.println("stage               seconds   rows in    rows out  quarantined");
    for (StageRunner.Timed t : done) {
      out.printf("%-18s %8.1f %10d %10d %11d%n", t.stage(), t.elapsed().toMillis() / 1000.0,
          t.result().rowsIn(), t.result().rowsOut(), t.result().rowsQuarantined());
      t.result().tablesWritten().forEach((table, rows) -> tables.merge(table, rows, Long::sum));
    }
    out.println();
    out.println("tables written (rows in this snapshot):");
    tables.forEach((table, rows) -> out.printf("  %-22s %10d   %s%n", table, rows, ctx.tablePath(table)));
    for (StageRunner.Timed t : done) {
      if (!t.result().headlines().isEmpty()) {
        out.println();
        out.println("-- " + t.stage() + " --");
        t.result().headlines().forEach(out::println);
      }
    }
    out.printf("%nelapsed %.1f s%n", total.toMillis() / 1000.0);
  }
}
