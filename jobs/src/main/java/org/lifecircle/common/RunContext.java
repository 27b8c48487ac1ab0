package org.lifecircle.common;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Objects;
import org.lifecircle.catalog.Catalogs;

/**
 * What every stage of one run knows: which run, city, snapshot date and warehouse, and the catalogs
 * read once for the run.
 */
public record RunContext(
    String runId, CityConfig city, LocalDate snapshotDate, Path warehouse, Catalogs catalogs) {
  public RunContext {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(city, "city");
    Objects.requireNonNull(snapshotDate, "snapshotDate");
    Objects.requireNonNull(catalogs, "catalogs");
    warehouse = warehouse.toAbsolutePath().normalize();
  }

  /** A run whose catalogs are the city's, read now ({@link Catalogs#load}). */
  public RunContext(String runId, CityConfig city, LocalDate snapshotDate, Path warehouse) {
    this(runId, city, snapshotDate, warehouse, Catalogs.load(Objects.requireNonNull(city, "city")));
  }

  public String cityCode() {
    return city.code();
  }

  public String tablePath(String table) {
    return warehouse.resolve(table).toString();
  }
}
