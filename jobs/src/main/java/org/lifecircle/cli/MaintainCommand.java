package org.lifecircle.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.SparkSessions;
import org.lifecircle.io.Maintenance;
import org.lifecircle.io.Tables;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "maintain",
    header = "Compact one city's files in every table and remove old ones (OPTIMIZE, VACUUM).",
    mixinStandardHelpOptions = true,
    description = {
      "Compact one city's files in every table (OPTIMIZE, Z-ordered by community on the large",
      "building tables) and remove files older than the retention (VACUUM)."
    })
final class MaintainCommand implements Callable<Integer> {
  /**
   * The large per-building tables, clustered by community: planners read them a community at a
   * time.
   */
  static final Map<String, String> ZORDER =
      Map.of(
          Tables.BUILDING_ACCESS, "community_code", Tables.BUILDING_POPULATION, "community_code");

  @Mixin RunOptions options;

  @Option(
      names = "--retain-hours",
      defaultValue = "168",
      paramLabel = "HOURS",
      description =
          "VACUUM retention; below Delta's safe 168 h (7 days) is refused. Default: ${DEFAULT-VALUE}.")
  int retainHours;

  @Option(
      names = "--table",
      paramLabel = "TABLE",
      description = "Only these tables (repeatable; default: every table in the warehouse).")
  List<String> only;

  @Override
  public Integer call() throws IOException {
    CityConfig config = CityConfig.load(options.city);
    if (retainHours < 168) {
      throw PipelineException.cannot(
          "maintain",
          "warehouse",
          "retention below 168 hours could delete files a running reader or time travel needs",
          retainHours);
    }
    Path warehouse = options.warehouse.toAbsolutePath().normalize();
    List<Path> tables;
    try (Stream<Path> s = Files.list(warehouse)) {
      tables =
          s.filter(Maintenance::isTable)
              .filter(p -> only == null || only.contains(p.getFileName().toString()))
              .sorted()
              .toList();
    }
    if (only != null && tables.size() != only.size()) {
      List<String> found = tables.stream().map(p -> p.getFileName().toString()).toList();
      throw PipelineException.cannot(
          "maintain",
          "warehouse",
          "no such table",
          only.stream().filter(t -> !found.contains(t)).toList());
    }
    if (options.dryRun) {
      System.out.println(
          "dry run: would OPTIMIZE and VACUUM "
              + tables.size()
              + " tables for city "
              + config.code());
      return 0;
    }
    SparkSession spark =
        SparkSessions.create("lifecircle maintain " + config.code(), options.master, false);
    for (Path t : tables) {
      String z = ZORDER.get(t.getFileName().toString());
      // The city code is validated (six digits) by CityConfig, so it is safe in the predicate.
      long files = Maintenance.compactAndVacuum(spark, t, config.code(), z, retainHours);
      System.out.printf(
          "maintained %-22s compacted %d files%s%n",
          t.getFileName(), files, z == null ? "" : ", z-ordered by " + z);
    }
    return 0;
  }
}
