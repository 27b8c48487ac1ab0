package org.lifecircle.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.catalog.OsmTags;

/** What a city config may say: a metric CRS true to distances over the city, and clean YAML. */
class CityConfigRulesTest {
  private static final CityConfig.Bounds WUHAN =
      new CityConfig.Bounds(114.10, 30.45, 114.60, 30.75);
  private static final String CONFIG =
      """
      code: "990109"
      name: 测试市
      metric_crs: %s
      bounds: {min_lon: 114.10, min_lat: 30.45, max_lon: 114.60, max_lat: 30.75}
      datasets:
        admin_areas: {path: a.geojson, format: geojson, crs: EPSG:4326}
        buildings: {path: b.csv, format: csv, crs: EPSG:4326, wkt_column: wkt}
        population: {path: p.csv, format: csv, crs: EPSG:4326, wkt_column: wkt}
        facilities: {path: f.csv, format: csv, crs: EPSG:4326, lon_column: x, lat_column: y}
      limits:
        max_quarantine_share: 0.05
      """;

  @Test
  void aGaussKrugerZoneIsTrueToDistancesOverTheCity() {
    // Transverse Mercator scale grows as 1 + x^2 / (2 R^2) with x the distance from the central
    // meridian (114 E): at most 0.6 degrees of longitude at 30.45 N, about 57.6 km.
    double x = 0.6 * Math.PI / 180 * 6_378_137 * Math.cos(Math.toRadians(30.45));
    double expected = x * x / (2 * 6_371_000.0 * 6_371_000.0);
    assertThat(ScaleError.over("EPSG:4547", WUHAN)).isCloseTo(expected, within(0.05 * expected));
  }

