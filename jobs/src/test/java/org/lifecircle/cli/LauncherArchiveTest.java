package org.lifecircle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/lifecircle's class-data-sharing archive (LIFECIRCLE_CDS=on), run against a stand-in {@code
 * java} on the PATH that records its arguments, writes the archive it is asked to write at exit,
 * and exits with $FAKE_RC: the real script in a copy of the repository's layout (the jar newer than
 * every source, so nothing is built).
 */
class LauncherArchiveTest {
  private static final String FAKE_JAVA =
      """
      #!/bin/sh
      echo "$*" >> "$CALLS"
      for a in "$@"; do
        case "$a" in -XX:ArchiveClassesAtExit=*) echo classes > "${a#-XX:ArchiveClassesAtExit=}";;
        esac
      done
      exit "${FAKE_RC:-0}"
      """;

  @TempDir Path root;
  private Path jar;
  private Path archive;
  private Path calls;
  private Path bin;

  @BeforeEach
  void layout() throws IOException {
    Instant old = Instant.now().minusSeconds(3600);
    for (String dir : List.of("bin", "jobs/src/main", "jobs/target", "schemas", "catalogs")) {
      Files.createDirectories(root.resolve(dir));
    }
    for (String file : List.of("pom.xml", "jobs/pom.xml", "jobs/src/main/A.java")) {
      Files.writeString(root.resolve(file), "");
      Files.setLastModifiedTime(root.resolve(file), FileTime.from(old));
    }
    Files.copy(
        Path.of("../bin/lifecircle"),
        root.resolve("bin/lifecircle"),
        StandardCopyOption.COPY_ATTRIBUTES);
    jar = root.resolve("jobs/target/lifecircle-jobs-0.1.0-SNAPSHOT.jar");
    Files.writeString(jar, "");
    Files.writeString(root.resolve("jobs/target/launcher.classpath"), "dep.jar");
    archive = root.resolve("jobs/target/lifecircle-classes.jsa");
    bin = Files.createDirectories(root.resolve("fake-bin"));
    Files.writeString(bin.resolve("java"), FAKE_JAVA);
    Files.setPosixFilePermissions(
        bin.resolve("java"), PosixFilePermissions.fromString("rwxr-xr-x"));
    calls = root.resolve("calls.txt");
  }

  private int launch(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(root.resolve("bin/lifecircle").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(root.resolve("out.txt").toFile());
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().put("CALLS", calls.toString());
    // Options given: the script does not ask the stand-in which options the city needs.
    pb.environment().put("LIFECIRCLE_JAVA_OPTS", "-Xmx1g");
    pb.environment().put("LIFECIRCLE_CDS", "on");
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  private String lastCall() throws IOException {
    List<String> lines = Files.readAllLines(calls);
    return lines.get(lines.size() - 1);
  }

  private List<String> leftovers() throws IOException {
    try (var files = Files.list(root.resolve("jobs/target"))) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.startsWith("lifecircle-classes.jsa."))
          .toList();
    }
  }

  @Test
  void theFirstNightlyWritesTheArchiveAndTheNextMapsIt() throws Exception {
    assertThat(launch(Map.of(), "nightly", "--city", "c.yaml")).isZero();
    assertThat(lastCall()).contains("-XX:ArchiveClassesAtExit=" + archive + ".");
    assertThat(archive).hasContent("classes");
    assertThat(leftovers()).isEmpty();

    assertThat(launch(Map.of(), "nightly", "--city", "c.yaml")).isZero();
    assertThat(lastCall())
        .contains("-XX:SharedArchiveFile=" + archive)
        .doesNotContain("ArchiveClassesAtExit");
    assertThat(launch(Map.of(), "export", "--city", "c.yaml")).isZero();
    assertThat(lastCall()).contains("-XX:SharedArchiveFile=" + archive);
  }

  @Test
  void aFailedRunKeepsItsExitCodeAndLeavesNoArchive() throws Exception {
    assertThat(launch(Map.of("FAKE_RC", "3"), "nightly", "--city", "c.yaml")).isEqualTo(3);
    assertThat(lastCall()).contains("-XX:ArchiveClassesAtExit=");
    assertThat(archive).doesNotExist();
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void anArchiveOlderThanTheJarIsWrittenAgain() throws Exception {
    Files.writeString(archive, "stale");
    Files.setLastModifiedTime(archive, FileTime.from(Instant.now().minusSeconds(60)));
    assertThat(launch(Map.of(), "nightly", "--city", "c.yaml")).isZero();
    assertThat(lastCall()).contains("-XX:ArchiveClassesAtExit=").doesNotContain("SharedArchive");
    assertThat(archive).hasContent("classes");
  }

  @Test
  void offByDefaultAndDryRunsAndOtherCommandsWriteNoArchive() throws Exception {
    assertThat(launch(Map.of("LIFECIRCLE_CDS", "off"), "nightly", "--city", "c.yaml")).isZero();
    assertThat(lastCall()).doesNotContain("Archive");
    assertThat(launch(Map.of("LIFECIRCLE_CDS", ""), "nightly", "--city", "c.yaml")).isZero();
    assertThat(lastCall()).doesNotContain("Archive");
    assertThat(launch(Map.of(), "nightly", "--city", "c.yaml", "--dry-run")).isZero();
    assertThat(lastCall()).doesNotContain("Archive");
    assertThat(launch(Map.of(), "export", "--city", "c.yaml")).isZero();
    assertThat(lastCall()).doesNotContain("Archive");
    assertThat(archive).doesNotExist();
  }
}
