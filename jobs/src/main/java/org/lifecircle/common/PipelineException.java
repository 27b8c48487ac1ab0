package org.lifecircle.common;

/**
 * The one error type a stage raises for bad input or configuration.
 *
 * <p>Messages follow one grammar, as Apache Iceberg's do: {@code Cannot <verb> <object>: <reason>
 * (<value>)}. Tests pin the exact text, so operators can grep for it.
 */
public final class PipelineException extends RuntimeException {

  private PipelineException(String message, Throwable cause) {
    super(message, cause);
  }

  /** {@code Cannot <verb> <object>: <reason> (<value>)}; the value part is omitted when null. */
  public static PipelineException cannot(String verb, String object, String reason, Object value) {
    return new PipelineException(format(verb, object, reason, value), null);
  }

  public static PipelineException cannot(
      String verb, String object, String reason, Object value, Throwable cause) {
    return new PipelineException(format(verb, object, reason, value), cause);
  }

  public static String format(String verb, String object, String reason, Object value) {
    String base = "Cannot " + verb + " " + object + ": " + reason;
    return value == null ? base : base + " (" + value + ")";
  }
}
