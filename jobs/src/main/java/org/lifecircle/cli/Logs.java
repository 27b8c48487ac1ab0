package org.lifecircle.cli;

import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Where a run's log lines go. Every run writes a log file (the pipeline's lines at INFO, Spark,
 * Delta, Sedona and Hadoop at WARN, and the stack trace of a failure); the console keeps stdout for
 * progress and the summary, and stderr for the one line that says why a run failed. With {@code
 * --verbose} the log lines go to stderr as well.
 */
final class Logs {
  private static final String FILE_APPENDER = "lifecircle-run-file";
  private static final String CONSOLE_APPENDER = "console"; // named in log4j2.properties

  private static volatile boolean toFile;

  private Logs() {}

  /** Whether this process logs to a run's file (a failure's stack trace then goes there). */
  static boolean toFile() {
    return toFile;
  }

  /**
   * Sends the log to {@code file} (appending) and, unless verbose, no longer to the console. Every
   * logger of log4j2.properties is additive and only the root has an appender, so the root is the
   * one place to change.
   */
  static void toFile(Path file, boolean verbose) {
    LoggerContext lc = (LoggerContext) LogManager.getContext(false);
    Configuration cfg = lc.getConfiguration();
    LoggerConfig root = cfg.getRootLogger();
    if (cfg.getAppender(FILE_APPENDER) != null) {
      root.removeAppender(FILE_APPENDER);
      cfg.getAppender(FILE_APPENDER).stop();
    }
    FileAppender appender =
        FileAppender.newBuilder()
            .setName(FILE_APPENDER)
            .withFileName(file.toAbsolutePath().toString())
            .withAppend(true)
            .setLayout(
                PatternLayout.newBuilder()
                    .withConfiguration(cfg)
                    .withPattern("%d{yyyy-MM-dd HH:mm:ss} %-5p %c{1}: %m%n")
                    .build())
            .setConfiguration(cfg)
            .build();
    appender.start();
    cfg.addAppender(appender);
    root.addAppender(appender, null, null);
    if (verbose) {
      if (cfg.getAppender(CONSOLE_APPENDER) != null
          && !root.getAppenders().containsKey(CONSOLE_APPENDER)) {
        root.addAppender(cfg.getAppender(CONSOLE_APPENDER), null, null);
      }
    } else {
      root.removeAppender(CONSOLE_APPENDER);
    }
    lc.updateLoggers();
    Logs.toFile = true;
  }
}
