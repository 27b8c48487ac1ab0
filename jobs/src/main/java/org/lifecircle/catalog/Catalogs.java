package org.lifecircle.catalog;

import java.io.Serializable;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.DatasetSource;
import org.lifecircle.common.PipelineException;

/**
 * Every catalog of one run, read once from the YAML files (the bundled defaults under catalogs/, or
 * the city's own copies named under {@code catalogs:} in its city.yaml) and handed to the stages
 * through {@code RunContext.catalogs()}. Planners edit the YAML files; nothing is rebuilt.
 */
public record Catalogs(
    FacilityCatalog facilities,
    IdleRules idleRules,
    IndicatorCatalog indicators,
    OsmTags osmTags,
    AgeBands ageBands)
    implements Serializable {

  public Catalogs {
    Objects.requireNonNull(facilities, "facility catalog");
    Objects.requireNonNull(idleRules, "idleRules");
    Objects.requireNonNull(indicators, "indicators");
    Objects.requireNonNull(osmTags, "osmTags");
    Objects.requireNonNull(ageBands, "ageBands");
  }

  /**
   * Reads every catalog file of the city once and checks the references between them: the
   * indicators name known categories that share a target group, and, for a city that reads an OSM
   * extract, the OSM tag catalog names known categories.
   */
  public static Catalogs load(CityConfig city) {
    Catalogs c =
        new Catalogs(
            FacilityCatalog.load(city),
            IdleRules.load(city),
            IndicatorCatalog.load(city),
            OsmTags.load(city),
            AgeBands.DEFAULT);
    if (city.datasets().values().stream().anyMatch(DatasetSource::isOsm)) {
      c.osmTags.requireKnownCodes(c.facilities.codes());
    }
    requireKnownCategories(c.indicators, c.facilities);
    return c;
  }

  /**
   * The indicator categories must be in the facility catalog, and the categories of one indicator
   * must share a target group (their target residents are the same people).
   */
  static void requireKnownCategories(IndicatorCatalog indicators, FacilityCatalog facilities) {
    Set<String> codes = facilities.codes();
    for (IndicatorCatalog.Indicator i : indicators.indicators()) {
      for (String c : i.categories()) {
        if (!codes.contains(c)) {
          throw PipelineException.cannot(
              "compute", "indicator " + i.code(), "category is not in the facility catalog", c);
        }
      }
      Set<String> targets =
          i.categories().stream()
              .map(c -> facilities.category(c).target())
              .collect(Collectors.toSet());
      if (targets.size() > 1) {
        throw PipelineException.cannot(
            "compute",
            "indicator " + i.code(),
            "its categories serve different target groups",
            targets);
      }
    }
  }
}
