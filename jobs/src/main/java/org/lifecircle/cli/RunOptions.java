package org.lifecircle.cli;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.UUID;
import org.lifecircle.catalog.Catalogs;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.SparkSizing;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** Options every stage command and nightly share. */
final class RunOptions {
  @Option(
      names = "--city",
      required = true,
      paramLabel = "CONFIG.yaml",
      description =
          "City config: code, metric CRS, bounds and the inputs (e.g. cities/demo/city.yaml).")
  Path city;

  @Option(
      names = "--date",
      paramLabel = "yyyy-MM-dd",
      converter = SnapshotDate.class,
      description =
          "Snapshot date, at most tomorrow (UTC); reruns of a date replace that date's"
              + " partitions. Default: today (UTC).")
  LocalDate date;

  /**
   * A snapshot date: ISO yyyy-MM-dd, at most one day ahead of today in UTC (a time-zone edge, not a
   * typo like 2099), so a mistyped year cannot publish a snapshot from the future.
   */
  static final class SnapshotDate implements CommandLine.ITypeConverter<LocalDate> {
    @Override
    public LocalDate convert(String value) {
      LocalDate d;
      try {
        d = LocalDate.parse(value);
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not a date yyyy-MM-dd");
      }
      LocalDate latest = LocalDate.now(ZoneOffset.UTC).plusDays(1);
      if (d.isAfter(latest)) {
        throw new CommandLine.TypeConversionException(
            PipelineException.format(
                "use",
                "snapshot date",
                "it is more than one day in the future, after " + latest,
                d));
      }
      return d;
    }
  }

  @Option(
      names = "--warehouse",
      paramLabel = "DIR",
      defaultValue = "warehouse",
      description =
          "Warehouse root; one Delta table per folder under it. Default: ${DEFAULT-VALUE}.")
  Path warehouse;

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master. Default: the one spark-submit set, else local[*].")
  String master;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description = "Run identifier written to run_log and quarantine. Default: a new UUID.")
  String runId;

  @Option(
      names = "--dry-run",
      description =
          "Check options, the city config and that every input file exists; print the plan,"
              + " start no Spark, write nothing.")
  boolean dryRun;

  @Option(
      names = "--register-metastore",
      paramLabel = "DATABASE",
      description =
          "Also register every table written as DATABASE.<table> (USING DELTA LOCATION ...)"
              + " in the session's metastore, e.g. a Hive metastore configured through spark-submit.")
  String metastoreDatabase;

  @Option(
      names = "--spark-ui",
      description = "Start the Spark UI (off by default for nightly runs).")
  boolean sparkUi;

  @Option(
      names = "--spark-profile",
      paramLabel = "PROFILE",
      defaultValue = "auto",
      converter = ProfileConverter.class,
      description =
          "Spark settings: small (no code generation or adaptive execution, few shuffle"
              + " partitions: a district or small city on one machine), large (Spark's defaults),"
              + " or auto: small when the inputs total at most 16 MB and the master is local."
              + " A --conf given to spark-submit always wins. Default: ${DEFAULT-VALUE}.")
  SparkSizing.Choice sparkProfile;

  /** auto, small or large, in lower case as the help shows them; anything else is bad usage. */
  static final class ProfileConverter implements CommandLine.ITypeConverter<SparkSizing.Choice> {
    @Override
    public SparkSizing.Choice convert(String value) {
      for (SparkSizing.Choice c : SparkSizing.Choice.values()) {
        if (c.name().toLowerCase(Locale.ROOT).equals(value)) {
          return c;
        }
      }
      throw new CommandLine.TypeConversionException(
          "unknown spark profile '" + value + "' (one of: auto, small, large)");
    }
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  ModeChoice mode;

  /** --incremental or --full, at most one; full when neither is given. */
  static final class ModeChoice {
    @Option(
        names = "--incremental",
        description =
            "Reuse the city's previous snapshot: the access stage recomputes only the homes that"
                + " what changed since then can reach (changed homes; homes near a facility that"
                + " opened, closed or moved, or near a changed walk edge) and copies the rest; it"
                + " runs in full, saying why in run_log, when the previous snapshot cannot be"
                + " reused (none, other catalog or limits, most homes reached). The tables are"
                + " those of a full run.")
    boolean incremental;

    @Option(
        names = "--full",
        description = "Compute every row from this date's inputs (the default).")
    boolean full;
  }

  @Option(
      names = "--verbose",
      description =
          "Also print the log on stderr, and a failure's stack trace (always in the run's log file).")
  boolean verbose;

  LocalDate snapshotDate() {
    return date != null ? date : LocalDate.now(ZoneOffset.UTC);
  }

  RunContext context(CityConfig config) {
    return new RunContext(
        runId != null ? runId : UUID.randomUUID().toString(),
        config,
        snapshotDate(),
        warehouse,
        Catalogs.load(config),
        mode != null && mode.incremental ? RunContext.Mode.INCREMENTAL : RunContext.Mode.FULL);
  }
}
