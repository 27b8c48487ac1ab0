package org.lifecircle.common;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

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
      throw validationFailure(e)
          .orElseGet(
              () ->
                  keyProblem(e, what, file)
                      .orElseGet(
                          () ->
                              PipelineException.cannot(
                                  "read", what, rootMessage(e), file.toAbsolutePath(), e)));
    }
  }

  /**
   * An unknown or repeated key, or a value of the wrong kind, in the config's own words (Jackson's
   * messages name Java classes and list every known property): the key, where it sits, its line.
   */
  private static Optional<PipelineException> keyProblem(Exception e, String what, Path file) {
    if (e instanceof UnrecognizedPropertyException u) {
      List<Object> path = path(u);
      // Records are built when their mapping ends, so Jackson's location is the mapping's end:
      // the key's own line comes from SnakeYAML's node tree (the parser Jackson's YAML uses).
      int line = keyLine(file, path).orElse(u.getLocation().getLineNr());
      return Optional.of(
          PipelineException.cannot(
              "read",
              what,
              "unknown key '" + u.getPropertyName() + "'" + under(path),
              "line " + line,
              e));
    }
    if (e instanceof MismatchedInputException m
        && m.getTargetType() != null
        && !m.getPath().isEmpty()) {
      List<Object> path = path(m);
      // A number the record needs that the file leaves out arrives as null for a primitive.
      boolean absent =
          m.getOriginalMessage() != null && m.getOriginalMessage().startsWith("Cannot map `null`");
      int line =
          keyLine(file, path)
              .or(() -> keyLine(file, path.subList(0, path.size() - 1)))
              .orElse(m.getLocation() == null ? -1 : m.getLocation().getLineNr());
      Object key = path.get(path.size() - 1);
      return Optional.of(
          PipelineException.cannot(
              "read",
              what,
              (key instanceof Integer i ? "item " + (i + 1) : "key '" + key + "'")
                  + under(path)
                  + (absent ? " is missing or empty" : " must be " + kind(m.getTargetType())),
              "line " + line,
              e));
    }
    // A duplicate inside a nested mapping arrives wrapped in the binding's exception.
    JsonParseException p = cause(e, JsonParseException.class);
    if (p != null
        && p.getOriginalMessage() != null
        && p.getOriginalMessage().startsWith("Duplicate field '")) {
      String key = p.getOriginalMessage().substring("Duplicate field '".length());
      key = key.substring(0, key.indexOf('\''));
      List<Object> path = new ArrayList<>();
      if (p.getProcessor() != null) {
        // The duplicate's own mapping is the innermost context; its parents name where it sits.
        for (JsonStreamContext c = p.getProcessor().getParsingContext().getParent();
            c != null && !c.inRoot();
            c = c.getParent()) {
          path.add(0, c.inArray() ? (Object) c.getCurrentIndex() : c.getCurrentName());
        }
      }
      path.add(key);
      return Optional.of(
          PipelineException.cannot(
              "read",
              what,
              "duplicate key '" + key + "'" + under(path),
              "line " + p.getLocation().getLineNr(),
              e));
    }
    return Optional.empty();
  }

  private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** Where a problem sits from the root: mapping keys (strings) and list positions (0-based). */
  private static List<Object> path(JsonMappingException e) {
    List<Object> path = new ArrayList<>();
    for (JsonMappingException.Reference r : e.getPath()) {
      path.add(r.getFieldName() != null ? r.getFieldName() : (Object) r.getIndex());
    }
    return path;
  }

  /** " under 'limits'", " under 'categories[2]'"; nothing for a key at the top. */
  private static String under(List<Object> path) {
    StringBuilder b = new StringBuilder();
    for (Object step : path.subList(0, path.size() - 1)) {
      b.append(step instanceof Integer i ? "[" + i + "]" : (b.length() > 0 ? "." : "") + step);
    }
    return b.length() == 0 ? "" : " under '" + b + "'";
  }

  /** A Java type as a YAML author knows it. */
  private static String kind(Class<?> type) {
    if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (CharSequence.class.isAssignableFrom(type) || type.isEnum()) {
      return "text";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    return "a mapping of keys to values";
  }

  public static <T> T readResource(String resource, Class<T> type, String what) {
    try (InputStream in = Yaml.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw PipelineException.cannot("read", what, "resource is missing", resource);
      }
      return MAPPER.readValue(in, type);
    } catch (IOException | IllegalArgumentException e) {
      throw validationFailure(e)
          .orElseGet(
              () ->
                  keyProblem(e, what, null)
                      .orElseGet(
                          () ->
                              PipelineException.cannot("read", what, rootMessage(e), resource, e)));
    }
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * The 1-based line of the key at {@code path} (mapping keys and list positions from the root) in
   * a YAML file; for a list position, the line of the item's first key.
   */
  private static Optional<Integer> keyLine(Path file, List<Object> path) {
    if (file == null) {
      return Optional.empty();
    }
    try (Reader r = Files.newBufferedReader(file)) {
      // fqn: SnakeYAML's Yaml, inside this class of the same name
      Node node = new org.yaml.snakeyaml.Yaml().compose(r);
      Integer line = null;
      for (Object step : path) {
        Node next = null;
        if (step instanceof Integer i
            && node instanceof SequenceNode seq
            && i < seq.getValue().size()) {
          next = seq.getValue().get(i);
          line = next.getStartMark().getLine() + 1;
        } else if (node instanceof MappingNode m) {
          for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && step.equals(k.getValue())) {
              line = k.getStartMark().getLine() + 1;
              next = t.getValueNode();
            }
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
