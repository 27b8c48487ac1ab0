package org.lifecircle.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.DatasetSource;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.SparkSessions;
import org.lifecircle.common.SparkSizing;
import org.lifecircle.common.Stage;
import org.lifecircle.io.DeltaStageTables;
import org.lifecircle.io.Handoffs;
import org.lifecircle.io.RunLog;
import org.lifecircle.io.Tables;
import org.lifecircle.report.ReportStage;
import org.lifecircle.report.Summary;

/** Runs a list of stages for one city and date in one Spark session and prints the summary. */
final class PipelineRun {
  private PipelineRun() {}

  static int run(RunOptions options, List<String> stageNames, PrintStream out) {
    return run(options, stageNames.stream().map(Stages::byName).toList(), out, true);
  }

  /** A nightly: its stages (the quality gate among them), sample inputs generated when missing. */
  static int runNightly(RunOptions options, List<Stage> stages, PrintStream out) {
    return run(options, stages, out, true);
  }

  /** Runs stages that are not part of nightly (e.g. the quality gate); no sample generation. */
  static int runStages(RunOptions options, List<Stage> stages, PrintStream out) {
    return run(options, stages, out, false);
  }

  private static int run(
      RunOptions options, List<Stage> stages, PrintStream out, boolean generate) {
    Instant start = Instant.now();
    CityConfig config = CityConfig.load(options.city);
    RunContext ctx = options.context(config);
    List<String> stageNames = stages.stream().map(Stage::name).toList();
    if (options.dryRun) {
      out.printf(
          "dry run: city %s (%s), date %s, warehouse %s, run %s%n",
          config.code(), config.name(), ctx.snapshotDate(), ctx.warehouse(), ctx.runId());
      out.println("stages: " + String.join(" -> ", stageNames));
      if (stageNames.contains("ingest")) {
        checkInputs(config, generate, out);
      }
      return 0;
    }
    Path log = logFile(ctx);
    Logs.toFile(log, options.verbose);
    SparkSizing sizing = SparkSizing.of(config, options.master, options.sparkProfile);
    out.printf(
        "lifecircle: city %s (%s), snapshot %s, stages %s; %s; log %s%n",
        config.code(),
        config.name(),
        ctx.snapshotDate(),
        String.join(",", stageNames),
        sizing.describe(),
        log);
    SparkSession spark =
        SparkSessions.create(
            "lifecircle "
                + String.join(",", stageNames)
                + " "
                + config.code()
                + " "
                + ctx.snapshotDate(),
            options.master,
            options.sparkUi,
            sizing);
    if (generate) {
      SampleInputs.generateIfMissing(spark, config, ctx.catalogs().facilities(), out);
    }
    List<StageRunner.Timed> done = new ArrayList<>();
    // A small run hands each table it writes to the stages after it (io/Handoffs: measured on
    // the demo city in docs/BENCHMARKS.md); a large one reads them back from Delta.
    // The small profile also appends run_log rows together (io/RunLog.defer).
    boolean small = sizing.profile() == SparkSizing.Profile.SMALL;
    try (Handoffs handoffs = Handoffs.open(spark, small);
        RunLog.Deferral runLog = RunLog.defer(spark, ctx, small)) {
      for (Stage stage : stages) {
        done.add(StageRunner.run(spark, ctx, stage, out));
      }
      if (options.metastoreDatabase != null) {
        MetastoreRegistration.register(
            spark,
            ctx,
            options.metastoreDatabase,
            done.stream()
                .flatMap(t -> t.result().tablesWritten().keySet().stream())
                .distinct()
                .toList(),
            out);
      }
      printSummary(out, ctx, done, Duration.between(start, Instant.now()));
      // The report stage, when it ran, has made the summary's figures from the same tables.
      Optional<List<String>> fromReport =
          stages.stream()
              .filter(ReportStage.class::isInstance)
              .map(s -> ((ReportStage) s).consoleSummary())
              .flatMap(Optional::stream)
              .findFirst();
      Summary.print(spark, ctx, DeltaStageTables.of(spark, ctx), out, stageNames, log, fromReport);
    }
    return 0;
  }

  /**
   * A dry run's look at the inputs: every dataset's file (and OSM clip) must exist, or the run
   * would stop at ingest; a sample city's missing ones are listed as to be generated.
   */
  private static void checkInputs(CityConfig config, boolean generate, PrintStream out) {
    for (Map.Entry<String, DatasetSource> e : config.datasets().entrySet()) {
      List<String> paths = new ArrayList<>(List.of(e.getValue().path()));
      if (e.getValue().clip() != null) {
        paths.add(e.getValue().clip());
      }
      for (String p : paths) {
        Path file = config.resolve(p);
        if (Files.exists(file)) {
          out.printf("  input %-13s %s%n", e.getKey(), file);
        } else if (generate && config.sample() != null && p.equals(e.getValue().path())) {
          out.printf(
              "  input %-13s %s (missing: the sample generator would write it)%n",
              e.getKey(), file);
        } else {
          throw PipelineException.cannot(
              "find", "dataset " + e.getKey(), "input file does not exist", file);
        }
      }
    }
  }

  /** The run's log file: {@code <warehouse>/_logs/<city>/<date>/<run id>.log}. */
  static Path logFile(RunContext ctx) {
    Path dir =
        ctx.warehouse()
            .resolve("_logs")
            .resolve(ctx.cityCode())
            .resolve(ctx.snapshotDate().toString());
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw PipelineException.cannot("create", "log folder", e.getMessage(), dir, e);
    }
    return dir.resolve(ctx.runId() + ".log");
  }

  /**
   * The stage table and one count per table: the rows the snapshot holds after the run; quarantine,
   * which every stage writes its own part of, is their sum.
   */
  private static void printSummary(
      PrintStream out, RunContext ctx, List<StageRunner.Timed> done, Duration total) {
    out.println();
    out.printf(
        "== lifecircle: city %s (%s), snapshot %s, run %s, %.0f s ==%n",
        ctx.cityCode(),
        ctx.city().name(),
        ctx.snapshotDate(),
        ctx.runId(),
        total.toMillis() / 1000.0);
    Map<String, Long> tables = new LinkedHashMap<>();
    out.println("stage            seconds    rows in   rows out  quarantined");
    for (StageRunner.Timed t : done) {
      out.printf(
          "%-14s %9.1f %10d %10d %12d%n",
          t.stage(),
          t.elapsed().toMillis() / 1000.0,
          t.result().rowsIn(),
          t.result().rowsOut(),
          t.result().rowsQuarantined());
      t.result()
          .tablesWritten()
          .forEach(
              (table, rows) -> {
                if (Tables.QUARANTINE.equals(table)) {
                  tables.merge(table, rows, Long::sum);
                } else {
                  tables.put(table, rows);
                }
              });
    }
    out.printf("tables under %s (rows in this snapshot):%n", ctx.warehouse().toAbsolutePath());
    StringBuilder line = new StringBuilder(" ");
    for (Map.Entry<String, Long> e : tables.entrySet()) {
      String item = String.format(Locale.ROOT, " %s %,d", e.getKey(), e.getValue());
      if (line.length() + item.length() > 100) {
        out.println(line);
        line = new StringBuilder(" ");
      }
      line.append(item);
    }
    if (line.length() > 1) {
      out.println(line);
    }
  }
}
