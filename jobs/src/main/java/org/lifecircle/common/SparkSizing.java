package org.lifecircle.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Spark settings sized to a city's inputs. Spark's defaults are made for data that fills a cluster;
 * on a district or a small city in {@code local} mode its fixed cost per query is the run time:
 * whole-stage code generation compiles every plan with Janino, adaptive execution turns each
 * shuffle and broadcast into jobs of their own and re-plans after each, and many shuffle partitions
 * give many tiny tasks whose deserialisation costs more than their work. The demo city (1.1 MB of
 * inputs) ran 104 s of process and 6.6 GB of peak RSS with the defaults, 75 s and 2.3 GB with the
 * small profile, the same rows in every table (docs/BENCHMARKS.md, "Session 7").
 *
 * <p>A deployment's own setting (spark-submit {@code --conf}, or {@code -Dspark.*}) always wins; a
 * cluster master always gets the large profile.
 */
public record SparkSizing(Profile profile, long inputBytes, String reason) {
  /** What the options ask for: decided from the inputs (auto), or forced. */
  public enum Choice {
    AUTO,
    SMALL,
    LARGE
  }

  /** The settings Spark gets. */
  public enum Profile {
    SMALL,
    LARGE
  }

  /**
   * Inputs up to this size get the small profile. Measured with bench/profiles.py: the demo (1.1 MB
   * of inputs) ran 27 % faster small, SF 0.01 (7.9 MB) 13 % faster, both in less memory; at SF 0.1
   * (78 MB) the two tied (212 s against 214 s: generated code won back access and coverage, what
   * adaptive execution costs indicators lost it). The line sits between, at twice SF 0.01
   * (docs/BENCHMARKS.md).
   */
  public static final long SMALL_INPUT_BYTES = 16L << 20;

  /**
   * Bytes of generated inputs per unit of sample scale, to size a sample city whose inputs are not
   * generated yet: the demo's seven files hold 1.1 MB at scale 0.002.
   */
  static final long SAMPLE_BYTES_PER_SCALE = 550L << 20;

  public SparkSizing {
    if (inputBytes < 0) {
      throw PipelineException.cannot(
          "size", "spark session", "input bytes are negative", inputBytes);
    }
  }

  /** The profile for a city's run on {@code master} (null: the deployment's or local). */
  public static SparkSizing of(CityConfig city, String master, Choice choice) {
    long bytes = inputBytes(city);
    String effective = SparkSessions.effectiveMaster(master);
    if (choice == Choice.SMALL || choice == Choice.LARGE) {
      Profile p = choice == Choice.SMALL ? Profile.SMALL : Profile.LARGE;
      return new SparkSizing(p, bytes, "chosen with --spark-profile");
    }
    if (!effective.startsWith("local")) {
      return new SparkSizing(Profile.LARGE, bytes, "cluster master " + effective);
    }
    boolean small = bytes <= SMALL_INPUT_BYTES;
    return new SparkSizing(
        small ? Profile.SMALL : Profile.LARGE,
        bytes,
        String.format(
            Locale.ROOT,
            "inputs %s %s %s",
            megabytes(bytes),
            small ? "<=" : ">",
            megabytes(SMALL_INPUT_BYTES)));
  }

  /** The settings of the profile; SparkSessions applies those the deployment has not set. */
  public Map<String, String> settings(int cores) {
    Map<String, String> s = new LinkedHashMap<>();
    // A snapshot write puts one (city, date) partition in every task. Without a writer kept open
    // per partition, Spark sorts each task's rows by the partition columns before it writes them,
    // all equal: SF 1's access stage took 2 s less without that sort (docs/BENCHMARKS.md, session
    // 21). A task that meets a second partition sorts the rest as before.
    s.put("spark.sql.maxConcurrentOutputFileWriters", "1");
    if (profile == Profile.SMALL) {
      s.put("spark.sql.adaptive.enabled", "false");
      s.put("spark.sql.shuffle.partitions", String.valueOf(Math.max(2, Math.min(4, cores))));
      s.put("spark.sql.codegen.wholeStage", "false");
      // Expression projections interpreted too: compiling them is most of what is left of the
      // code generation's cost once whole-stage is off (measured: docs/BENCHMARKS.md).
      s.put("spark.sql.codegen.factoryMode", "NO_CODEGEN");
    } else {
      s.put("spark.sql.adaptive.enabled", "true");
      s.put("spark.sql.shuffle.partitions", String.valueOf(Math.max(4, cores * 2)));
    }
    return s;
  }

  /**
   * The JVM options a run of this profile starts with when the deployment gives none
   * (bin/lifecircle asks through {@code cli/JvmOptions} before it starts the JVM). Small: a 2 GB
   * heap, the throughput collector, and the optimising compiler (C2) kept for methods ten times
   * hotter than by default: on the demo city C2 spent 61 s of the run's 125 s of CPU compiling
   * methods that ran for a few seconds (-XX:+CITime). Together, on the demo: 69 s to about 60 s of
   * process, 3.4 to 1.9 GB of peak RSS (docs/BENCHMARKS.md, session 8). Large: the throughput
   * collector in the JVM's default heap. G1 marked the old generation (the broadcast indexes, the
   * cached homes) concurrently 26 times in SF 1's access stage, 41 s of a core's time beside two
   * busy cores; with ParallelGC SF 1's nightly took 529 s of stages against 567 s with G1, back to
   * back, all but coverage (equal) faster (docs/BENCHMARKS.md, session 21).
   */
  public List<String> jvmOptions() {
    if (profile == Profile.LARGE) {
      return List.of("-XX:+UseParallelGC");
    }
    return List.of(
        "-Xmx2g",
        "-XX:+UseParallelGC",
        "-XX:Tier4InvocationThreshold=50000",
        "-XX:Tier4MinInvocationThreshold=6000",
        "-XX:Tier4CompileThreshold=150000",
        "-XX:Tier4BackEdgeThreshold=400000");
  }

  /** One line for the console and the log: which profile and why. */
  public String describe() {
    return "spark profile " + profile.name().toLowerCase(Locale.ROOT) + " (" + reason + ")";
  }

  /**
   * The bytes of every configured input that exists (files, or folders summed), plus an estimate
   * for a sample city's inputs not generated yet.
   */
  static long inputBytes(CityConfig city) {
    long bytes = 0;
    boolean missing = false;
    // One OpenStreetMap extract often feeds several datasets: count each file once.
    for (Path p :
        city.datasets().values().stream().map(d -> city.resolve(d.path())).distinct().toList()) {
      if (Files.exists(p)) {
        bytes += size(p);
      } else {
        missing = true;
      }
    }
    if (missing && city.sample() != null) {
      bytes = Math.max(bytes, (long) (city.sample().scale() * SAMPLE_BYTES_PER_SCALE));
    }
    return bytes;
  }

  private static long size(Path p) {
    try {
      if (!Files.isDirectory(p)) {
        return Files.size(p);
      }
      try (Stream<Path> files = Files.walk(p)) {
        return files.filter(Files::isRegularFile).mapToLong(SparkSizing::size).sum();
      }
    } catch (IOException e) {
      throw PipelineException.cannot("size", "input " + p, e.getMessage(), p, e);
    }
  }

  private static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
  }
}
