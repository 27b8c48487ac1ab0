package org.lifecircle.cli;

import java.util.List;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.SparkSizing;
import picocli.CommandLine.ParseResult;

/**
 * Prints, on one line, the JVM options for the run the arguments describe ({@link
 * SparkSizing#jvmOptions}), for bin/lifecircle to start that run's JVM with: the heap and the
 * compiler cannot change once the JVM runs. The arguments are parsed by the command line itself;
 * anything it would not run (help, a bad option, a missing config, a table tool) prints an empty
 * line, and the run itself then reports what is wrong. Costs about 0.5 s of JVM start.
 */
public final class JvmOptions {
  private JvmOptions() {}

  public static void main(String[] args) {
    System.out.println(String.join(" ", forArgs(args)));
  }

  static List<String> forArgs(String... args) {
    try {
      ParseResult parsed = LifeCircle.commandLine().parseArgs(args);
      while (parsed.subcommand() != null) {
        parsed = parsed.subcommand();
      }
      Object command = parsed.commandSpec().userObject();
      RunOptions options = null;
      if (command instanceof NightlyCommand nightly) {
        options = nightly.options;
      } else if (command instanceof StageCommand stage) {
        options = stage.options;
      }
      if (options == null || options.city == null || parsed.isUsageHelpRequested()) {
        return List.of();
      }
      CityConfig config = CityConfig.load(options.city);
      return SparkSizing.of(config, options.master, options.sparkProfile).jvmOptions();
    } catch (RuntimeException e) { // picocli's ParameterException among them
      return List.of();
    }
  }
}
