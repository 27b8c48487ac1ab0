package org.lifecircle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.lifecircle.TestSpark;

/**
 * What a failed run shows: exactly one line on stderr saying why, exit code 1, and the stack trace
 * in the run's log file only (--verbose prints it too): in-process, and through bin/lifecircle as
 * users run it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailureOutputIT {
  /** One warehouse: the launched runs append their failed run_log rows to the table made first. */
  private static final Path WAREHOUSE = TestSpark.tempDir("failure-output").resolve("warehouse");

  @Test
  @Order(1)
  void aFailedStagePrintsOneLineOnStderrAndTheStackTraceGoesToTheLog() throws IOException {
    TestSpark.session();
    // coverage on an empty warehouse: its input table does not exist.
    CommandOutcome run =
        CommandOutcome.execute(
            "coverage",
            "--city",
            "src/test/resources/ingest/city.yaml",
            "--date",
            "2026-06-30",
            "--warehouse",
            WAREHOUSE.toString(),
            "--run-id",
            "fail-1");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.stderr())
        .containsExactly(
            "lifecircle: Cannot read table building_access: it does not exist; run the stage that"
                + " writes it first ("
                + WAREHOUSE.resolve("building_access")
                + ")");
    Path log = WAREHOUSE.resolve("_logs/990102/2026-06-30/fail-1.log");
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

  /**
   * bin/lifecircle (the packaged jar and its launcher classpath) on a city whose input files are
   * missing: the run starts Spark and stops at ingest. Without --verbose the console shows one line
   * on stderr and no log line (no Spark WARN); with it, the stack trace. About 5 s a run: the JVM
   * flags of the test tiers (C1, serial GC, no code generation; LIFECIRCLE_JAVA_OPTS, as a user may
   * set them) and the run_log table the test above made (creating it costs a cold JVM 6 s).
   */
  @Test
  @Order(2)
  void theLauncherPrintsOneLineOnAFailureAndTheStackTraceOnlyWithVerbose()
      throws IOException, InterruptedException {
    Path dir = TestSpark.tempDir("failure-launcher");
    Path city = dir.resolve("city.yaml");
    Files.copy(Path.of("src/test/resources/ingest/city.yaml"), city); // its inputs stay behind
    List<String> args =
        List.of(
            "bash",
            "../bin/lifecircle",
            "ingest",
            "--city",
            city.toString(),
            "--date",
            "2026-06-30",
            "--warehouse",
            WAREHOUSE.toString(),
            "--master",
            "local[1]");
    String line =
        "lifecircle: Cannot read dataset admin_areas: file does not exist ("
            + dir.resolve("admin_areas.geojson")
            + ")";

    Launched quiet = launch(dir, args);
    assertThat(quiet.exit()).isEqualTo(1);
    assertThat(quiet.stderr()).containsExactly(line);
    assertThat(quiet.stdout()).noneMatch(l -> l.contains("WARN")).isNotEmpty();

    List<String> verbose = new ArrayList<>(args);
    verbose.add("--verbose");
    Launched loud = launch(dir, verbose);
    assertThat(loud.exit()).isEqualTo(1);
    assertThat(loud.stderr())
        .contains(line)
        .anyMatch(l -> l.contains("at org.lifecircle.io.SourceReader"));
  }

  private record Launched(int exit, List<String> stdout, List<String> stderr) {}

  private static Launched launch(Path dir, List<String> command)
      throws IOException, InterruptedException {
    Path out = dir.resolve("stdout");
    Path err = dir.resolve("stderr");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment()
        .put(
            "LIFECIRCLE_JAVA_OPTS",
            "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData"
                + " -Dspark.sql.codegen.wholeStage=false -Dspark.sql.codegen.factoryMode=NO_CODEGEN");
    Process p = pb.start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bin/lifecircle ran over 180 s: " + command);
    }
    return new Launched(
        p.exitValue(),
        Files.readAllLines(out, StandardCharsets.UTF_8),
        Files.readAllLines(err, StandardCharsets.UTF_8));
  }
}
