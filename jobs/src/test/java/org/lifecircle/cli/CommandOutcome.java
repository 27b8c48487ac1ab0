package org.lifecircle.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A lifecircle command run in the test JVM as from a shell: its exit code and what it printed on
 * stderr, line by line (stdout is discarded).
 */
public record CommandOutcome(int code, List<String> stderr) {
  public static CommandOutcome execute(String... args) {
    PrintStream oldErr = System.err;
    PrintStream oldOut = System.out;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    try {
      code = LifeCircle.execute(args);
    } finally {
      System.setErr(oldErr);
      System.setOut(oldOut);
    }
    return new CommandOutcome(code, err.toString(StandardCharsets.UTF_8).lines().toList());
  }
}
