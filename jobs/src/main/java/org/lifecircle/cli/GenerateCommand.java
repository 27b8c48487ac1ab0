package org.lifecircle.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.catalog.Catalogs;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.SparkSessions;
import org.lifecircle.generate.SampleCityGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "generate",
    header =
        "Write a deterministic sample city's input files (the demo's, or a benchmark megacity's).",
    mixinStandardHelpOptions = true,
    description = {
      "Write a deterministic sample city into the input files a city config names, in their declared",
      "formats, CRSs and encodings. Scale 1 is a megacity (~1.5 M buildings); the demo uses 0.002.",
      "Only missing files are written: an existing one (perhaps edited) is kept; delete it to have",
      "it made again."
    })
final class GenerateCommand implements Callable<Integer> {
  @Option(
      names = "--city",
      required = true,
      paramLabel = "CONFIG.yaml",
      description = "City config whose datasets to write.")
  Path city;

  @Option(
      names = "--scale",
      paramLabel = "FACTOR",
      description = "Scale factor (default: the config's sample.scale).")
  Double scale;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description = "Random seed (default: the config's sample.seed).")
  Long seed;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default local[*]).")
  String master;

  @Override
  public Integer call() {
    CityConfig config = CityConfig.load(city);
    if (config.sample() == null && (scale == null || seed == null)) {
      throw PipelineException.cannot(
          "generate",
          "sample city",
          "the config has no sample block; give --scale and --seed",
          city);
    }
    double s = scale != null ? scale : config.sample().scale();
    long sd = seed != null ? seed : config.sample().seed();
    SparkSession spark =
        SparkSessions.create("lifecircle generate " + config.code(), master, false);
    long t0 = System.nanoTime();
    Map<String, Long> counts =
        SampleCityGenerator.generate(spark, config, Catalogs.load(config).facilities(), sd, s);
    System.out.printf(
        "generated city %s at scale %s (seed %d) in %.1f s%n",
        config.code(), s, sd, (System.nanoTime() - t0) / 1e9);
    counts.forEach(
        (k, v) ->
            System.out.printf(
                "  %-14s %10d rows  %s%n", k, v, config.resolve(config.dataset(k).path())));
    SampleInputs.printKept(config, counts.keySet(), System.out);
    return 0;
  }
}
