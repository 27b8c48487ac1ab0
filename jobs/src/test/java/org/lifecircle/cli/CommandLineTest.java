package org.lifecircle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The command line without Spark: help, dry runs, usage errors, and the launcher's JVM flags. */
class CommandLineTest {
  private static String capture(Runnable r) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setOut(old);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helpListsNightlyAndEveryStage() {
    String help = capture(() -> assertThat(LifeCircle.execute("--help")).isZero());
    assertThat(help).contains("nightly", "generate");
    Stages.names().forEach(s -> assertThat(help).contains(s));
  }

  @Test
  void dryRunChecksTheConfigAndPrintsThePlanWithoutSpark() {
    String out =
        capture(
            () ->
                assertThat(
                        LifeCircle.execute(
                            "nightly",
                            "--city",
                            "../cities/demo/city.yaml",
                            "--date",
                            "2026-06-30",
                            "--dry-run"))
                    .isZero());
    assertThat(out)
        .contains(
            "city 990101",
            "date 2026-06-30",
            "stages: ingest -> population -> access -> service-areas -> adequacy -> coverage"
                + " -> quality-gate -> assets -> recommend -> indicators -> report");
    assertThat(NightlyCommand.plan(null))
        .containsExactly(
            "ingest",
            "population",
            "access",
            "service-areas",
            "adequacy",
            "coverage",
            "quality-gate",
            "assets",
            "recommend",
            "indicators",
            "report");
    assertThat(NightlyCommand.plan("coverage")).endsWith("coverage", "quality-gate");
    assertThat(NightlyCommand.plan("access")).containsExactly("ingest", "population", "access");
  }

  @Test
  void badUsageExitsWithTwo() {
    assertThat(LifeCircle.execute("ingest", "--date", "2026-06-30")).isEqualTo(2);
    assertThat(LifeCircle.execute("ingest", "--city", "x.yaml", "--date", "June 30")).isEqualTo(2);
  }

  @Test
  void aBrokenConfigExitsWithOneAndAClearMessage() throws IOException {
    Path bad = Files.createTempFile("city", ".yaml");
    Files.writeString(bad, "code: '12'\nname: x\nmetric_crs: EPSG:4547\n");
    assertThat(LifeCircle.execute("ingest", "--city", bad.toString(), "--dry-run")).isEqualTo(1);
  }

  @Test
  void launcherFlagsMatchThePomFlags() throws IOException {
    String pom = Files.readString(Path.of("../pom.xml"));
    Matcher m = Pattern.compile("<spark.jvm.flags>(.*?)</spark.jvm.flags>").matcher(pom);
    assertThat(m.find()).isTrue();
    List<String> pomFlags = Arrays.asList(m.group(1).trim().split("\\s+"));
    List<String> launcher =
        Files.readAllLines(Path.of("../bin/lifecircle")).stream()
            .map(String::trim)
            .filter(
                l ->
                    l.startsWith("--add-opens")
                        || l.startsWith("-Djdk")
                        || l.startsWith("-Dio.netty"))
            .toList();
    assertThat(launcher).containsExactlyElementsOf(pomFlags);
  }

  @Test
  void helpShowsWholeSentencesAndOnlyTheOptionsThatApply() {
    String top =
        capture(() -> assertThat(LifeCircle.execute("--help")).isZero()).replaceAll("\\s+", " ");
    // Each command's line in the list is its whole one-sentence header.
    assertThat(top)
        .contains(
            "Write one table's snapshot as a single file that a GIS opens.",
            "Run every stage in order for one city and snapshot date, then print a summary.");
    String export = capture(() -> assertThat(LifeCircle.execute("export", "--help")).isZero());
    assertThat(export)
        .contains("--city", "--date", "--warehouse")
        .doesNotContain("--run-id", "--register-metastore", "--spark-ui");
    // An export replaces nothing: its --date says what it reads, not the runs' rerun rule.
    assertThat(export.replaceAll("\\s+", " "))
        .contains(
            "Snapshot date to export, at most tomorrow (UTC); the stage that writes the table must"
                + " have run for it. Reads only: the warehouse is not changed. Default: today (UTC).")
        .doesNotContain("replace");
    String maintain = capture(() -> assertThat(LifeCircle.execute("maintain", "--help")).isZero());
    assertThat(maintain).contains("--city", "--warehouse").doesNotContain("--date", "--run-id");
    String nightly = capture(() -> assertThat(LifeCircle.execute("nightly", "--help")).isZero());
    assertThat(nightly.replaceAll("\\s+", " "))
        .contains("one of: " + String.join(", ", Stages.names()))
        .contains("reruns of a date replace that date's partitions");
  }

