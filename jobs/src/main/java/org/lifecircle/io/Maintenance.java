package org.lifecircle.io;

import io.delta.tables.DeltaOptimizeBuilder;
import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** Housekeeping of one Delta table's files: compaction and removal of files no longer read. */
public final class Maintenance {
  private Maintenance() {}

  /** A folder is a table when Delta keeps its log there; nothing is read to decide. */
  public static boolean isTable(Path folder) {
    return Files.isDirectory(folder.resolve("_delta_log"));
  }

  /**
   * Compacts one city's files of the table at {@code path} (OPTIMIZE, Z-ordered by {@code
   * zOrderColumn} when not null), then VACUUMs files older than {@code retainHours}. Returns the
   * number of files the compaction removed. {@code cityCode} must be validated (six digits): it is
   * quoted into the predicate.
   */
  public static long compactAndVacuum(
      SparkSession spark, Path path, String cityCode, String zOrderColumn, int retainHours) {
    DeltaTable table = DeltaTable.forPath(spark, path.toString());
    DeltaOptimizeBuilder optimize = table.optimize().where("city_code = '" + cityCode + "'");
    long files =
        (zOrderColumn == null
                ? optimize.executeCompaction()
                : optimize.executeZOrderBy(zOrderColumn))
            .select("metrics.numFilesRemoved")
            .first()
            .getLong(0);
    table.vacuum(retainHours);
    return files;
  }
}
