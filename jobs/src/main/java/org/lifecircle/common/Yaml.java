package org.lifecircle.common;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Reads the project's YAML files (city configs, catalogs, contracts) into typed records. */
public final class Yaml {
  private static final ObjectMapper MAPPER =
      new ObjectMapper(new YAMLFactory())
          // A key given twice is an error, not "the last one wins" silently.
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private Yaml() {}

  public static <T> T read(Path file, Class<T> type, String what) {
    if (!Files.isRegularFile(file)) {
      throw PipelineException.cannot("read", what, "file does not exist", file.toAbsolutePath());
    }
    try (InputStream in = Files.newInputStream(file)) {
      return MAPPER.readValue(in, type);
    } catch (IOException | IllegalArgumentException e) {
      throw validationFailure(e).orElseGet(() -> keyProblem(e, what, file)
          .orElseGet(() -> PipelineException.cannot("read", what, rootMessage(e), file.toAbsolutePath(), e)));
    }
  }

  /**
   * An unknown or repeated key, in the config's own words (Jackson's message names Java classes
   * and lists every known property): the key, where it sits, and its line.
   */
  private static Optional<PipelineException> keyProblem(Exception e, String what, Path file) {
    if (e instanceof UnrecognizedPropertyException u) {
      List<String> path = new ArrayList<>();
      for (JsonMappingException.Reference r : u.getPath()) {
        if (r.getFieldName() != null) {
          path.add(r.getFieldName());
        }
      }
      String under = path.size() > 1 ? " under '" + String.join(".", path.subList(0, path.size() - 1)) + "'" : "";
      // Records are built when their mapping ends, so Jackson's location is the mapping's end:
      // the key's own line comes from SnakeYAML's node tree (the parser Jackson's YAML uses).
      int line = keyLine(file, path).orElse(u.getLocation().getLineNr());
      return Optional.of(PipelineException.cannot("read", what, "unknown key '" + u.getPropertyName()
          + "'" + under, "line " + line, e));
    }
    if (e instanceof JsonParseException p && p.getOriginalMessage() != null
        && p.getOriginalMessage().startsWith("Duplicate field '")) {
      String key = p.getOriginalMessage().substring("Duplicate field '".length());
      key = key.substring(0, key.indexOf('\''));
      return Optional.of(PipelineException.cannot("read", what, "duplicate key '" + key + "'",
          "line " + p.getLocation().getLineNr(), e));
    }
    return Optional.empty();
  }

  public static <T> T readResource(String resource, Class<T> type, String what) {
    try (InputStream in = Yaml.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw PipelineException.cannot("read", what, "resource is missing", resource);
      }
      return MAPPER.readValue(in, type);
    } catch (IOException | IllegalArgumentException e) {
      throw validationFailure(e).orElseGet(() -> keyProblem(e, what, null)
          .orElseGet(() -> PipelineException.cannot("read", what, rootMessage(e), resource, e)));
    }
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** The 1-based line of the key at {@code path} (mapping keys from the root) in a YAML file. */
  private static Optional<Integer> keyLine(Path file, List<String> path) {
    if (file == null) {
      return Optional.empty();
    }
    try (Reader r = Files.newBufferedReader(file)) {
      Node node = new org.yaml.snakeyaml.Yaml().compose(r);
      Integer line = null;
      for (String key : path) {
        if (!(node instanceof MappingNode m)) {
          return Optional.empty();
        }
        Node next = null;
        for (NodeTuple t : m.getValue()) {
          if (t.getKeyNode() instanceof ScalarNode k && key.equals(k.getValue())) {
            line = k.getStartMark().getLine() + 1;
            next = t.getValueNode();
          }
        }
        if (next == null) {
          return Optional.empty();
        }
        node = next;
      }
      return Optional.ofNullable(line);
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // only a line number is lost; the message still names the key
    }
  }

  /** A record constructor's own validation message is already the clear one: pass it through. */
  private static Optional<PipelineException> validationFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PipelineException p) {
        return Optional.of(p);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Optional.empty();
  }

  /** Jackson wraps parse errors; the planner needs the innermost reason. */
  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int nl = m.indexOf('\n');
    return nl > 0 ? m.substring(0, nl) : m;
  }
}
