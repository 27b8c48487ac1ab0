package org.lifecircle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The main sources, read line by line by the tests that check the packages' walls. */
public final class JavaSources {
  /** The product's main sources, as the test JVM (working directory jobs/) sees them. */
  public static final Path MAIN = Path.of("src/main/java/org/lifecircle");

  /** A check on one line of code, given its 1-based number. */
  public interface LineCheck {
    void check(int number, String line);
  }

  private JavaSources() {}

  /** The .java files under {@code dir}, sorted; fails on a missing or empty folder. */
  public static List<Path> under(Path dir) throws IOException {
    assertThat(dir).isDirectory();
    try (Stream<Path> s = Files.walk(dir)) {
      List<Path> files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
      assertThat(files).isNotEmpty();
      return files;
    }
  }

  /** Each line of code of {@code file}, stripped; comment lines are left out. */
  public static void codeLines(Path file, LineCheck check) throws IOException {
    List<String> all = Files.readAllLines(file);
    for (int i = 0; i < all.size(); i++) {
      String t = all.get(i).strip();
      if (!t.startsWith("//") && !t.startsWith("*") && !t.startsWith("/*")) {
        check.check(i + 1, t);
      }
    }
  }
}
