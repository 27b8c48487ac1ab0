package org.lifecircle.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.Yaml;

/** The indicator catalog loads, validates and tells which area levels each indicator reports. */
class IndicatorCatalogTest {
  private static final FacilityCatalog FACILITIES =
      Yaml.readResource(
          FacilityCatalog.DEFAULT_RESOURCE, FacilityCatalog.class, "facility catalog");

  @Test
  void defaultCatalogLoadsWithItsParameters() {
    IndicatorCatalog c =
        Yaml.readResource(
            IndicatorCatalog.DEFAULT_RESOURCE, IndicatorCatalog.class, "indicator catalog");
    assertThat(c.indicators()).hasSize(17);
    assertThat(c.parameters().oldCompoundBeforeYear()).isEqualTo(2000);
    assertThat(c.parameters().hotspotResidentsPerKm2()).isEqualTo(15000.0);
    assertThat(c.parameters().idleStatuses()).containsExactly("open");
    Catalogs.requireKnownCategories(c, FACILITIES);
  }

  @Test
  void levelsRunFromTheCoarserOfScaleAndMethodUpToTheCity() {
    assertThat(indicator("community", "coverage").levels())
        .containsExactly("community", "street", "district", "city");
    assertThat(indicator("district", "coverage").levels()).containsExactly("district", "city");
    assertThat(indicator("community", "complete_communities").levels())
        .containsExactly("street", "district", "city");
    assertThat(indicator("community", "hotspot_cells").levels()).containsExactly("city");
  }

  @Test
  void badEntriesAreRejectedWithTheReason() {
    assertThatThrownBy(() -> indicator("community", "magic"))
        .isInstanceOf(PipelineException.class)
        .hasMessageStartingWith("Cannot load indicator catalog: unknown method for x_test (magic;");
    assertThatThrownBy(
            () ->
                new IndicatorCatalog.Indicator(
                    "x_test", "", "", "block", "coverage", List.of("park"), "", "share", null, ""))
        .hasMessage(
            "Cannot load indicator catalog: scale of x_test must be one of"
                + " [community, street, district, city] (block)");
    assertThatThrownBy(() -> new IndicatorCatalog.Target(1, "about"))
        .hasMessage(
            "Cannot load indicator catalog: target direction must be at_least or at_most (about)");
    IndicatorCatalog mixed =
        new IndicatorCatalog(
            null,
            List.of(
                new IndicatorCatalog.Indicator(
                    "mixed",
                    "",
                    "",
                    "city",
                    "coverage",
                    List.of("park", "kindergarten"),
                    "",
                    "share",
                    null,
                    "")));
    assertThatThrownBy(() -> Catalogs.requireKnownCategories(mixed, FACILITIES))
        .hasMessageStartingWith(
            "Cannot compute indicator mixed: its categories serve different target groups");
    IndicatorCatalog unknown =
        new IndicatorCatalog(
            null,
            List.of(
                new IndicatorCatalog.Indicator(
                    "unknown", "", "", "city", "coverage", List.of("zoo"), "", "share", null, "")));
    assertThatThrownBy(() -> Catalogs.requireKnownCategories(unknown, FACILITIES))
        .hasMessage(
            "Cannot compute indicator unknown: category is not in the facility catalog (zoo)");
  }

  private static IndicatorCatalog.Indicator indicator(String scale, String method) {
    return new IndicatorCatalog.Indicator(
        "x_test", "测试", "Test", scale, method, List.of("park"), "formula", "share", null, "test");
  }
}
