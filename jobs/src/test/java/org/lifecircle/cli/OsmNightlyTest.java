package org.lifecircle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.lifecircle.osm.OsmSample;

/**
 * The nightly pipeline end to end on a city bootstrapped from OpenStreetMap (cities/osm-sample:
 * the hand-made extract of make_sample.py, the planners' boundaries and a two-cell population
 * grid), through the real command line (the shared {@link OsmSample} run). Expectations follow from that design: cell A's 970
 * residents live in w300-w302, all in the west community; the kindergarten (30, 260) lies within
 * about 200 m walking of each of them (60 m to the road, along it, 35 m back); nothing in the
 * extract is a nursery.
 */
class OsmNightlyTest {
  private static final String WEST = "420106001001";
  private static SparkSession spark;
  private static Path warehouse;
  private static int exit;

  @BeforeAll
  static void runNightlyOnTheOsmSample() {
    spark = TestSpark.session();
    warehouse = OsmSample.warehouse();
    exit = OsmSample.exitCode();
  }

  private static Dataset<Row> table(String name) {
    return spark.read().format("delta").load(warehouse.resolve(name).toString());
  }

  @Test
  void everyStageSucceedsAndEverySourceReconciles() {
    assertThat(exit).isZero();
    RunLogChecks.everyStageSucceededAndEverySourceReconciles(table("run_log"), OsmSample.RUN_ID);
  }

  @Test
  void residentsLiveInTheThreeResidentialBuildingsOfTheWestCommunity() {
    Map<String, String> homes = new TreeMap<>();
    long residents = 0;
    for (Row r : table("building_population").select("building_id", "community_code", "residents")
        .collectAsList()) {
      homes.put(r.getString(0), r.getString(1));
      residents += r.getLong(2);
    }
    assertThat(homes).containsExactlyEntriesOf(new TreeMap<>(Map.of("w300", WEST, "w301", WEST,
        "w302", WEST)));
    assertThat(residents).isEqualTo(970);
  }

  @Test
  void coverageGapsAndReportAreWritten() throws IOException {
    Row kindergarten = table("community_coverage")
        .where("area_code = '" + WEST + "' AND category = 'kindergarten'")
        .select("target_residents", "coverage_rate", "distance_basis").first();
    assertThat(kindergarten.getLong(0)).isEqualTo(40);
    assertThat(kindergarten.getDouble(1)).isEqualTo(1.0);
    assertThat(kindergarten.getString(2)).isEqualTo("network");
    Row nursery = table("coverage_gaps")
        .where("community_code = '" + WEST + "' AND category = 'nursery' AND gap_kind = 'distance'")
        .select("target_residents", "target_residents_uncovered").first();
    assertThat(nursery.getLong(0)).isEqualTo(30);
    assertThat(nursery.getLong(1)).isEqualTo(30);
    String html = Files.readString(warehouse.resolve("_reports/990201/2026-06-30.html"),
        StandardCharsets.UTF_8);
    assertThat(html).contains("<svg", "Coverage by district");
  }
}
