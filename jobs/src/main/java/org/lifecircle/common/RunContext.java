package org.lifecircle.common;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Objects;
import org.lifecircle.catalog.Catalogs;

/**
 * What every stage of one run knows: which run, city, snapshot date and warehouse, the catalogs
 * read once for the run, and whether the run may reuse the previous snapshot ({@link Mode}).
 */
public record RunContext(
    String runId,
    CityConfig city,
    LocalDate snapshotDate,
    Path warehouse,
    Catalogs catalogs,
    Mode mode) {
  /**
   * {@code FULL}: every stage computes every row. {@code INCREMENTAL}: a stage that can (the access
   * stage) recomputes only what changed since the city's previous snapshot can reach and copies the
   * rest; it falls back to a full computation, and says why, when it cannot prove the copy right.
   */
  public enum Mode {
    FULL,
    INCREMENTAL
  }

  public RunContext {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(city, "city");
    Objects.requireNonNull(snapshotDate, "snapshotDate");
    Objects.requireNonNull(catalogs, "catalogs");
    Objects.requireNonNull(mode, "mode");
    warehouse = warehouse.toAbsolutePath().normalize();
  }

  /** A full run. */
  public RunContext(
      String runId, CityConfig city, LocalDate snapshotDate, Path warehouse, Catalogs catalogs) {
    this(runId, city, snapshotDate, warehouse, catalogs, Mode.FULL);
  }

  /** The same run in {@code other} mode. */
  public RunContext withMode(Mode other) {
    return new RunContext(runId, city, snapshotDate, warehouse, catalogs, other);
  }

  /** The same run for another snapshot date. */
  public RunContext atDate(LocalDate other) {
    return new RunContext(runId, city, other, warehouse, catalogs, mode);
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
