package org.lifecircle.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which Spark settings a city gets: small inputs on one machine run without Spark's big-data cost.
 */
class SparkSizingTest {
  private static final String CONFIG =
      """
      code: "990109"
      name: 测试市
      metric_crs: EPSG:4547
      bounds: {min_lon: 114.10, min_lat: 30.45, max_lon: 114.60, max_lat: 30.75}
      %s
      datasets:
        admin_areas: {path: a.geojson, format: geojson, crs: EPSG:4326}
        buildings: {path: extract.osm.pbf, format: osm, crs: EPSG:4326}
        facilities: {path: extract.osm.pbf, format: osm, crs: EPSG:4326}
        population: {path: p.csv, format: csv, crs: EPSG:4326, wkt_column: wkt}
      """;

  @TempDir Path dir;

  private CityConfig city(String sample) throws IOException {
    Path file = dir.resolve("city.yaml");
    Files.writeString(file, CONFIG.formatted(sample));
    return CityConfig.load(file);
  }

  private void write(String name, int bytes) throws IOException {
    Files.write(dir.resolve(name), new byte[bytes]);
  }

  @Test
  void inputsAreSummedOncePerFileAndDecideTheProfileOnALocalMaster() throws IOException {
    write("a.geojson", 1_000);
    write("extract.osm.pbf", 20_000); // feeds two datasets, counted once
    write("p.csv", 300);
    SparkSizing sizing = SparkSizing.of(city(""), "local[2]", SparkSizing.Choice.AUTO);
    assertThat(sizing.inputBytes()).isEqualTo(21_300);
    assertThat(sizing.profile()).isEqualTo(SparkSizing.Profile.SMALL);
    assertThat(sizing.describe()).isEqualTo("spark profile small (inputs 0.0 MB <= 16.0 MB)");

    write("extract.osm.pbf", (int) SparkSizing.SMALL_INPUT_BYTES);
    SparkSizing large = SparkSizing.of(city(""), "local[*]", SparkSizing.Choice.AUTO);
    assertThat(large.inputBytes()).isEqualTo(SparkSizing.SMALL_INPUT_BYTES + 1_300);
    assertThat(large.describe()).isEqualTo("spark profile large (inputs 16.0 MB > 16.0 MB)");
  }

  @Test
  void aClusterMasterAndAnExplicitChoiceOverruleTheInputs() throws IOException {
    write("p.csv", 10);
    assertThat(SparkSizing.of(city(""), "spark://h:7077", SparkSizing.Choice.AUTO).describe())
        .isEqualTo("spark profile large (cluster master spark://h:7077)");
    assertThat(SparkSizing.of(city(""), "spark://h:7077", SparkSizing.Choice.SMALL).profile())
        .isEqualTo(SparkSizing.Profile.SMALL);
    assertThat(SparkSizing.of(city(""), "local[2]", SparkSizing.Choice.LARGE).profile())
        .isEqualTo(SparkSizing.Profile.LARGE);
  }

  @Test
  void aSampleCityNotYetGeneratedIsSizedByItsScale() throws IOException {
    // The demo's generated inputs: 1.1 MB at scale 0.002; the scale benchmark's SF 0.1: ~55 MB.
    SparkSizing demo =
        SparkSizing.of(city("sample: {seed: 1, scale: 0.002}"), null, SparkSizing.Choice.AUTO);
    assertThat(demo.inputBytes()).isBetween(1_000_000L, 1_200_000L);
    assertThat(demo.profile()).isEqualTo(SparkSizing.Profile.SMALL);
    SparkSizing sf01 =
        SparkSizing.of(city("sample: {seed: 1, scale: 0.1}"), "local[2]", SparkSizing.Choice.AUTO);
    assertThat(sf01.profile()).isEqualTo(SparkSizing.Profile.LARGE);
  }

  @Test
  void theSmallProfileTurnsOffCodeGenerationAndAdaptiveExecution() {
    var small = new SparkSizing(SparkSizing.Profile.SMALL, 0, "test").settings(16);
    assertThat(small)
        .containsEntry("spark.sql.adaptive.enabled", "false")
        .containsEntry("spark.sql.codegen.wholeStage", "false")
        .containsEntry("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        .containsEntry("spark.sql.shuffle.partitions", "4");
    var large = new SparkSizing(SparkSizing.Profile.LARGE, 0, "test").settings(16);
    assertThat(large)
        .containsEntry("spark.sql.adaptive.enabled", "true")
        .containsEntry("spark.sql.shuffle.partitions", "32")
        .doesNotContainKeys("spark.sql.codegen.wholeStage", "spark.sql.codegen.factoryMode");
  }

  @Test
  void bothProfilesRunOnTheThroughputCollectorAndOnlySmallSizesTheHeap() {
    assertThat(new SparkSizing(SparkSizing.Profile.SMALL, 0, "test").jvmOptions())
        .contains("-Xmx2g", "-XX:+UseParallelGC", "-XX:Tier4InvocationThreshold=50000");
    assertThat(new SparkSizing(SparkSizing.Profile.LARGE, 0, "test").jvmOptions())
        .containsExactly("-XX:+UseParallelGC");
  }
}
