package org.lifecircle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;

/**
 * The incremental nightly through the command line and real Delta tables, on the demo city: a full
 * run for one date, a few facilities closed and moved, the next date's run with {@code
 * --incremental}, then the access stage rerun for that date with {@code --full} (the oracle:
 * nothing reused). building_access and network_stats must hold the same rows after both; run_log
 * says what each stage of the incremental run recomputed.
 */
class IncrementalNightlyIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FIRST = "2026-06-30";
  private static final String NEXT = "2026-07-01";
  private static SparkSession spark;
  private static Path warehouse;
  private static Path config;

  @BeforeAll
  static void runTwoDates() throws IOException {
    spark = TestSpark.session();
    Path dir = TestSpark.tempDir("incremental-nightly");
    config = dir.resolve("city.yaml");
    Files.copy(Path.of("../cities/demo/city.yaml"), config);
    warehouse = dir.resolve("warehouse");
    assertThat(nightly(FIRST, "--full")).isZero();
    // Three facilities closed (rows 250, 500, 750), three moved about 110 m north (7, 307, 607).
    Path csv = onlyCsv(dir.resolve("data/facilities_amap.csv"));
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    List<String> drifted = new ArrayList<>(List.of(lines.get(0)));
    for (int i = 1; i < lines.size(); i++) {
      if (i % 250 == 0) {
        continue;
      }
      String line = lines.get(i);
      if (i % 300 == 7) {
        int comma = line.lastIndexOf(',');
        double lat = Double.parseDouble(line.substring(comma + 1)) + 0.001;
        line = line.substring(0, comma + 1) + lat;
      }
      drifted.add(line);
    }
    Files.write(csv, drifted, StandardCharsets.UTF_8);
    Files.deleteIfExists(csv.resolveSibling("." + csv.getFileName() + ".crc"));
    assertThat(nightly(NEXT, "--incremental")).isZero();
  }

  private static int nightly(String date, String mode) {
    return LifeCircle.execute(
        "nightly",
        "--city",
        config.toString(),
        "--date",
        date,
        "--warehouse",
        warehouse.toString(),
        "--until",
        "access",
        mode);
  }

  private static Dataset<Row> snapshot(String table, long version) {
    return spark
        .read()
        .format("delta")
        .option("versionAsOf", version)
        .load(warehouse.resolve(table).toString())
        .where("snapshot_date = DATE'" + NEXT + "'");
  }

  private static JsonNode incrementalMetrics(String stage) throws IOException {
    List<Row> rows =
        spark
            .read()
            .format("delta")
            .load(warehouse.resolve("run_log").toString())
            .where(
                "snapshot_date = DATE'"
                    + NEXT
                    + "' AND source IS NULL AND stage = '"
                    + stage
                    + "' AND status = 'succeeded'")
            .orderBy("ended_at")
            .select("metrics")
            .collectAsList();
    return JSON.readTree(rows.get(0).getString(0)).path("incremental");
  }

  @Test
  void theIncrementalRunWritesWhatAFullRunOfTheDateWrites() throws IOException {
    JsonNode plan = incrementalMetrics("access");
    assertThat(plan.path("mode").asText()).isEqualTo("incremental");
    assertThat(plan.path("previous_snapshot").asText()).isEqualTo(FIRST);
    // A moved facility counts twice: gone from its old place, arrived at its new one.
    assertThat(plan.path("facilities_changed").asLong()).isEqualTo(3 + 3 * 2);
    assertThat(plan.path("homes_recomputed").asLong()).isPositive();
    assertThat(plan.path("homes_copied").asLong()).isPositive();
    JsonNode population = incrementalMetrics("population");
    assertThat(population.path("mode").asText()).isEqualTo("full");
    assertThat(population.path("why").asText()).startsWith("the stage has no incremental path");

    List<String> tables = List.of("building_access", "network_stats");
    List<Long> before = new ArrayList<>();
    for (String t : tables) {
      before.add(
          DeltaTable.forPath(spark, warehouse.resolve(t).toString()).history(1).first().getLong(0));
    }
    assertThat(
            LifeCircle.execute(
                "access",
                "--city",
                config.toString(),
                "--date",
                NEXT,
                "--warehouse",
                warehouse.toString(),
                "--full"))
        .isZero();
    for (int i = 0; i < tables.size(); i++) {
      String t = tables.get(i);
      Dataset<Row> incremental = snapshot(t, before.get(i));
      Dataset<Row> full = snapshot(t, before.get(i) + 1);
      assertThat(full.count()).as(t).isEqualTo(incremental.count()).isPositive();
      assertThat(incremental.exceptAll(full).count())
          .as(t + ": incremental rows not in full")
          .isZero();
      assertThat(full.exceptAll(incremental).count())
          .as(t + ": full rows not in incremental")
          .isZero();
    }
  }

  /** The generator may write a CSV as a folder holding one part file. */
  private static Path onlyCsv(Path path) throws IOException {
    if (Files.isRegularFile(path)) {
      return path;
    }
    try (Stream<Path> s = Files.list(path)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".csv")).findFirst().orElseThrow();
    }
  }
}
