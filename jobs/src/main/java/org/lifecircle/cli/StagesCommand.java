package org.lifecircle.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lifecircle.common.Stage;
import org.lifecircle.quality.QualityGate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "stages",
    header = "List the nightly stages in order with the tables each reads and writes.",
    mixinStandardHelpOptions = true,
    description = {
      "List the nightly stages in order: what each does, the tables it reads and writes, and the",
      "checks that stop it. Every stage also appends its row to run_log. Needs no city or Spark."
    })
final class StagesCommand implements Callable<Integer> {
  private static final int[] WIDTHS = {15, 40, 34};

  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print {\"stages\": [...]} as JSON, for tools and DAGs.")
  boolean json;

  @Override
  public Integer call() throws JsonProcessingException {
    PrintWriter out = spec.commandLine().getOut();
    out.println(json ? json() : table());
    out.flush();
    return 0;
  }

  static String json() throws JsonProcessingException {
    List<Map<String, Object>> stages = new ArrayList<>();
    for (Stage s : Stages.all()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", s.name());
      m.put("description", Stages.description(s.name()));
      m.put("inputs", s.inputs());
      m.put("outputs", s.outputs());
      m.put("checks", s.checks());
      stages.add(m);
    }
    // The quality gate is no stage of its own (it writes no table): nightly and the DAG run it
    // right after the stage named here.
    Stage gate = new QualityGate(null, 0.1);
    Map<String, Object> qualityGate = new LinkedHashMap<>();
    qualityGate.put("after", Stages.QUALITY_GATE_AFTER);
    qualityGate.put("description", Stages.QUALITY_GATE_DESCRIPTION);
    qualityGate.put("inputs", gate.inputs());
    qualityGate.put("checks", gate.checks());
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("stages", stages);
    all.put("quality_gate", qualityGate);
    return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(all);
  }

  /** Stage, reads, writes, checks; a list too long for its column goes on to the next line. */
  static String table() {
    StringBuilder b = new StringBuilder();
    row(b, List.of(List.of("STAGE"), List.of("READS"), List.of("WRITES"), List.of("CHECKS")));
    for (Stage s : Stages.all()) {
      row(
          b,
          List.of(
              List.of(s.name()),
              wrap(s.inputs(), WIDTHS[1]),
              wrap(s.outputs(), WIDTHS[2]),
              wrap(s.checks(), Integer.MAX_VALUE)));
    }
    return b.toString().stripTrailing();
  }

  private static void row(StringBuilder b, List<List<String>> cells) {
    int lines = cells.stream().mapToInt(List::size).max().orElse(1);
    for (int i = 0; i < lines; i++) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < cells.size(); c++) {
        String text = i < cells.get(c).size() ? cells.get(c).get(i) : "";
        line.append(c < WIDTHS.length ? String.format("%-" + WIDTHS[c] + "s", text) : text);
      }
      b.append(line.toString().stripTrailing()).append('\n');
    }
  }

  /** The names joined by ", ", broken into lines that fit {@code width} (with a gap of two). */
  private static List<String> wrap(List<String> names, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < names.size(); i++) {
      String item = names.get(i) + (i < names.size() - 1 ? "," : "");
      if (line.length() > 0 && line.length() + 1 + item.length() > width - 2) {
        lines.add(line.toString());
        line.setLength(0);
      }
      line.append(line.length() > 0 ? " " : "").append(item);
    }
    lines.add(names.isEmpty() ? "-" : line.toString());
    return lines;
  }
}
