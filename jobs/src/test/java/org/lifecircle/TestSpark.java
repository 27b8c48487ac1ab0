package org.lifecircle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.SparkSessions;

/**
 * The one local SparkSession of a test JVM (surefire reuses each of its two forks): UI off, UTC,
 * Delta and Sedona registered once by {@link SparkSessions}, few shuffle partitions for tiny
 * inputs.
 */
public final class TestSpark {
  private static SparkSession session;

  private TestSpark() {}

  public static synchronized SparkSession session() {
    if (session == null) {
      session = SparkSessions.create("lifecircle-test", "local[2]", false);
      // The integration tier sets its own (jobs/pom.xml, it.jvm.args).
      session
          .conf()
          .set(
              "spark.sql.shuffle.partitions",
              System.getProperty("spark.sql.shuffle.partitions", "4"));
      session.conf().set("spark.sql.adaptive.coalescePartitions.enabled", "true");
    }
    return session;
  }

  public static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
