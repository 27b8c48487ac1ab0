package org.lifecircle.catalog;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.Yaml;

/**
 * The city health-check (城市体检) indicator catalog (catalogs/indicators.yaml or the city's own copy):
 * which indicators to compute, by which method, at which scale, with which target, and the
 * thresholds the methods use.
 */
public record IndicatorCatalog(Parameters parameters, List<Indicator> indicators)
    implements Serializable {

  public static final String DEFAULT_RESOURCE = "catalogs/indicators.yaml";

  /** Area levels, finest first. */
  public static final List<String> LEVELS = List.of("community", "street", "district", "city");

  /** Each method and the finest area level it can be computed at. */
  public static final Map<String, String> METHODS =
      Map.ofEntries(
          Map.entry("coverage", "community"),
          Map.entry("coverage_land", "community"),
          Map.entry("complete_communities", "street"),
          Map.entry("complete_community_residents", "street"),
          Map.entry("capacity_per_1000", "city"),
          Map.entry("old_compound_residents", "community"),
          Map.entry("old_compound_no_elevator", "community"),
          Map.entry("dangerous_buildings", "city"),
          Map.entry("dangerous_floor_area", "city"),
          Map.entry("idle_floor_area", "city"),
          Map.entry("idle_land_area", "city"),
          Map.entry("hotspot_cells", "city"),
          Map.entry("hotspot_residents", "city"));

  static final Set<String> CATEGORY_METHODS =
      Set.of("coverage", "coverage_land", "capacity_per_1000");
  private static final Pattern CODE = Pattern.compile("[a-z][a-z0-9_]{1,60}");
  private static final String WHAT = "indicator catalog";

  public IndicatorCatalog {
    parameters = parameters == null ? Parameters.DEFAULTS : parameters;
    if (indicators == null || indicators.isEmpty()) {
      throw PipelineException.cannot("load", WHAT, "no indicators", null);
    }
    Set<String> seen = new HashSet<>();
    for (Indicator i : indicators) {
      if (!seen.add(i.code())) {
        throw PipelineException.cannot("load", WHAT, "duplicate indicator", i.code());
      }
    }
    indicators = List.copyOf(indicators);
  }

  public static IndicatorCatalog load(CityConfig city) {
    String override = city.catalogs().indicators();
    if (override == null) {
      return Yaml.readResource(DEFAULT_RESOURCE, IndicatorCatalog.class, WHAT);
    }
    Path p = city.resolve(override);
    return Yaml.read(p, IndicatorCatalog.class, WHAT + " " + p);
  }

  /**
   * Thresholds of the methods; a missing one takes the default shown in catalogs/indicators.yaml.
   */
  public record Parameters(
      Integer oldCompoundBeforeYear,
      Integer elevatorAboveFloors,
      List<String> dangerousRatings,
      List<String> housingUses,
      Double hotspotCellM,
      Double hotspotResidentsPerKm2,
      List<String> idleStatuses)
      implements Serializable {
    static final Parameters DEFAULTS = new Parameters(null, null, null, null, null, null, null);

    public Parameters {
      oldCompoundBeforeYear = oldCompoundBeforeYear == null ? 2000 : oldCompoundBeforeYear;
      elevatorAboveFloors = elevatorAboveFloors == null ? 4 : elevatorAboveFloors;
      dangerousRatings =
          dangerousRatings == null ? List.of("C", "D") : List.copyOf(dangerousRatings);
      housingUses =
          housingUses == null ? List.of("residential", "mixed") : List.copyOf(housingUses);
      hotspotCellM = hotspotCellM == null ? 500.0 : hotspotCellM;
      hotspotResidentsPerKm2 = hotspotResidentsPerKm2 == null ? 15000.0 : hotspotResidentsPerKm2;
      idleStatuses = idleStatuses == null ? List.of("open") : List.copyOf(idleStatuses);
      if (!(hotspotCellM > 0 && hotspotCellM <= 10_000)) {
        throw PipelineException.cannot(
            "load", WHAT, "hotspot_cell_m must be within (0, 10000]", hotspotCellM);
      }
      if (!(hotspotResidentsPerKm2 > 0)) {
        throw PipelineException.cannot(
            "load", WHAT, "hotspot_residents_per_km2 must be > 0", hotspotResidentsPerKm2);
      }
      if (elevatorAboveFloors < 1) {
        throw PipelineException.cannot(
            "load", WHAT, "elevator_above_floors must be >= 1", elevatorAboveFloors);
      }
    }
  }

  public record Indicator(
      String code,
      String nameZh,
      String nameEn,
      String scale,
      String method,
      List<String> categories,
      String formula,
      String unit,
      Target target,
      String source)
      implements Serializable {

    public Indicator {
      if (code == null || !CODE.matcher(code).matches()) {
        throw PipelineException.cannot(
            "load", WHAT, "indicator code must be lower-case letters, digits and _", code);
      }
      if (!LEVELS.contains(scale)) {
        throw PipelineException.cannot(
            "load", WHAT, "scale of " + code + " must be one of " + LEVELS, scale);
      }
      if (!METHODS.containsKey(method)) {
        throw PipelineException.cannot(
            "load",
            WHAT,
            "unknown method for " + code,
            method + "; known: " + new TreeSet<>(METHODS.keySet()));
      }
      categories = categories == null ? List.of() : List.copyOf(categories);
      if (CATEGORY_METHODS.contains(method) && categories.isEmpty()) {
        throw PipelineException.cannot(
            "load", WHAT, "method " + method + " needs categories", code);
      }
      if (unit == null || unit.isBlank()) {
        throw PipelineException.cannot("load", WHAT, "unit is missing", code);
      }
    }

    /**
     * The area levels reported, finest first: from the catalog scale or the method's finest level,
     * whichever is coarser, up to the city.
     */
    public List<String> levels() {
      int from = Math.max(LEVELS.indexOf(scale), LEVELS.indexOf(METHODS.get(method)));
      return LEVELS.subList(from, LEVELS.size());
    }
  }

  /** A target value and whether the value should be at least or at most it. */
  public record Target(double value, String direction) implements Serializable {
    public Target {
      if (!List.of("at_least", "at_most").contains(direction)) {
        throw PipelineException.cannot(
            "load", WHAT, "target direction must be at_least or at_most", direction);
      }
    }

    public boolean met(double v) {
      return "at_least".equals(direction) ? v >= value : v <= value;
    }
  }
}
