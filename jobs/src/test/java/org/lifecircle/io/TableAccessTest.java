package org.lifecircle.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.lifecircle.JavaSources;

/**
 * Tables are reached only through io/, read from the sources: no Delta reader or writer outside
 * io/, and no table name spelled out anywhere but the registry ({@link Tables}); a stage names its
 * tables through the registry's constants, so its doors and its reads and writes cannot drift
 * apart.
 */
class TableAccessTest {
  private static final Path MAIN = JavaSources.MAIN;
  private static final Path IO = MAIN.resolve("io");
  private static final Path REGISTRY = IO.resolve("Tables.java");
  private static final Pattern DELTA =
      Pattern.compile(
          "format\\(\\s*\"delta\"\\s*\\)|\\bDeltaTable\\.for(Path|Name)\\b|\\bio\\.delta\\.");
  private static final Pattern LITERAL = Pattern.compile("\"([a-z_]+)\"");
  // A stage's own name may equal the table it writes (the population stage, the population table):
  // where a stage declares and registers its name.
  private static final Pattern STAGE_NAME =
      Pattern.compile("\\bString NAME = \"[a-z_]+\";|\\bregister\\(\"[a-z_]+\",");

  @Test
  void noDeltaTableIsReadOrWrittenOutsideIo() throws IOException {
    assertThat(deltaAccessOutsideIo(MAIN))
        .as("read and write tables through io/ (DeltaTables)")
        .isEmpty();
  }

  @Test
  void noTableNameIsSpelledOutsideTheRegistry() throws IOException {
    assertThat(tableNamesOutsideTheRegistry(MAIN))
        .as("name tables by io/Tables' constants")
        .isEmpty();
  }

  @Test
  void bothChecksFindTheirViolationInABrokenSource() throws IOException {
    Path dir = Files.createTempDirectory("table-access");
    Path stage = dir.resolve("ingest/BrokenStage.java");
    Files.createDirectories(stage.getParent());
    Files.writeString(
        stage,
        String.join(
            "\n",
            "class BrokenStage {",
            "  // a comment may say \"buildings\" and format(\"delta\")",
            "  static final String NAME = \"population\";",
            "  static final String TABLE = \"buildings\";",
            "  Object read(SparkSession spark) {",
            "    return spark.read().format(\"delta\").load(\"/w/\" + \"coverage_gaps\");",
            "  }",
            "  // a statement over several lines is read as one: the formatter decides where they break",
            "  Object write(Dataset<Row> rows) {",
            "    return rows.write()",
            "        .format(\"delta\")",
            "        .save(",
            "            \"/w/\" + \"run_log\");",
            "  }",
            "  static {",
            "    register(",
            "        \"population\",",
            "        BrokenStage::new);",
            "  }",
            "}"));
    assertThat(deltaAccessOutsideIo(dir))
        .containsExactly(
            "ingest/BrokenStage.java:6: return spark.read().format(\"delta\").load(\"/w/\" + \"coverage_gaps\");",
            "ingest/BrokenStage.java:10: return rows.write().format(\"delta\").save(\"/w/\" + \"run_log\");");
    assertThat(tableNamesOutsideTheRegistry(dir))
        .containsExactly(
            "ingest/BrokenStage.java:4: 'buildings'",
            "ingest/BrokenStage.java:6: 'coverage_gaps'",
            "ingest/BrokenStage.java:10: 'run_log'");
  }

  private static List<String> deltaAccessOutsideIo(Path root) throws IOException {
    List<String> found = new ArrayList<>();
    for (Path f : JavaSources.under(root)) {
      if (!f.startsWith(IO)) {
        JavaSources.codeStatements(
            f,
            (n, line) -> {
              if (DELTA.matcher(line).find()) {
                found.add(root.relativize(f) + ":" + n + ": " + line);
              }
            });
      }
    }
    return found;
  }

  private static List<String> tableNamesOutsideTheRegistry(Path root) throws IOException {
    assertThat(Tables.ALL).isNotEmpty();
    List<String> found = new ArrayList<>();
    for (Path f : JavaSources.under(root)) {
      if (!f.equals(REGISTRY)) {
        JavaSources.codeStatements(
            f,
            (n, line) -> {
              Matcher m = LITERAL.matcher(line);
              while (m.find()) {
                if (Tables.ALL.contains(m.group(1)) && !STAGE_NAME.matcher(line).find()) {
                  found.add(root.relativize(f) + ":" + n + ": '" + m.group(1) + "'");
                }
              }
            });
      }
    }
    return found;
  }
}
