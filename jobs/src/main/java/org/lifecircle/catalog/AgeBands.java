package org.lifecircle.catalog;

import java.io.Serializable;
import java.util.List;

/**
 * The age bands of the population contract, youngest first: the column names every stage that
 * counts residents by age (population, access, report...) reads and writes.
 */
public record AgeBands(List<String> columns) implements Serializable {
  /** The population contract's band columns. */
  public static final List<String> COLUMNS =
      List.of(
          "pop_0_2",
          "pop_3_5",
          "pop_6_11",
          "pop_12_14",
          "pop_15_59",
          "pop_60_64",
          "pop_65_79",
          "pop_80_plus");

  /** The contract's bands. */
  public static final AgeBands DEFAULT = new AgeBands(COLUMNS);

  /**
   * Building uses that house people (a building of another use gets grid residents only as a
   * fallback).
   */
  public static final List<String> RESIDENTIAL_USES = List.of("residential", "mixed");

  public AgeBands {
    columns = List.copyOf(columns);
  }
}
