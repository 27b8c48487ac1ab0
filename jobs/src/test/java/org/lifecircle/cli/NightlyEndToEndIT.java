package org.lifecircle.cli;

import static org.apache.spark.sql.functions.expr;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.io.output.TeeOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.lifecircle.TestSpark;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;
import org.lifecircle.io.DeltaStageTables;
import org.lifecircle.report.Summary;

/**
 * The demo city through the real command line, in-process: generated inputs, every stage, Delta
 * tables that match their contracts, a second snapshot from drifted inputs (closed facilities,
 * reused buildings) that leaves the first untouched, a dirtied copy that quarantines exactly the
 * dirty rows, and a failing stage that exits non-zero with a failed run_log row. Reruns of one date
 * are covered by {@link ReliabilityIT}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NightlyEndToEndIT {
  private static SparkSession spark;
  private static Path dir;
  private static Path warehouse;
  private static Path config;
  private static int exit;
  private static String console;
  private static int dirtyFileRows;

  @BeforeAll
  static void runNightlyOnTheDemoCity() throws IOException {
    spark = TestSpark.session();
    // Kept after the run: the notebook tests (bin/py-tests, later in `mvn verify`) read this
    // warehouse once READY is written, instead of running the pipeline twice more.
    dir = Path.of("target/e2e-demo").toAbsolutePath();
    if (Files.exists(dir)) {
      deleteTree(dir);
    }
    Files.createDirectories(dir);
    config = dir.resolve("city.yaml");
    Files.copy(Path.of("../cities/demo/city.yaml"), config);
    warehouse = dir.resolve("warehouse");
    PrintStream stdout = System.out;
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    System.setOut(new PrintStream(new TeeOutputStream(stdout, seen), true, StandardCharsets.UTF_8));
    try {
      exit =
          LifeCircle.execute(
              "nightly",
              "--city",
              config.toString(),
              "--date",
              "2026-06-30",
              "--warehouse",
              warehouse.toString(),
              "--run-id",
              "e2e-1");
    } finally {
      System.setOut(stdout);
    }
    console = seen.toString(StandardCharsets.UTF_8);
  }

  @Test
  @Order(1)
  void theConsoleSummaryFitsSixtyLinesWithTheTopGapsAndTheReport() {
    String summary = console.substring(console.indexOf("== lifecircle: city 990101"));
    assertThat(summary.lines().count()).isBetween(20L, 60L);
    assertThat(summary)
        .contains(
            "top 10 gaps by severity",
            "complete communities:",
            "report: " + warehouse.resolve("_reports/990101/2026-06-30.html"));
    // One count per table: building_access as the network stage left it, not access + network.
    long accessRows = table("building_access").where("snapshot_date = DATE'2026-06-30'").count();
    assertThat(summary).contains(String.format(Locale.ROOT, "building_access %,d", accessRows));
  }

  @Test
  @Order(1)
  void theSummaryTheReportMadeEqualsTheOneReadFromTheTables() {
    RunContext ctx =
        new RunContext(
            "e2e-summary", CityConfig.load(config), LocalDate.of(2026, 6, 30), warehouse);
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    Summary.print(
        spark,
        ctx,
        DeltaStageTables.of(spark, ctx),
        new PrintStream(read, true, StandardCharsets.UTF_8),
        List.of("coverage"),
        Path.of("run.log"),
        Optional.empty());
    String figures =
        read.toString(StandardCharsets.UTF_8)
            .lines()
            .takeWhile(l -> !l.startsWith("log: "))
            .collect(Collectors.joining("\n"));
    assertThat(figures).contains("top 10 gaps by severity").hasLineCount(14);
    assertThat(console.lines().collect(Collectors.joining("\n"))).contains(figures);
  }

  private static Dataset<Row> table(String name) {
    return spark.read().format("delta").load(warehouse.resolve(name).toString());
  }

  @Test
  @Order(1)
  void everyStageSucceedsAndTheDemoQuarantinesNothing() {
    assertThat(exit).isZero();
    RunLogChecks.everyStageSucceededAndEverySourceReconciles(table("run_log"), "e2e-1");
    assertThat(table("quarantine").where("snapshot_date = DATE'2026-06-30'").count()).isZero();
  }

  @Test
  @Order(2)
  void everyTableWrittenMatchesItsContractExactly() throws IOException {
    List<String> tables = new ArrayList<>();
    try (Stream<Path> s = Files.list(warehouse)) {
      s.filter(p -> Files.isDirectory(p.resolve("_delta_log")))
          .forEach(p -> tables.add(p.getFileName().toString()));
    }
    assertThat(tables)
        .contains(
            "buildings",
            "building_population",
            "building_access",
            "community_coverage",
            "coverage_gaps",
            "quarantine",
            "run_log");
    for (String t : tables) {
      StructType actual = table(t).schema();
      StructType expected = Contract.of(t).schema();
      assertThat(actual.fieldNames()).as(t).containsExactly(expected.fieldNames());
      for (StructField f : expected.fields()) {
        StructField a = actual.apply(f.name());
        assertThat(a.dataType()).as(t + "." + f.name()).isEqualTo(f.dataType());
        assertThat(a.nullable()).as(t + "." + f.name() + " nullable").isEqualTo(f.nullable());
        assertThat(a.getComment().get()).as(t + "." + f.name()).isEqualTo(f.getComment().get());
      }
      assertThat(spark.sql("DESCRIBE HISTORY delta.`" + warehouse.resolve(t) + "`").count())
          .isPositive();
    }
  }

  @Test
  @Order(3)
  void aSecondSnapshotFromDriftedInputsClosesReusedAssetsAndLeavesTheFirstUntouched()
      throws IOException {
    Map<String, Long> first = counts("2026-06-30");
    List<String> firstFiles =
        List.of(table("coverage_gaps").where("snapshot_date = DATE'2026-06-30'").inputFiles());
    // A month later: one facility in ten has closed, half the vacant buildings are in use again.
    Path csv = onlyFile(dir.resolve("data/facilities_amap.csv"), ".csv");
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    List<String> kept = new ArrayList<>(List.of(lines.get(0)));
    for (int i = 1; i < lines.size(); i++) {
      if (i % 10 != 0) {
        kept.add(lines.get(i));
      }
    }
    Files.write(csv, kept, StandardCharsets.UTF_8);
    Files.deleteIfExists(csv.resolveSibling("." + csv.getFileName() + ".crc"));
    List<String> reused = reuseHalfTheVacantBuildings(dir.resolve("data/buildings.parquet"));
    assertThat(reused).isNotEmpty();

    // Closing one facility in ten drops primary_school's city coverage by about 11 points, over
    // the gate's default 10 (checked below); the drift is deliberate here, so nightly's gate is
    // given room to let the later stages write the second snapshot.
    assertThat(
            LifeCircle.execute(
                "nightly",
                "--city",
                config.toString(),
                "--date",
                "2026-07-31",
                "--warehouse",
                warehouse.toString(),
                "--run-id",
                "e2e-2",
                "--register-metastore",
                "lc_e2e",
                "--max-coverage-drop",
                "0.2"))
        .isZero();
    assertThat(
            LifeCircle.execute(
                "quality-gate",
                "--city",
                config.toString(),
                "--date",
                "2026-07-31",
                "--warehouse",
                warehouse.toString(),
                "--run-id",
                "gate-drop"))
        .isEqualTo(1);
    assertThat(
            table("run_log").where("run_id = 'gate-drop'").select("message").first().getString(0))
        .contains("primary_school coverage dropped");
    assertThat(counts("2026-06-30")).isEqualTo(first);
    assertThat(
            List.of(table("coverage_gaps").where("snapshot_date = DATE'2026-06-30'").inputFiles()))
        .isEqualTo(firstFiles);
    assertThat(counts("2026-07-31").get("facilities"))
        .isEqualTo(first.get("facilities") - (lines.size() - kept.size()));
    assertThat(
            spark.table("lc_e2e.coverage_gaps").where("snapshot_date = DATE'2026-07-31'").count())
        .isEqualTo(table("coverage_gaps").where("snapshot_date = DATE'2026-07-31'").count());
    // Every reused building that was an open VACANT_BUILDING asset is closed as reused on the date.
    List<Row> assets =
        table("idle_assets")
            .where(
                "kind = 'building' AND first_seen = DATE'2026-06-30'"
                    + " AND reason_codes = 'VACANT_BUILDING'")
            .select("source_id", "status", "closed_on")
            .collectAsList();
    List<Row> closed = assets.stream().filter(r -> reused.contains(r.getString(0))).toList();
    assertThat(closed).isNotEmpty();
    assertThat(closed)
        .allSatisfy(
            r -> {
              assertThat(r.getString(1)).isEqualTo("reused");
              assertThat(r.getDate(2).toString()).isEqualTo("2026-07-31");
            });
    assertThat(assets.stream().filter(r -> !reused.contains(r.getString(0))))
        .allSatisfy(r -> assertThat(r.getString(1)).isEqualTo("open"));
    Files.writeString(dir.resolve("READY"), "two snapshots: 2026-06-30, 2026-07-31\n");
  }

  /**
   * Marks every second vacant building (by id order) as occupied again in the GeoParquet source;
   * returns their ids.
   */
  private static List<String> reuseHalfTheVacantBuildings(Path parquet) throws IOException {
    Dataset<Row> src = spark.read().format("geoparquet").load(parquet.toString());
    String vacant = "coalesce(vacant_flag, false) OR coalesce(annual_kwh, 1e9) < 20";
    List<String> ids =
        src.where(vacant)
            .select("building_id")
            .orderBy("building_id")
            .as(Encoders.STRING())
            .collectAsList();
    List<String> reused = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += 2) {
      reused.add(ids.get(i));
    }
    String list = reused.stream().map(id -> "'" + id + "'").collect(Collectors.joining(","));
    String hit = "building_id IN (" + list + ")";
    Dataset<Row> edited =
        src.withColumn("vacant_flag", expr("CASE WHEN " + hit + " THEN false ELSE vacant_flag END"))
            .withColumn(
                "annual_kwh", expr("CASE WHEN " + hit + " THEN 42000.0 ELSE annual_kwh END"))
            .withColumn(
                "occupancy_rate", expr("CASE WHEN " + hit + " THEN 0.9 ELSE occupancy_rate END"));
    Path tmp = parquet.resolveSibling("buildings.edited.parquet");
    edited.write().format("geoparquet").save(tmp.toString());
    deleteTree(parquet);
    Files.move(tmp, parquet);
    spark.catalog().refreshByPath(parquet.toUri().toString());
    return reused;
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  /** The input file itself, or the one part file of a folder Spark wrote (older sample inputs). */
  private static Path onlyFile(Path folder, String suffix) throws IOException {
    if (Files.isRegularFile(folder)) {
      return folder;
    }
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).findFirst().orElseThrow();
    }
  }

  private static Map<String, Long> counts(String date) {
    Map<String, Long> m = new TreeMap<>();
    for (String t :
        List.of(
            "buildings",
            "facilities",
            "building_population",
            "building_access",
            "community_coverage",
            "coverage_gaps")) {
      m.put(t, table(t).where("snapshot_date = DATE'" + date + "'").count());
    }
    return m;
  }

  @Test
  @Order(4)
  void aDirtiedCopyQuarantinesExactlyTheDirtyRows() throws IOException {
    Path csv = onlyFile(dir.resolve("data/facilities_amap.csv"), ".csv");
    List<String> lines = new ArrayList<>(Files.readAllLines(csv, StandardCharsets.UTF_8));
    List<String> header = List.of(lines.get(0).split(","));
    int category = header.indexOf("type_code");
    for (int row : List.of(5, 10, 15)) {
      String[] cells = lines.get(row).split(",", -1);
      cells[category] = "K12";
      lines.set(row, String.join(",", cells));
    }
    Files.write(csv, lines, StandardCharsets.UTF_8);
    dirtyFileRows = lines.size() - 1;
    // A hand edit leaves Hadoop's .crc sidecar stale; a planner's file would not have one at all.
    Files.deleteIfExists(csv.resolveSibling("." + csv.getFileName() + ".crc"));
    assertThat(
            LifeCircle.execute(
                "ingest",
                "--city",
                config.toString(),
                "--date",
                "2026-07-01",
                "--warehouse",
                warehouse.toString(),
                "--run-id",
                "e2e-dirty"))
        .isZero();
    List<Row> q =
        table("quarantine")
            .where("snapshot_date = DATE'2026-07-01'")
            .select("source", "source_row", "reason_code")
            .orderBy("source_row")
            .collectAsList();
    assertThat(q)
        .extracting(r -> r.getString(0) + "#" + r.getLong(1) + " " + r.getString(2))
        .containsExactly(
            "facilities#5 UNKNOWN_CODE",
            "facilities#10 UNKNOWN_CODE",
            "facilities#15 UNKNOWN_CODE");
  }

  @Test
  @Order(5)
  void theQualityGatePassesACleanRunAndStopsOneOverItsQuarantineLimit() {
    assertThat(
            LifeCircle.execute(
                "quality-gate",
                "--city",
                config.toString(),
                "--date",
                "2026-06-30",
                "--warehouse",
                warehouse.toString()))
        .isZero();
    // 3 of the ~760 facilities left after the drift quarantined on 2026-07-01: about 0.4 %,
    // which passes 0.5 % and fails 0.1 %.
    assertThat(
            LifeCircle.execute(
                "quality-gate",
                "--city",
                config.toString(),
                "--date",
                "2026-07-01",
                "--warehouse",
                warehouse.toString(),
                "--max-quarantine-share",
                "0.005"))
        .isZero();
    assertThat(
            LifeCircle.execute(
                "quality-gate",
                "--city",
                config.toString(),
                "--date",
                "2026-07-01",
                "--warehouse",
                warehouse.toString(),
                "--max-quarantine-share",
                "0.001",
                "--run-id",
                "gate-fail"))
        .isEqualTo(1);
    Row failed = table("run_log").where("run_id = 'gate-fail'").select("message").first();
    assertThat(failed.getString(0))
        .isEqualTo(
            "Cannot pass quality gate for city 990101 on"
                + " 2026-07-01: source facilities quarantined "
                + String.format(Locale.ROOT, "%.2f%%", 300.0 / dirtyFileRows)
                + " > 0.10%");
  }

  @Test
  @Order(6)
  void aFailedStageExitsNonZeroAndLogsAFailedRow() {
    int code =
        LifeCircle.execute(
            "access",
            "--city",
            config.toString(),
            "--date",
            "2020-01-01",
            "--warehouse",
            warehouse.toString(),
            "--run-id",
            "e2e-fail");
    assertThat(code).isEqualTo(1);
    Row failed = table("run_log").where("run_id = 'e2e-fail'").select("status", "message").first();
    assertThat(failed.getString(0)).isEqualTo("failed");
    assertThat(failed.getString(1))
        .isEqualTo(
            "Cannot read table building_population: it has no"
                + " rows for city 990101 on 2020-01-01; run the stage that writes it first ("
                + warehouse.toAbsolutePath().normalize().resolve("building_population")
                + ")");
  }

  @Test
  @Order(7)
  void theReportDrawsItsMapAndExportsCarryWgs84() throws IOException {
    Path report = warehouse.resolve("_reports/990101/2026-06-30.html");
    String html = Files.readString(report, StandardCharsets.UTF_8);
    assertThat(html).contains("<svg", "<path", "Coverage by district", "Data quality");
    // Offline: the one script is inline (the map's category switch); nothing is fetched.
    assertThat(html)
        .doesNotContain("http://tile", "https://")
        .doesNotContainPattern("<script[^>]*src=");
    Path out = dir.resolve("exports");
    assertThat(
            LifeCircle.execute(
                "export",
                "--city",
                config.toString(),
                "--date",
                "2026-06-30",
                "--warehouse",
                warehouse.toString(),
                "--table",
                "coverage_gaps",
                "--out",
                out.toString()))
        .isZero();
    Path parquet = out.resolve("coverage_gaps_990101_2026-06-30.parquet");
    Row meta =
        spark
            .read()
            .format("geoparquet.metadata")
            .load(parquet.toString())
            .selectExpr("columns['geometry'].crs")
            .first();
    assertThat(meta.getString(0)).contains("\"CRS84\"");
    Row box =
        spark
            .read()
            .format("geoparquet")
            .load(parquet.toString())
            .selectExpr(
                "min(ST_X(ST_Centroid(geometry)))", "max(ST_Y(ST_Centroid(geometry)))", "count(*)")
            .first();
    assertThat(box.getDouble(0)).isBetween(114.10, 114.60);
    assertThat(box.getDouble(1)).isBetween(30.45, 30.75);
    assertThat(box.getLong(2))
        .isEqualTo(table("coverage_gaps").where("snapshot_date = DATE'2026-06-30'").count());
  }
}
