package org.lifecircle.common;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Objects;

/** What every stage of one run knows: which run, city, snapshot date and warehouse. */
public record RunContext(String runId, CityConfig city, LocalDate snapshotDate, Path warehouse) {
  public RunContext {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(city, "city");
    Objects.requireNonNull(snapshotDate, "snapshotDate");
    warehouse = warehouse.toAbsolutePath().normalize();
  }

  public String cityCode() {
    return city.code();
  }

  public String tablePath(String table) {
    return warehouse.resolve(table).toString();
  }
}
