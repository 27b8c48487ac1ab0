package org.lifecircle.cli;

import java.io.PrintWriter;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.Stage;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line: one subcommand per stage, {@code nightly} for all of them in order, and the
 * tools around them (generate, export, maintain, quality-gate, stages).
 */
@Command(
    name = "lifecircle",
    mixinStandardHelpOptions = true,
    version = "lifecircle 0.1.0",
    description = {
      "15-minute life-circle gaps and idle assets for one city and snapshot date.",
      "Every stage reads and writes Delta tables under --warehouse, partitioned by city and date."
    },
    subcommands = {
      NightlyCommand.class,
      GenerateCommand.class,
      QualityGateCommand.class,
      ExportCommand.class,
      MaintainCommand.class,
      StagesCommand.class
    })
public final class LifeCircle implements Runnable {
  private static final Logger LOG = LogManager.getLogger(LifeCircle.class);

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code (0 ok, 1 failed run, 2 bad usage). */
  public static int execute(String... args) {
    CommandLine cmd = commandLine();
    return cmd.execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new LifeCircle());
    for (Stage stage : Stages.all()) {
      CommandLine sub = new CommandLine(new StageCommand(stage.name()));
      sub.getCommandSpec()
          .usageMessage()
          .header(Stages.description(stage.name()))
          .description(
              "Runs this one stage for one city and snapshot date; it reads the tables the"
                  + " stages before it wrote.");
      cmd.addSubcommand(stage.name(), sub);
    }
    // Options of a pipeline run that mean nothing to the table tools.
    withoutOptions(
        cmd.getSubcommands().get("export"),
        "--run-id",
        "--register-metastore",
        "--spark-ui",
        "--spark-profile",
        "--verbose");
    // An export reads a date that a run wrote; it replaces nothing.
    describeOption(
        cmd.getSubcommands().get("export"),
        "--date",
        "Snapshot date to export, at most tomorrow (UTC); the stage that writes the table must"
            + " have run for it. Reads only: the warehouse is not changed. Default: today (UTC).");
    withoutOptions(
        cmd.getSubcommands().get("maintain"),
        "--date",
        "--run-id",
        "--register-metastore",
        "--spark-ui",
        "--spark-profile",
        "--verbose");
    cmd.setExecutionExceptionHandler(LifeCircle::onFailure);
    cmd.setParameterExceptionHandler(badValueInOneLine(cmd.getParameterExceptionHandler()));
    return cmd;
  }

  /**
   * An option's value that its converter refused (a date in 2099, an unknown stage) is one line on
   * stderr and exit code 2: the usage text after it would bury the reason. Other usage errors (a
   * missing or unknown option) keep picocli's message and usage.
   */
  private static CommandLine.IParameterExceptionHandler badValueInOneLine(
      CommandLine.IParameterExceptionHandler usage) {
    return (ex, args) -> {
      if (!(ex.getCause() instanceof CommandLine.TypeConversionException)) {
        return usage.handleParseException(ex, args);
      }
      PrintWriter err = ex.getCommandLine().getErr();
      err.println("lifecircle: " + ex.getMessage());
      err.flush();
      return ex.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
    };
  }

  /**
   * Gives a shared option its own description in one subcommand (picocli options are immutable).
   */
  private static void describeOption(CommandLine sub, String name, String description) {
    CommandLine.Model.CommandSpec spec = sub.getCommandSpec();
    CommandLine.Model.OptionSpec option = spec.findOption(name);
    spec.remove(option);
    spec.addOption(option.toBuilder().description(description).build());
  }

  private static void withoutOptions(CommandLine sub, String... names) {
    for (String name : names) {
      CommandLine.Model.OptionSpec option = sub.getCommandSpec().findOption(name);
      if (option != null) {
        sub.getCommandSpec().remove(option);
      }
    }
  }

  /**
   * Exactly one line on stderr ({@code lifecircle: Cannot ...}) and exit code 1. The stack trace
   * goes to the run's log file, and to stderr only with {@code --verbose}.
   */
  private static int onFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    Throwable known = e;
    while (known != null && !(known instanceof PipelineException)) {
      known = known.getCause();
    }
    String line =
        known != null
            ? known.getMessage()
            : "unexpected error: "
                + e.getClass().getSimpleName()
                + ": "
                + firstLine(e.getMessage());
    if (Logs.toFile()) {
      LOG.error("lifecircle: " + line, e);
    }
    err.println("lifecircle: " + line);
    if (verbose(parsed) && !Logs.toFile()) {
      e.printStackTrace(err); // with a log file, --verbose already shows the log line and its trace
    }
    err.flush();
    return 1;
  }

  private static boolean verbose(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