  @Test
  void anUnknownStageForUntilIsBadUsage() {
    assertThat(
            stderrOf(
                2,
                "nightly",
                "--city",
                "../cities/demo/city.yaml",
                "--until",
                "bogus",
                "--dry-run"))
        .containsExactly(
            "lifecircle: Invalid value for option '--until': unknown stage"
                + " 'bogus' (one of: "
                + String.join(", ", Stages.names())
                + ")");
  }

  /** Runs the command line and returns what it wrote on stderr, after checking its exit code. */
  private static List<String> stderrOf(int exitCode, String... args) {
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      capture(() -> assertThat(LifeCircle.execute(args)).isEqualTo(exitCode));
    } finally {
      System.setErr(oldErr);
    }
    return err.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void aSnapshotDateMoreThanADayAheadIsBadUsageInOneLine() {
    String tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1).toString();
    assertThat(
            stderrOf(
                2,
                "nightly",
                "--city",
                "../cities/demo/city.yaml",
                "--date",
                "2099-01-01",
                "--dry-run"))
        .containsExactly(
            "lifecircle: Invalid value for option '--date': Cannot use"
                + " snapshot date: it is more than one day in the future, after "
                + tomorrow
                + " (2099-01-01)");
    // Tomorrow is allowed: in UTC+8 (Beijing) the local date is a day ahead for eight hours.
    assertThat(
            LifeCircle.execute(
                "nightly", "--city", "../cities/demo/city.yaml", "--date", tomorrow, "--dry-run"))
        .isZero();
  }

  @Test
  void aDryRunChecksEveryInputPath() throws IOException {
    Path dir = Files.createTempDirectory("dry-run");
    Files.writeString(dir.resolve("a.geojson"), "{}");
    Files.writeString(
        dir.resolve("city.yaml"),
        """
        code: "990109"
        name: 测试市
        metric_crs: EPSG:4547
        bounds: {min_lon: 114.10, min_lat: 30.45, max_lon: 114.60, max_lat: 30.75}
        datasets:
          admin_areas: {path: a.geojson, format: geojson, crs: EPSG:4326}
          buildings: {path: missing.csv, format: csv, crs: EPSG:4326, wkt_column: wkt}
          population: {path: a.geojson, format: geojson, crs: EPSG:4326}
          facilities: {path: a.geojson, format: geojson, crs: EPSG:4326}
        """);
    assertThat(stderrOf(1, "nightly", "--city", dir.resolve("city.yaml").toString(), "--dry-run"))
        .containsExactly(
            "lifecircle: Cannot find dataset buildings: input file does not exist ("
                + dir.resolve("missing.csv")
                + ")");
  }

  @Test
  void aDryRunOfASampleCityListsTheInputsTheGeneratorWouldWrite() throws IOException {
    Path dir = Files.createTempDirectory("dry-run-sample");
    Files.copy(Path.of("../cities/demo/city.yaml"), dir.resolve("city.yaml"));
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(dir.resolve("data/population_grid.csv"), "an edited copy\n");
    String out =
        capture(
            () ->
                assertThat(
                        LifeCircle.execute(
                            "nightly", "--city", dir.resolve("city.yaml").toString(), "--dry-run"))
                    .isZero());
    assertThat(out.lines().filter(l -> l.matches("  input (buildings|population) .*")))
        .containsExactly(
            "  input buildings     "
                + dir.resolve("data/buildings.parquet")
                + " (missing: the sample generator would write it)",
            "  input population    " + dir.resolve("data/population_grid.csv"));
  }
}
