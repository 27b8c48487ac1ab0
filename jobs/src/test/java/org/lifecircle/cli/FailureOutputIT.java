package org.lifecircle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;

/**
 * What a failed run shows: exactly one line on stderr saying why, exit code 1, and the stack trace
 * in the run's log file only (--verbose would print it too).
 */
class FailureOutputIT {
  @Test
  void aFailedStagePrintsOneLineOnStderrAndTheStackTraceGoesToTheLog() throws IOException {
    TestSpark.session();
    Path warehouse = TestSpark.tempDir("failure-output").resolve("warehouse");
    // coverage on an empty warehouse: its input table does not exist.
    CommandOutcome run =
        CommandOutcome.execute(
            "coverage",
            "--city",
            "src/test/resources/ingest/city.yaml",
            "--date",
            "2026-06-30",
            "--warehouse",
            warehouse.toString(),
            "--run-id",
            "fail-1");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.stderr())
        .containsExactly(
            "lifecircle: Cannot read table building_access: it does not exist; run the stage that"
                + " writes it first ("
                + warehouse.resolve("building_access")
                + ")");
    Path log = warehouse.resolve("_logs/990102/2026-06-30/fail-1.log");
    assertThat(log).exists();
    String logged = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(logged)
        .contains(
            "lifecircle: Cannot read table building_access",
            "at org.lifecircle.io.DeltaTables.readSnapshot");
    try (Stream<Path> files = Files.list(log.getParent())) {
      assertThat(files.toList()).isEqualTo(List.of(log));
    }
  }
}
