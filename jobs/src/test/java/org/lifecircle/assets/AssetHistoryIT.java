package org.lifecircle.assets;

import static org.apache.spark.sql.functions.input_file_name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.lifecircle.assets.AssetsFixture.building;
import static org.lifecircle.assets.AssetsFixture.community;

import io.delta.tables.DeltaTable;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.SilverRows;
import org.lifecircle.TestSpark;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageResult;
import org.lifecircle.io.DeltaStageTables;
import org.lifecircle.io.Tables;

/**
 * The history MERGE over three month-end snapshots (x: 0 kWh, vacant; y: 5,000 kWh, in use): D1
 * 2026-01-31: x1, x2, x3 vacant, y in use -> x1, x2, x3 open. A rerun of D1 changes nothing. D2
 * 2026-02-28: x1 vacant again, x2 demolished (not in the input), x3 back in use, x4 new -> x1 open
 * (first D1, last D2, 1 month), x2 gone and x3 reused (last_seen stays D1, closed D2), x4 open from
 * D2. D3 2026-03-31: x2 is back and vacant -> reopened visibly (reopened_count 1, a history note),
 * first_seen still D1; x3 stays reused, untouched. Another city's asset, merged on D1, is never
 * touched by this city's runs.
 */
class AssetHistoryIT {
  private static final LocalDate D1 = LocalDate.of(2026, 1, 31);
  private static final LocalDate D2 = LocalDate.of(2026, 2, 28);
  private static final LocalDate D3 = LocalDate.of(2026, 3, 31);
  private static SparkSession spark;
  private static CityConfig city;
  private static Path warehouse;
  private static Map<String, String> afterD1;
  private static List<Map<String, String>> rerunCommits;
  private static long filesBeforeRerun;
  private static long filesAfterRerun;
  private static Map<String, String> afterRerun;
  private static StageResult rerun;
  private static StageResult secondNight;
  private static List<String> otherFilesBefore;
  private static Map<String, String> afterD2;
  private static Map<String, String> afterD3;

  @BeforeAll
  static void threeNights() {
    spark = TestSpark.session();
    city = CityConfig.load(Path.of("src/test/resources/ingest/city.yaml"));
    warehouse = TestSpark.tempDir("asset-history").resolve("warehouse");
    CityConfig other =
        new CityConfig(
            "990199",
            city.name(),
            city.metricCrs(),
            city.bounds(),
            city.datasets(),
            city.catalogs(),
            city.limits(),
            city.sample(),
            city.configDir());
    night(other, D1, List.of("x1"), List.of());
    otherFilesBefore = files(other);
    night(city, D1, List.of("x1", "x2", "x3"), List.of("y"));
    afterD1 = state(city);
    DeltaTable table = DeltaTable.forPath(spark, warehouse.resolve(Tables.IDLE_ASSETS).toString());
    long version = table.history(1).select("version").first().getLong(0);
    filesBeforeRerun = table.detail().select("numFiles").first().getLong(0);
    rerun = night(city, D1, List.of("x1", "x2", "x3"), List.of("y"));
    // Delta commits nothing for a MERGE that changes nothing; any commit it did make must be empty.
    rerunCommits = new ArrayList<>();
    for (Row r :
        table
            .history()
            .where("version > " + version + " AND operation = 'MERGE'")
            .select("operationMetrics")
            .collectAsList()) {
      rerunCommits.add(r.getJavaMap(0));
    }
    filesAfterRerun = table.detail().select("numFiles").first().getLong(0);
    afterRerun = state(city);
    secondNight = night(city, D2, List.of("x1", "x4"), List.of("x3", "y"));
    afterD2 = state(city);
    night(city, D3, List.of("x1", "x2", "x4"), List.of("x3", "y"));
    afterD3 = state(city);
  }

