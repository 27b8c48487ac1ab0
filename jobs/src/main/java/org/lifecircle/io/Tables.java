package org.lifecircle.io;

import java.util.List;

/**
 * The table registry: every table's name, once. A name is also the table's folder under the
 * warehouse and its contract, {@code schemas/<name>.yaml}; TablesTest holds the two lists equal.
 * Names are plain String constants (not an enum) so that code which dispatches on a city config's
 * dataset name can use them as {@code case} labels.
 */
public final class Tables {
  // Silver tables, one per city config dataset, written by ingest.
  public static final String ADMIN_AREAS = "admin_areas";
  public static final String COMPOUNDS = "compounds";
  public static final String PARCELS = "parcels";
  public static final String BUILDINGS = "buildings";
  public static final String POPULATION = "population";
  public static final String FACILITIES = "facilities";
  public static final String WALK_NETWORK = "walk_network";

  // Gold tables, written by the stages after ingest.
  public static final String BUILDING_POPULATION = "building_population";
  public static final String BUILDING_ACCESS = "building_access";
  public static final String NETWORK_STATS = "network_stats";
  public static final String SERVICE_AREAS = "service_areas";
  public static final String COMMUNITY_COVERAGE = "community_coverage";
  public static final String COVERAGE_GAPS = "coverage_gaps";
  public static final String FACILITY_ADEQUACY = "facility_adequacy";
  public static final String IDLE_ASSETS = "idle_assets";
  public static final String GAP_FILL_CANDIDATES = "gap_fill_candidates";
  public static final String CHECKUP_INDICATORS = "checkup_indicators";

  // Written by every stage (the runner's run_log row; rows a stage did not accept).
  public static final String RUN_LOG = "run_log";
  public static final String QUARANTINE = "quarantine";

  /** The silver tables, in the order a city config lists its datasets. */
  public static final List<String> SILVER =
      List.of(ADMIN_AREAS, COMPOUNDS, PARCELS, BUILDINGS, POPULATION, FACILITIES, WALK_NETWORK);

  /** Every table, silver first, then in the order the nightly writes them. */
  public static final List<String> ALL =
      List.of(
          ADMIN_AREAS,
          COMPOUNDS,
          PARCELS,
          BUILDINGS,
          POPULATION,
          FACILITIES,
          WALK_NETWORK,
          BUILDING_POPULATION,
          BUILDING_ACCESS,
          NETWORK_STATS,
          SERVICE_AREAS,
          COMMUNITY_COVERAGE,
          COVERAGE_GAPS,
          FACILITY_ADEQUACY,
          IDLE_ASSETS,
          GAP_FILL_CANDIDATES,
          CHECKUP_INDICATORS,
          RUN_LOG,
          QUARANTINE);

  private Tables() {}
}
