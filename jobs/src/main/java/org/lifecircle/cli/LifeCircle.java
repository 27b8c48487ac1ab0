package org.lifecircle.cli;

import java.io.PrintWriter;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.Stage;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line: one subcommand per stage, {@code nightly} for all of them in order, and the
 * tools around them (generate, export, maintain, quality-gate).
 */
@Command(
    name = "lifecircle",
    mixinStandardHelpOptions = true,
    version = "lifecircle 0.1.0",
    description = {
      "15-minute life-circle gaps and idle assets for one city and snapshot date.",
      "Every stage reads and writes Delta tables under --warehouse, partitioned by city and date."
    },
    subcommands = {NightlyCommand.class, GenerateCommand.class, QualityGateCommand.class,
        ExportCommand.class, MaintainCommand.class})
public final class LifeCircle implements Runnable {

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
      sub.getCommandSpec().usageMessage().description(Stages.description(stage.name()));
      cmd.addSubcommand(stage.name(), sub);
    }
    cmd.setExecutionExceptionHandler(LifeCircle::onFailure);
    return cmd;
  }

  /** One clear line on stderr and a non-zero exit; the stack trace only for unexpected errors. */
  private static int onFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    Throwable known = e;
    while (known != null && !(known instanceof PipelineException)) {
      known = known.getCause();
    }
    if (known != null) {
      err.println("lifecircle: " + known.getMessage());
    } else {
      err.println("lifecircle: unexpected error: " + e);
      e.printStackTrace(err);
    }
    err.flush();
    return 1;
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