  @Test
  void firstNightOpensEveryIdleBuilding() {
    assertThat(afterD1)
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.of(
                    "B:x1", "open 2026-01-31 2026-01-31 2026-01-31 null 0 0 null",
                    "B:x2", "open 2026-01-31 2026-01-31 2026-01-31 null 0 0 null",
                    "B:x3", "open 2026-01-31 2026-01-31 2026-01-31 null 0 0 null")));
  }

  @Test
  void sameDateRerunWithUnchangedInputRewritesNothing() {
    for (Map<String, String> m : rerunCommits) {
      assertThat(m)
          .containsEntry("numTargetRowsUpdated", "0")
          .containsEntry("numTargetRowsInserted", "0")
          .containsEntry("numTargetFilesAdded", "0");
    }
    assertThat(filesAfterRerun).isEqualTo(filesBeforeRerun);
    assertThat(rerun.metrics())
        .containsEntry("numTargetRowsUpdated", 0L)
        .containsEntry("numTargetRowsInserted", 0L)
        .containsEntry("numTargetFilesAdded", 0L);
    assertThat(afterRerun).isEqualTo(afterD1);
  }

  @Test
  void secondNightKeepsFirstSeenAndClosesVanishedAndReusedAssets() {
    assertThat(afterD2)
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.of(
                    "B:x1", "open 2026-01-31 2026-02-28 2026-01-31 null 1 0 null",
                    "B:x2", "gone 2026-01-31 2026-01-31 2026-01-31 2026-02-28 0 0 null",
                    "B:x3", "reused 2026-01-31 2026-01-31 2026-01-31 2026-02-28 0 0 null",
                    "B:x4", "open 2026-02-28 2026-02-28 2026-02-28 null 0 0 null")));
    // x1 refreshed, x2 gone, x3 reused; x4 inserted.
    assertThat(secondNight.metrics())
        .containsEntry("numTargetRowsUpdated", 3L)
        .containsEntry("numTargetRowsInserted", 1L);
  }

  @Test
  void aClosedAssetIdleAgainIsReopenedVisibly() {
    assertThat(afterD3)
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.of(
                    "B:x1", "open 2026-01-31 2026-03-31 2026-01-31 null 2 0 null",
                    "B:x2",
                        "open 2026-01-31 2026-03-31 2026-03-31 null 0 1 reopened 2026-03-31 after gone on 2026-02-28",
                    "B:x3", "reused 2026-01-31 2026-01-31 2026-01-31 2026-02-28 0 0 null",
                    "B:x4", "open 2026-02-28 2026-03-31 2026-02-28 null 1 0 null")));
  }

  @Test
  void otherCitiesRowsAreNeverTouched() {
    CityConfig other =
        new CityConfig(
            "990199",
            city.name(),
            city.metricCrs(),
            city.bounds(),
            city.datasets(),
            city.catalogs(),
            city.limits(),
            city.sample(),
            city.configDir());
    assertThat(state(other))
        .containsExactlyEntriesOf(
            Map.of("B:x1", "open 2026-01-31 2026-01-31 2026-01-31 null 0 0 null"));
    assertThat(files(other)).isEqualTo(otherFilesBefore);
  }

  /** One nightly run of the assets stage over these buildings. */
  private static StageResult night(
      CityConfig c, LocalDate day, List<String> vacant, List<String> inUse) {
    RunContext ctx = new RunContext("history-test", c, day, warehouse);
    SilverRows.write(spark, ctx, "admin_areas", List.of(community("C1", 0, 1000)));
    List<Map<String, Object>> rows = new ArrayList<>();
    double x = 10;
    for (String id : vacant) {
      rows.add(building(id, "residential", x += 20, 50, Map.of("annual_kwh", 0.0)));
    }
    for (String id : inUse) {
      rows.add(building(id, "residential", x += 20, 50, Map.of("annual_kwh", 5000.0)));
    }
    SilverRows.write(spark, ctx, "buildings", rows);
    return new AssetsStage().run(spark, ctx, DeltaStageTables.of(spark, ctx));
  }

  private static Dataset<Row> history(RunContext read) {
    return AssetHistory.read(DeltaStageTables.of(spark, read));
  }

  /** The data files holding a city's rows: a MERGE that rewrote them would change the names. */
  private static List<String> files(CityConfig c) {
    return history(new RunContext("read", c, D1, warehouse))
        .select(input_file_name().as("f"))
        .distinct()
        .orderBy("f")
        .as(Encoders.STRING())
        .collectAsList();
  }

  private static Map<String, String> state(CityConfig c) {
    Map<String, String> out = new TreeMap<>();
    for (Row r :
        history(new RunContext("read", c, D1, warehouse))
            .select(
                "asset_id",
                "status",
                "first_seen",
                "last_seen",
                "open_since",
                "closed_on",
                "months_idle",
                "reopened_count",
                "history_note")
            .collectAsList()) {
      StringBuilder b = new StringBuilder();
      for (int i = 1; i < r.size(); i++) {
        b.append(i > 1 ? " " : "").append(r.isNullAt(i) ? "null" : r.get(i).toString());
      }
      out.put(r.getString(0), b.toString());
    }
    return out;
  }
}
