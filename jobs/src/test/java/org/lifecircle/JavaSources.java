package org.lifecircle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The main sources, read statement by statement by the tests that check the packages' walls. */
public final class JavaSources {
  /** The product's main sources, as the test JVM (working directory jobs/) sees them. */
  public static final Path MAIN = Path.of("src/main/java/org/lifecircle");

  /** A line that ends a statement or opens or closes a block (a trailing comment may follow). */
  private static final Pattern END = Pattern.compile("[;{}]\\s*(//.*)?$");

  /** A check on one statement of code, given the 1-based number of its first line. */
  public interface StatementCheck {
    void check(int number, String statement);
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

  /**
   * Each statement of code of {@code file} on one line, whatever the formatter made of it: its
   * lines stripped and joined up to the one that ends it ({@code ;}, <code>{</code> or <code>}
   * </code>), with no space before a {@code .} or {@code )} that starts a line nor after a {@code
   * (} or {@code .} that ends one, so {@code register(\n"population",} reads as {@code
   * register("population",}. Comment lines and blank lines are left out.
   */
  public static void codeStatements(Path file, StatementCheck check) throws IOException {
    List<String> all = Files.readAllLines(file);
    StringBuilder statement = new StringBuilder();
    int first = 0;
    for (int i = 0; i < all.size(); i++) {
      String t = all.get(i).strip();
      if (t.isEmpty() || t.startsWith("//") || t.startsWith("*") || t.startsWith("/*")) {
        continue;
      }
      if (statement.isEmpty()) {
        first = i + 1;
      } else if (!t.startsWith(".") && !t.startsWith(")") && !endsOpen(statement)) {
        statement.append(' ');
      }
      statement.append(t);
      if (END.matcher(t).find()) {
        check.check(first, statement.toString());
        statement.setLength(0);
      }
    }
    if (!statement.isEmpty()) {
      check.check(first, statement.toString());
    }
  }

  private static boolean endsOpen(StringBuilder statement) {
    char last = statement.charAt(statement.length() - 1);
    return last == '(' || last == '.';
  }
}
