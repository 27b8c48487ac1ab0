package org.lifecircle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.lifecircle.common.Stage;
import org.lifecircle.io.Tables;
import org.lifecircle.quality.QualityGate;
import picocli.CommandLine;

/**
 * The stages' declared doors against the table registry, and {@code lifecircle stages}; no Spark.
 */
class StagesTest {
  /** What {@code lifecircle <args>} prints, through picocli's own output stream. */
  private static String run(String... args) {
    CommandLine cmd = LifeCircle.commandLine();
    StringWriter out = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    assertThat(cmd.execute(args)).isZero();
    return out.toString();
  }

  private static List<Stage> withGate() {
    List<Stage> all = new ArrayList<>(Stages.all());
    all.add(new QualityGate(0.05, 0.1));
    return all;
  }

  @Test
  void everyDeclaredTableIsInTheRegistry() {
    for (Stage s : withGate()) {
      assertThat(Tables.ALL).as(s.name() + " inputs").containsAll(s.inputs());
      assertThat(Tables.ALL).as(s.name() + " outputs").containsAll(s.outputs());
      assertThat(s.inputs()).as(s.name()).doesNotHaveDuplicates();
      assertThat(s.outputs()).as(s.name()).doesNotHaveDuplicates();
    }
  }

  @Test
  void everyTableButTheLogsHasADeclaredWriter() {
    Set<String> written = new HashSet<>();
    Stages.all().forEach(s -> written.addAll(s.outputs()));
    List<String> unwritten = new ArrayList<>(Tables.ALL);
    unwritten.removeAll(written);
    assertThat(unwritten).containsExactly(Tables.RUN_LOG);
  }

  /**
   * The nightly order is a valid order: a stage reads only what an earlier stage wrote (run_log,
   * appended by the runner after every stage, aside).
   */
  @Test
  void everyInputIsWrittenByAnEarlierStage() {
    Set<String> before = new HashSet<>(List.of(Tables.RUN_LOG));
    for (Stage s : Stages.all()) {
      assertThat(before).as(s.name() + " reads").containsAll(s.inputs());
      before.addAll(s.outputs());
    }
  }

  /**
   * Each table has one writing stage, so a table's rows have one owner; quarantine is shared by
   * design: each stage replaces only its own rows.
   */
  @Test
  void everyTableButQuarantineHasOneWriter() {
    Map<String, List<String>> writers = new TreeMap<>();
    Stages.all()
        .forEach(
            s ->
                s.outputs()
                    .forEach(
                        t -> writers.computeIfAbsent(t, k -> new ArrayList<>()).add(s.name())));
    writers.remove(Tables.QUARANTINE);
    assertThat(writers).isNotEmpty();
    writers.forEach((table, stages) -> assertThat(stages).as(table).hasSize(1));
  }

  @Test
  void stagesJsonListsTheNightlyInOrderWithEachStagesTables() throws Exception {
    String out = run("stages", "--json");
    JsonNode stages = new ObjectMapper().readTree(out).get("stages");
    List<String> names = new ArrayList<>();
    stages.forEach(s -> names.add(s.get("name").asText()));
    assertThat(names).containsExactlyElementsOf(Stages.names());
    for (JsonNode s : stages) {
      Stage stage = Stages.byName(s.get("name").asText());
      assertThat(strings(s.get("outputs"))).as(stage.name()).isEqualTo(stage.outputs());
      assertThat(strings(s.get("inputs"))).as(stage.name()).isEqualTo(stage.inputs());
      assertThat(strings(s.get("checks"))).as(stage.name()).isEqualTo(stage.checks());
      assertThat(s.get("description").asText()).isEqualTo(Stages.description(stage.name()));
    }
  }

  @Test
  void stagesWithoutJsonPrintsOneTableRowPerStage() {
    String out = run("stages");
    assertThat(out).startsWith("STAGE");
    List<String> firstColumn =
        out.lines().skip(1).filter(l -> !l.startsWith(" ")).map(l -> l.split("\\s+")[0]).toList();
    assertThat(firstColumn).containsExactlyElementsOf(Stages.names());
    assertThat(out).contains("min_placed_share", "gap_fill_candidates");
  }

  /** docs/ARCHITECTURE.md draws what the stages declare: "a & b -.-> X([x])", "X([x]) --> c". */
  @Test
  void theArchitectureDiagramDrawsTheDeclaredDoors() throws Exception {
    String doc = Files.readString(Path.of("../docs/ARCHITECTURE.md"));
    Matcher block = Pattern.compile("```mermaid\n(.*?)```", Pattern.DOTALL).matcher(doc);
    assertThat(block.find()).isTrue();
    Map<String, Set<String>> reads = new TreeMap<>();
    Map<String, Set<String>> writes = new TreeMap<>();
    Pattern stage = Pattern.compile("[A-Z]+\\(\\[([\\w-]+)]\\)");
    for (String line : block.group(1).lines().map(String::trim).toList()) {
      String[] read = line.split(" -\\.-> ");
      String[] write = line.split(" --> ");
      if (read.length == 2) {
        reads.put(name(stage, read[1]), Set.of(read[0].split(" & ")));
      } else if (write.length == 2) {
        writes.put(name(stage, write[0]), Set.of(write[1].split(" & ")));
      }
    }
    for (Stage s : Stages.all()) {
      assertThat(reads.getOrDefault(s.name(), Set.of()))
          .as(s.name() + " reads")
          .containsExactlyInAnyOrderElementsOf(s.inputs());
      assertThat(writes.getOrDefault(s.name(), Set.of()))
          .as(s.name() + " writes")
          .containsExactlyInAnyOrderElementsOf(s.outputs());
    }
    assertThat(reads.keySet()).isSubsetOf(Stages.names());
    assertThat(writes.keySet()).isSubsetOf(Stages.names());
  }

  private static String name(Pattern stage, String node) {
    Matcher m = stage.matcher(node);
    assertThat(m.matches()).as(node).isTrue();
    return m.group(1);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
