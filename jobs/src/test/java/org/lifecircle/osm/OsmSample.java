package org.lifecircle.osm;

import java.nio.file.Path;
import java.time.LocalDate;
import org.lifecircle.TestSpark;
import org.lifecircle.cli.LifeCircle;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.RunContext;

/**
 * The nightly pipeline on cities/osm-sample, run once per test JVM through the real command line
 * and shared by the OSM test classes: the ingest checks read the silver tables it wrote, the
 * end-to-end checks read everything else. One run instead of two keeps the suite within CI's budget
 * (the pipeline's fixed cost per stage dominates on a city this small).
 */
public final class OsmSample {
  public static final Path CONFIG = Path.of("../cities/osm-sample/city.yaml");
  public static final String DATE = "2026-06-30";
  public static final String RUN_ID = "osm-1";
  private static Path warehouse;
  private static int exit;
  private static double seconds;

  private OsmSample() {}

  private static synchronized void run() {
    if (warehouse == null) {
      TestSpark.session();
      Path wh = TestSpark.tempDir("osm-sample").resolve("warehouse");
      long start = System.nanoTime();
      exit =
          LifeCircle.execute(
              "nightly",
              "--city",
              CONFIG.toString(),
              "--date",
              DATE,
              "--warehouse",
              wh.toString(),
              "--run-id",
              RUN_ID);
      seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("OsmSample: nightly on the OSM sample took %.1f s%n", seconds);
      warehouse = wh;
    }
  }

  public static Path warehouse() {
    run();
    return warehouse;
  }

  public static int exitCode() {
    run();
    return exit;
  }

  /** The run's context, for reading its snapshot tables. */
  public static RunContext context() {
    return new RunContext(RUN_ID, CityConfig.load(CONFIG), LocalDate.parse(DATE), warehouse());
  }
}
