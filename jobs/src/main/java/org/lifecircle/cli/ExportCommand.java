package org.lifecircle.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.SparkSessions;
import org.lifecircle.report.Exporter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "export",
    header = "Write one table's snapshot as a single file that a GIS opens.",
    mixinStandardHelpOptions = true,
    description = {
      "Write one table's snapshot as one GeoParquet, GeoJSON or GeoPackage file in WGS84 for QGIS",
      "and web maps; tables without geometry get their community polygons,",
      "gap_fill_candidates its site points."
    })
final class ExportCommand implements Callable<Integer> {
  @Mixin RunOptions options;

  @Option(
      names = "--table",
      required = true,
      paramLabel = "TABLE",
      description =
          "Table to export, e.g. coverage_gaps, community_coverage, building_access;"
              + " repeat it for several (one Spark session for all).")
  List<String> tables;

  @Option(
      names = "--format",
      defaultValue = "geoparquet",
      paramLabel = "FORMAT",
      converter = FormatConverter.class,
      description =
          "geoparquet (GeoParquet 1.1, .parquet), geojson (a FeatureCollection,"
              + " .geojson) or gpkg (GeoPackage, .gpkg); repeat it for several (every table in"
              + " every format). Default: ${DEFAULT-VALUE}.")
  List<String> formats;

  @Option(
      names = "--out",
      defaultValue = "exports",
      paramLabel = "DIR",
      description = "Output folder. Default: ${DEFAULT-VALUE}.")
  Path out;

  /** An unknown format is bad usage (exit 2), naming the known ones. */
  static final class FormatConverter implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (!Exporter.FORMATS.containsKey(value)) {
        throw new CommandLine.TypeConversionException(
            "unknown format '" + value + "' (one of: geoparquet, geojson, gpkg)");
      }
      return value;
    }
  }

  @Override
  public Integer call() {
    CityConfig config = CityConfig.load(options.city);
    RunContext ctx = options.context(config);
    if (options.dryRun) {
      System.out.printf(
          "dry run: export %s of city %s on %s as %s to %s%n",
          String.join(", ", tables),
          config.code(),
          ctx.snapshotDate(),
          String.join(", ", formats),
          out.toAbsolutePath());
      return 0;
    }
    SparkSession spark =
        SparkSessions.create(
            "lifecircle export " + String.join(",", tables), options.master, false);
    for (String table : tables) {
      for (String format : formats) {
        Path written =
            Exporter.export(
                spark, ctx, table, Stages.writerOf(table), format, out.toAbsolutePath());
        System.out.println("exported " + table + " to " + written);
      }
    }
    return 0;
  }
}
