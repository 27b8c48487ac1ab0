package org.lifecircle.common;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the project's YAML files (city configs, catalogs, contracts) into typed records. */
public final class Yaml {
  private static final ObjectMapper MAPPER =
      new ObjectMapper(new YAMLFactory())
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
      throw validationFailure(e).orElseGet(
          () -> PipelineException.cannot("read", what, rootMessage(e), file.toAbsolutePath(), e));
    }
  }

  public static <T> T readResource(String resource, Class<T> type, String what) {
    try (InputStream in = Yaml.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw PipelineException.cannot("read", what, "resource is missing", resource);
      }
      return MAPPER.readValue(in, type);
    } catch (IOException | IllegalArgumentException e) {
      throw validationFailure(e).orElseGet(
          () -> PipelineException.cannot("read", what, rootMessage(e), resource, e));
    }
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** A record constructor's own validation message is already the clear one: pass it through. */
  private static java.util.Optional<PipelineException> validationFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PipelineException p) {
        return java.util.Optional.of(p);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return java.util.Optional.empty();
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
