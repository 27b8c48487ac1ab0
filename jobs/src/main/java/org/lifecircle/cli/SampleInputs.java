package org.lifecircle.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.CityConfig;
import org.lifecircle.generate.SampleCityGenerator;

/**
 * A sample city (config with a sample block) gets its missing inputs made on first use; an input
 * file that exists is never overwritten.
 */
final class SampleInputs {
  private SampleInputs() {}

  static void generateIfMissing(
      SparkSession spark, CityConfig config, FacilityCatalog catalog, PrintStream out) {
    if (config.sample() == null) {
      return;
    }
    boolean missing =
        config.datasets().values().stream().anyMatch(d -> !Files.exists(config.resolve(d.path())));
    if (!missing) {
      return;
    }
    long t0 = System.nanoTime();
    Map<String, Long> counts =
        SampleCityGenerator.generate(
            spark, config, catalog, config.sample().seed(), config.sample().scale());
    // bench/scale.py reads this line for the generation time and row counts: keep its shape.
    out.printf(
        "generated sample inputs for %s in %.1f s: %s%n",
        config.code(), (System.nanoTime() - t0) / 1e9, counts);
    printKept(config, counts.keySet(), out);
  }

  /** One line per input the generator left alone because its file exists. */
  static void printKept(CityConfig config, Set<String> written, PrintStream out) {
    config.datasets().keySet().stream()
        .filter(k -> !written.contains(k))
        .forEach(
            k ->
                out.printf(
                    "  %-14s kept (exists; delete it to generate it again)  %s%n",
                    k, config.resolve(config.dataset(k).path())));
  }
}