  @Test
  void webMercatorInWuhanIsRefusedWithItsDistortion() {
    // Web Mercator puts geodetic latitude into spherical Mercator formulas, so it is not
    // conformal on the ellipsoid: north-south it stretches by (1 - e2 sin2 phi)^1.5 / ((1 - e2)
    // cos phi), the larger of its two scales, 16.84 % at the bounds' 30.75 N.
    double e2 = 0.00669437999014;
    double s2 = Math.pow(Math.sin(Math.toRadians(30.75)), 2);
    double northSouth = Math.pow(1 - e2 * s2, 1.5) / ((1 - e2) * Math.cos(Math.toRadians(30.75)));
    double error = ScaleError.over("EPSG:3857", WUHAN);
    assertThat(error).isCloseTo(northSouth - 1, within(1e-4));
    assertThatThrownBy(
            () -> new CityConfig("990109", "x", "EPSG:3857", WUHAN, null, null, null, null, null))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot load city config: metric_crs distorts distances by up to 16.84% over the"
                + " city's bounds, more than the limit 0.10% (limits.max_scale_error); use the city's"
                + " Gauss-Kruger or UTM zone (EPSG:3857)");
  }

  @Test
  void aGeographicCrsIsRefusedAndTheLimitIsAConfigKnob() {
    assertThatThrownBy(
            () -> new CityConfig("990109", "x", "EPSG:4326", WUHAN, null, null, null, null, null))
        .hasMessage(
            "Cannot load city config: metric_crs must be a projected CRS in metres (EPSG:4326)");
    CityConfig.Limits loose =
        new CityConfig.Limits(null, null, null, null, null, null, null, null, 0.2, null, null);
    assertThatThrownBy(
            () -> new CityConfig("990109", "x", "EPSG:3857", WUHAN, null, null, loose, null, null))
        .as("past the scale check, the missing datasets stop it")
        .hasMessageEndingWith("is not configured (990109)"); // which one first: Set order
    // UTM 50N (central meridian 117 E) holds Wuhan within 0.1 %; 49N (111 E) does not.
    assertThat(ScaleError.over("EPSG:32650", WUHAN)).isLessThan(0.001);
    assertThat(ScaleError.over("EPSG:32649", WUHAN)).isGreaterThan(0.001);
  }

  @Test
  void everyBundledCityConfigHasATrueEnoughMetricCrs() throws IOException {
    // Demo, OSM sample, the test city and the benchmark cities (whose bounds reach 1 degree from
    // the Gauss-Kruger zone's central meridian): each must load, and stay well inside the limit.
    List<Path> configs =
        new ArrayList<>(
            List.of(
                Path.of("../cities/demo/city.yaml"),
                Path.of("../cities/osm-sample/city.yaml"),
                Path.of("src/test/resources/ingest/city.yaml")));
    try (Stream<Path> bench = Files.list(Path.of("../bench/cities"))) {
      bench.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(configs::add);
    }
    assertThat(configs).hasSizeGreaterThan(6);
    for (Path file : configs) {
      CityConfig city = CityConfig.load(file);
      assertThat(ScaleError.over(city.metricCrs(), city.bounds()))
          .as(file.toString())
          .isLessThan(city.limits().maxScaleError() / 5);
    }
  }

  @Test
  void aRepeatedKeyIsAnErrorNamingItAndItsLine(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("city.yaml");
    Files.writeString(file, CONFIG.formatted("EPSG:4547") + "limits: {max_snap_m: 100}\n");
    assertThatThrownBy(() -> CityConfig.load(file))
        .isInstanceOf(PipelineException.class)
        .hasMessage("Cannot read city config " + file + ": duplicate key 'limits' (line 12)");
  }

  @Test
  void anUnknownKeyIsAnErrorNamingItWhereItStands(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("city.yaml");
    Files.writeString(
        file, CONFIG.formatted("EPSG:4547").replace("max_quarantine_share", "max_quarantin_share"));
    assertThatThrownBy(() -> CityConfig.load(file))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot read city config "
                + file
                + ": unknown key 'max_quarantin_share' under"
                + " 'limits' (line 11)")
        .message()
        .doesNotContain("org.lifecircle", "CityConfig", "Limits");
  }

  @Test
  void anUnknownKeyInACatalogIsNamedToo(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("tags.yaml");
    Files.writeString(
        file, Files.readString(Path.of("../catalogs/osm_tags.yaml")) + "\nfacilitys: []\n");
    long line = Files.readAllLines(file).size();
    assertThatThrownBy(() -> Yaml.read(file, OsmTags.class, "OSM tag catalog"))
        .isInstanceOf(PipelineException.class)
        .hasMessage("Cannot read OSM tag catalog: unknown key 'facilitys' (line " + line + ")");
  }

  @Test
  void aRepeatedKeyInsideAMappingSaysWhereItSits(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("city.yaml");
    Files.writeString(
        file, CONFIG.formatted("EPSG:4547") + "  max_snap_m: 100\n  max_snap_m: 120\n");
    assertThatThrownBy(() -> CityConfig.load(file))
        .hasMessage(
            "Cannot read city config "
                + file
                + ": duplicate key 'max_snap_m' under"
                + " 'limits' (line 13)");
  }

  @Test
  void aValueOfTheWrongKindIsNamedWithoutJavaTypes(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("city.yaml");
    Files.writeString(file, CONFIG.formatted("EPSG:4547").replace("0.05", "five percent"));
    assertThatThrownBy(() -> CityConfig.load(file))
        .hasMessage(
            "Cannot read city config "
                + file
                + ": key 'max_quarantine_share' under"
                + " 'limits' must be a number (line 11)")
        .message()
        .doesNotContain("java.", "org.lifecircle", "`");
  }

  /**
   * Issue 17, build item 4: the nightly fails when fewer than 98 % of the population input's
   * residents are placed, unless the city config sets its own limit.
   */
  @Test
  void theMinimumPlacedShareIs98PercentUnlessTheCitySetsIt(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("city.yaml");
    Files.writeString(file, CONFIG.formatted("EPSG:4547"));
    assertThat(CityConfig.load(file).limits().minPlacedShare()).isEqualTo(0.98);
    Files.writeString(file, CONFIG.formatted("EPSG:4547") + "  min_placed_share: 0.9\n");
    assertThat(CityConfig.load(file).limits().minPlacedShare()).isEqualTo(0.9);
  }

  @Test
  void serviceAreasAreOffUnlessTheCityTurnsThemOn(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("city.yaml");
    Files.writeString(file, CONFIG.formatted("EPSG:4547"));
    assertThat(CityConfig.load(file).limits().serviceAreas()).isFalse();
    assertThat(CityConfig.load(file).limits().serviceAreaBufferM()).isEqualTo(25.0);
    Files.writeString(
        file,
        CONFIG.formatted("EPSG:4547") + "  service_areas: true\n  service_area_buffer_m: 40\n");
    assertThat(CityConfig.load(file).limits().serviceAreas()).isTrue();
    assertThat(CityConfig.load(file).limits().serviceAreaBufferM()).isEqualTo(40.0);
  }

  /** A city config whose facility catalog is {@code catalog}, loaded as a run loads it. */
  private static FacilityCatalog facilityCatalog(Path dir, String catalog) throws IOException {
    Files.writeString(dir.resolve("categories.yaml"), catalog);
    Path city = dir.resolve("city.yaml");
    Files.writeString(
        city, CONFIG.formatted("EPSG:4547") + "catalogs: {facilities: categories.yaml}\n");
    return FacilityCatalog.load(CityConfig.load(city));
  }

  @Test
  void aRepeatedOrUnknownKeyInAFacilityCatalogIsNamedWithItsItemAndLine(@TempDir Path dir)
      throws IOException {
    String catalog = Files.readString(Path.of("../catalogs/facility_categories.yaml"));
    Path file = dir.resolve("categories.yaml");
    int line =
        Files.readAllLines(Path.of("../catalogs/facility_categories.yaml"))
                .indexOf("    threshold_m: 300")
            + 1;
    assertThatThrownBy(
            () ->
                facilityCatalog(
                    dir,
                    catalog.replaceFirst(
                        "    threshold_m: 300\n", "    threshold_m: 300\n    threshold_m: 500\n")))
        .hasMessage(
            "Cannot read facility catalog "
                + file
                + ": duplicate key 'threshold_m' under"
                + " 'categories[0]' (line "
                + (line + 1)
                + ")");
    assertThatThrownBy(
            () ->
                facilityCatalog(
                    dir,
                    catalog.replaceFirst(
                        "    threshold_m: 300\n", "    threshold_m: 300\n    radius_m: 300\n")))
        .hasMessage(
            "Cannot read facility catalog "
                + file
                + ": unknown key 'radius_m' under"
                + " 'categories[0]' (line "
                + (line + 1)
                + ")")
        .message()
        .doesNotContain("org.lifecircle", "Category");
    // Misspelt: the misspelt key is named, on its own line.
    assertThatThrownBy(
            () ->
                facilityCatalog(
                    dir, catalog.replaceFirst("    threshold_m: 300\n", "    treshold_m: 300\n")))
        .hasMessage(
            "Cannot read facility catalog "
                + file
                + ": unknown key 'treshold_m' under"
                + " 'categories[0]' (line "
                + line
                + ")");
    // Both thresholds left out: the message names them and the category.
    assertThatThrownBy(
            () ->
                facilityCatalog(
                    dir,
                    catalog
                        .replaceFirst("    threshold_m: 300\n", "")
                        .replaceFirst("    threshold_min: 5\n", "")))
        .hasMessage(
            "Cannot load facility catalog: threshold_m or threshold_min is needed for"
                + " kindergarten");
  }
}
