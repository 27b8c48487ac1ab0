package org.lifecircle.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;

/** The catalogs of one run: read once from the YAML files a city names, cross-checked once. */
class CatalogsTest {
  private static final String CONFIG =
      """
      code: "990109"
      name: 测试市
      metric_crs: EPSG:4547
      bounds: {min_lon: 114.10, min_lat: 30.45, max_lon: 114.60, max_lat: 30.75}
      datasets:
        admin_areas: {path: a.geojson, format: geojson, crs: EPSG:4326}
        buildings: {path: b.csv, format: csv, crs: EPSG:4326, wkt_column: wkt}
        population: {path: p.csv, format: csv, crs: EPSG:4326, wkt_column: wkt}
        facilities: %s
      limits:
        max_quarantine_share: 0.05
      """;
  private static final String CSV_FACILITIES =
      "{path: f.csv, format: csv, crs: EPSG:4326, lon_column: x, lat_column: y}";
  private static final String OSM_FACILITIES = "{path: city.osm.pbf, format: osm}";

  @Test
  void aCityWithoutItsOwnCatalogsGetsTheBundledDefaults() {
    CityConfig city = CityConfig.load(Path.of("src/test/resources/ingest/city.yaml"));
    Catalogs c = Catalogs.load(city);
    assertThat(c.facilities().codes()).hasSize(21).contains("kindergarten", "pocket_park", "park");
    assertThat(c.facilities().category("pocket_park").thresholdM()).isEqualTo(300.0);
    assertThat(c.idleRules().recommend().sitesPerCategory()).isEqualTo(5);
    assertThat(c.indicators().indicators()).hasSize(17);
    assertThat(c.osmTags().category(Map.of("amenity", "school"), null)).isEqualTo("primary_school");
    assertThat(c.ageBands().columns()).isEqualTo(AgeBands.COLUMNS).hasSize(8).startsWith("pop_0_2");
    assertThat(c.facilities().category("elderly_day_care").targetBands())
        .containsExactly("pop_60_64", "pop_65_79", "pop_80_plus");
    // A run built from the city alone carries the same catalogs.
    RunContext ctx = new RunContext("r", city, LocalDate.of(2026, 6, 30), Path.of("warehouse"));
    assertThat(ctx.catalogs()).isEqualTo(c);
  }

  @Test
  void aPlannersOwnCatalogFileNamedByTheCityIsUsed(@TempDir Path dir) throws IOException {
    List<String> lines =
        new ArrayList<>(Files.readAllLines(Path.of("../catalogs/facility_categories.yaml")));
    int park = lines.indexOf("  - code: pocket_park");
    // The planner states the pocket park's walk in minutes only: 4 minutes at 60 m/min.
    int threshold = park + lines.subList(park, lines.size()).indexOf("    threshold_m: 300");
    lines.remove(threshold);
    int minutes = park + lines.subList(park, lines.size()).indexOf("    threshold_min: 5");
    lines.set(minutes, "    threshold_min: 4");
    Files.write(dir.resolve("categories.yaml"), lines);
    Files.writeString(
        dir.resolve("rules.yaml"),
        Files.readString(Path.of("../catalogs/idle_rules.yaml"))
            .replace("  sites_per_category: 5", "  sites_per_category: 7"));
    CityConfig city =
        city(dir, CSV_FACILITIES, "{facilities: categories.yaml, idle_rules: rules.yaml}");

    Catalogs c = Catalogs.load(city);
    assertThat(c.facilities().category("pocket_park").thresholdM()).isEqualTo(240.0);
    assertThat(c.facilities().category("park").thresholdM()).isEqualTo(500.0);
    assertThat(c.idleRules().recommend().sitesPerCategory()).isEqualTo(7);
    assertThat(c.indicators().indicators()).hasSize(17);
  }

  @Test
  void anIndicatorNamingAnUnknownCategoryStopsTheRunAtLoad(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("indicators.yaml"),
        Files.readString(Path.of("../catalogs/indicators.yaml"))
            .replaceFirst("categories: \\[pocket_park, park\\]", "categories: [pocket_park, zoo]"));
    CityConfig city = city(dir, CSV_FACILITIES, "{indicators: indicators.yaml}");
    assertThatThrownBy(() -> Catalogs.load(city))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot compute indicator park_green_coverage_residents: category is not in the"
                + " facility catalog (zoo)");
  }

  @Test
  void osmTagsNamingACategoryThePlannerDroppedStopAnOsmCityOnly(@TempDir Path dir)
      throws IOException {
    List<String> lines =
        new ArrayList<>(Files.readAllLines(Path.of("../catalogs/facility_categories.yaml")));
    int from = lines.indexOf("  - code: pharmacy");
    int to = from + 1;
    while (!lines.get(to).startsWith("  - code: ")) {
      to++;
    }
    lines.subList(from, to).clear();
    Files.write(dir.resolve("categories.yaml"), lines);
    String catalogs = "{facilities: categories.yaml}";
    assertThat(Catalogs.load(city(dir, CSV_FACILITIES, catalogs)).facilities().codes())
        .hasSize(20)
        .doesNotContain("pharmacy");
    CityConfig osm = city(dir, OSM_FACILITIES, catalogs);
    assertThatThrownBy(() -> Catalogs.load(osm))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot load OSM tag catalog: category is not in the facility catalog (pharmacy)");
  }

  private static CityConfig city(Path dir, String facilities, String catalogs) throws IOException {
    Path file = dir.resolve("city.yaml");
    Files.writeString(file, CONFIG.formatted(facilities) + "catalogs: " + catalogs + "\n");
    return CityConfig.load(file);
  }
}
