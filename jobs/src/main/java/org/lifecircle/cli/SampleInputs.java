package org.lifecircle.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.CityConfig;
import org.lifecircle.generate.SampleCityGenerator;

/**
 * A sample city (config with a sample block) gets its missing inputs made on first use; an input
 * file that exists is never overwritten.
 */
final class SampleInputs {
  private SampleInputs() {}

  static void generateIfMissing(SparkSession spark, CityConfig config, PrintStream out) {
    if (config.sample() == null) {
      return;
    }
    boolean missing = config.datasets().values().stream()
        .anyMatch(d -> !Files.exists(config.resolve(d.path())));
    if (!missing) {
      return;
    }
    long t0 = System.nanoTime();
    Map<String, Long> counts =
        SampleCityGenerator.generate(spark, config, config.sample().seed(), config.sample().scale());
    out.printf("generated the missing sample inputs of %s in %.1f s (existing files kept): %s%n",
        config.code(), (System.nanoTime() - t0) / 1e9, counts);
  }
}
