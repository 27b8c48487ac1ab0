package org.lifecircle.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.lifecircle.TestSpark;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.RunContext;

/** Copies the ingest fixture city to a temp folder, optionally edits its config, and runs on it. */
final class IngestFixture {
  static final Path SOURCE = Path.of("src/test/resources/ingest");
  static final LocalDate DATE = LocalDate.of(2026, 6, 30);

  private IngestFixture() {}

  static RunContext context(UnaryOperator<String> editConfig) {
    Path dir = TestSpark.tempDir("ingest-fixture");
    try (Stream<Path> files = Files.list(SOURCE)) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
      Path config = dir.resolve("city.yaml");
      Files.writeString(
          config,
          editConfig.apply(Files.readString(config, StandardCharsets.UTF_8)),
          StandardCharsets.UTF_8);
      return new RunContext("test-run", CityConfig.load(config), DATE, dir.resolve("warehouse"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
