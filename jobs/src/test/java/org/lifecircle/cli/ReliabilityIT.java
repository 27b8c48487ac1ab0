package org.lifecircle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.lifecircle.TestSpark;

/**
 * Unattended-run failures on small generated cities, through the real command line: a pipeline
 * process killed (SIGKILL) at several points of its Delta writes, reruns of a date, and two cities
 * written into one warehouse at the same time by two processes, whose logs must not carry the
 * credentials they were given.
 *
 * <p>The truth every run is compared with is an uninterrupted run of the same inputs for another
 * date (every table ingest writes is independent of the date but for its partition column), hashed
 * row by row.
 */
@Tag("reliability")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReliabilityIT {
  private static final String REFERENCE_DATE = "2026-05-31";
  private static final String DATE = "2026-06-30";
  private static final String UNTIL = "ingest";
  private static SparkSession spark;
  private static Path root;
  private static Path city;
  private static Path warehouse;
  private static Map<String, TableState> reference;

  /**
   * One table's rows for a city and date: count and an order-free hash of every column but the
   * date.
   */
  record TableState(long rows, long hash) {}

  @BeforeAll
  static void generateTheCityAndRunTheReferenceDate() throws IOException {
    spark = TestSpark.session();
    root = TestSpark.tempDir("reliability");
    city = tinyCity(root.resolve("a"), "990201", 7);
    warehouse = root.resolve("warehouse");
    assertThat(LifeCircle.execute("generate", "--city", city.toString())).isZero();
    assertThat(
            LifeCircle.execute(
                "nightly",
                "--city",
                city.toString(),
                "--date",
                REFERENCE_DATE,
                "--warehouse",
                warehouse.toString(),
                "--until",
                UNTIL,
                "--run-id",
                "reference"))
        .isZero();
    reference = states("990201", REFERENCE_DATE);
    assertThat(reference).containsKeys("buildings", "walk_network", "population");
  }

  /** The demo city's config at a small scale, under another code and seed. */
  static Path tinyCity(Path dir, String code, long seed) throws IOException {
    Files.createDirectories(dir);
    String demo = Files.readString(Path.of("../cities/demo/city.yaml"), StandardCharsets.UTF_8);
    String config =
        demo.replace("code: \"990101\"", "code: \"" + code + "\"")
            .replace(
                "sample: {seed: 20251, scale: 0.002}",
                "sample: {seed: " + seed + ", scale: 0.0003}");
    assertThat(config).contains(code, "scale: 0.0003");
    Path file = dir.resolve("city.yaml");
    Files.writeString(file, config, StandardCharsets.UTF_8);
    return file;
  }

  static List<String> tables(Path wh) throws IOException {
    try (Stream<Path> s = Files.list(wh)) {
      return s.filter(p -> Files.isDirectory(p.resolve("_delta_log")))
          .map(p -> p.getFileName().toString())
          .filter(t -> !t.equals("run_log")) // a log: every run adds its own rows
          .sorted()
          .toList();
    }
  }

  static Dataset<Row> partition(Path wh, String table, String code, String date) {
    return spark
        .read()
        .format("delta")
        .load(wh.resolve(table).toString())
        .where("city_code = '" + code + "' AND snapshot_date = DATE'" + date + "'");
  }

  static Map<String, TableState> states(String code, String date) throws IOException {
    return states(warehouse, code, date);
  }

  static Map<String, TableState> states(Path wh, String code, String date) throws IOException {
    // One query for every table (a UNION ALL of per-table aggregates): a query per table made
    // this check the slowest part of the test.
    List<String> parts = new ArrayList<>();
    for (String t : tables(wh)) {
      Dataset<Row> p = partition(wh, t, code, date).drop("snapshot_date");
      String cols = String.join(", ", Stream.of(p.columns()).map(c -> "`" + c + "`").toList());
      parts.add(
          "SELECT '"
              + t
              + "' AS t, count(*) AS n, coalesce(sum(xxhash64("
              + cols
              + ")), 0) AS h FROM delta.`"
              + wh.resolve(t)
              + "` WHERE city_code = '"
              + code
              + "' AND snapshot_date = DATE'"
              + date
              + "'");
    }
    Map<String, TableState> out = new TreeMap<>();
    for (Row r : spark.sql(String.join(" UNION ALL ", parts)).collectAsList()) {
      out.put(r.getString(0), new TableState(r.getLong(1), r.getLong(2)));
    }
    return out;
  }

  static Map<String, List<String>> files(String code, String date) throws IOException {
    Map<String, List<String>> out = new TreeMap<>();
    for (String t : tables(warehouse)) {
      out.put(t, List.of(partition(warehouse, t, code, date).inputFiles()));
    }
    return out;
  }

  @Test
  @Order(1)
  void aKilledRunLeavesEveryTableWholeAndARerunMatchesAnUninterruptedOne() throws Exception {
    Map<String, List<String>> referenceFiles = files("990201", REFERENCE_DATE);
    String dateDir = "snapshot_date=" + DATE;
    Path buildings = warehouse.resolve("buildings/city_code=990201").resolve(dateDir);
    Path population = warehouse.resolve("population/city_code=990201").resolve(dateDir);
    // Each point is armed just before its process starts, against what is on disk then.
    List<Supplier<BooleanSupplier>> killPoints =
        List.of(
            // a new data file of the first large silver table is on disk, its commit not yet
            () -> newDataFile(buildings),
            // ingest has committed its last silver table (walk_network); the quarantine may not be
            () -> newCommit(warehouse.resolve("walk_network")),
            // a later table (the population grid) is being written, earlier ones are committed
            () -> newDataFile(population));
    int k = 0;
    for (var point : killPoints) {
      k++;
      BooleanSupplier armed = point.get();
      ChildRun child =
          ChildRun.start(
              root.resolve("crash-" + k + ".log"),
              Map.of(),
              List.of(),
              "nightly",
              "--city",
              city.toString(),
              "--date",
              DATE,
              "--warehouse",
              warehouse.toString(),
              "--until",
              UNTIL,
              "--run-id",
              "crash-" + k);
      assertThat(child.killWhen(armed, 240))
          .as("kill point %d reached (log %s)", k, child.log)
          .isTrue();
      assertThat(child.tail())
          .as("killed inside the ingest, not before it")
          .contains("stage ingest ...")
          .doesNotContain("stage ingest done");
      Map<String, TableState> now = states("990201", DATE);
      for (Map.Entry<String, TableState> e : now.entrySet()) {
        TableState s = e.getValue();
        // Each table is at its previous version (no rows for the date) or its new one (all rows).
        assertThat(s.rows() == 0 || s.equals(reference.get(e.getKey())))
            .as("after kill %d, %s is whole: %s vs %s", k, e.getKey(), s, reference.get(e.getKey()))
            .isTrue();
      }
    }
    // The first rerun recovers from the last kill; the second shows a rerun over a whole snapshot
    // changes nothing.
    for (int rerun = 1; rerun <= 2; rerun++) {
      assertThat(
              LifeCircle.execute(
                  "nightly",
                  "--city",
                  city.toString(),
                  "--date",
                  DATE,
                  "--warehouse",
                  warehouse.toString(),
                  "--until",
                  UNTIL,
                  "--run-id",
                  "rerun-" + rerun))
          .isZero();
      assertThat(states("990201", DATE)).as("rerun %d", rerun).isEqualTo(reference);
    }
    assertThat(files("990201", REFERENCE_DATE))
        .as("the other date untouched")
        .isEqualTo(referenceFiles);
    assertThat(
            partition(warehouse, "buildings", "990201", DATE)
                .groupBy("building_id")
                .count()
                .where("count > 1")
                .count())
        .isZero();
  }

  @Test
  @Order(2)
  void twoCitiesAtOnceInOneWarehouseEachGetExactlyTheirRowsAndNoSecretIsLogged() throws Exception {
    Path shared = root.resolve("shared-warehouse");
    Path cityB = tinyCity(root.resolve("b"), "990202", 11);
    Path cityC = tinyCity(root.resolve("c"), "990203", 13);
    assertThat(LifeCircle.execute("generate", "--city", cityB.toString())).isZero();
    assertThat(LifeCircle.execute("generate", "--city", cityC.toString())).isZero();
    // Credentials as a deployment passes them: Spark conf (as --conf would) and the environment.
    String storageSecret = "s3a-" + UUID.randomUUID();
    String metastoreSecret = "jdo-" + UUID.randomUUID();
    String envSecret = "env-" + UUID.randomUUID();
    List<String> conf =
        List.of(
            "-Dspark.hadoop.fs.s3a.secret.key=" + storageSecret,
            "-Dspark.hadoop.javax.jdo.option.ConnectionPassword=" + metastoreSecret);
    Map<String, String> env = Map.of("AWS_SECRET_ACCESS_KEY", envSecret);
    List<ChildRun> runs = new ArrayList<>();
    Map<String, Path> cities = new TreeMap<>(Map.of("990202", cityB, "990203", cityC));
    for (Map.Entry<String, Path> e : cities.entrySet()) {
      String code = e.getKey();
      Path c = e.getValue();
      runs.add(
          ChildRun.start(
              root.resolve("concurrent-" + code + ".log"),
              env,
              conf,
              "nightly",
              "--city",
              c.toString(),
              "--date",
              DATE,
              "--warehouse",
              shared.toString(),
              "--until",
              UNTIL,
              "--run-id",
              "concurrent-" + code));
    }
    for (ChildRun r : runs) {
      assertThat(r.await(420)).as("exit code, log %s:%n%s", r.log, r.tail()).isZero();
    }
    for (Map.Entry<String, Path> e : cities.entrySet()) {
      String code = e.getKey();
      Dataset<Row> source =
          spark
              .read()
              .format("geoparquet")
              .load(e.getValue().resolveSibling("data/buildings.parquet").toString());
      TreeSet<String> expected =
          new TreeSet<>(source.select("building_id").as(Encoders.STRING()).collectAsList());
      TreeSet<String> written =
          new TreeSet<>(
              partition(shared, "buildings", code, DATE)
                  .select("building_id")
                  .as(Encoders.STRING())
                  .collectAsList());
      assertThat(written).as(code).isEqualTo(expected);
      assertThat(
              spark
                  .read()
                  .format("delta")
                  .load(shared.resolve("run_log").toString())
                  .where("city_code = '" + code + "'")
                  .select("run_id")
                  .distinct()
                  .as(Encoders.STRING())
                  .collectAsList())
          .containsExactly("concurrent-" + code);
    }
    assertThat(
            new TreeSet<>(
                spark
                    .read()
                    .format("delta")
                    .load(shared.resolve("buildings").toString())
                    .select("city_code")
                    .distinct()
                    .as(Encoders.STRING())
                    .collectAsList()))
        .containsExactly("990202", "990203");

    List<Path> scanned = new ArrayList<>();
    for (ChildRun r : runs) {
      scanned.add(r.log);
    }
    try (Stream<Path> s = Files.walk(shared)) {
      s.filter(Files::isRegularFile).forEach(scanned::add);
    }
    for (Path f : scanned) {
      String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      for (String secret : List.of(storageSecret, metastoreSecret, envSecret)) {
        assertThat(text).as("%s must not contain a credential", f).doesNotContain(secret);
      }
    }
  }

  @Test
  @Order(3)
  void maintenanceCompactsAndVacuumsWithoutChangingARowAndRefusesAnUnsafeRetention()
      throws Exception {
    // Ingest writes a small source's rows from its one partition: one file per date, nothing to
    // compact. The same rows written again in three files give OPTIMIZE its work.
    String buildings = warehouse.resolve("buildings").toString();
    String snapshot = "city_code = '990201' AND snapshot_date = DATE'" + DATE + "'";
    spark
        .read()
        .format("delta")
        .load(buildings)
        .where(snapshot)
        .repartition(3)
        .write()
        .format("delta")
        .mode("overwrite")
        .option("replaceWhere", snapshot)
        .save(buildings);
    Map<String, TableState> before = states("990201", DATE);
    Map<String, TableState> referenceBefore = states("990201", REFERENCE_DATE);
    long filesBefore = partitionFiles("buildings");
    assertThat(filesBefore).as("files to compact").isGreaterThan(2);
    assertThat(
            LifeCircle.execute(
                "maintain",
                "--city",
                city.toString(),
                "--warehouse",
                warehouse.toString(),
                "--retain-hours",
                "1"))
        .isEqualTo(1);
    assertThat(
            LifeCircle.execute(
                "maintain",
                "--city",
                city.toString(),
                "--warehouse",
                warehouse.toString(),
                "--table",
                "nope"))
        .isEqualTo(1);
    // One table keeps the test short (every table costs an OPTIMIZE and a VACUUM); the path is
    // the same for all.
    assertThat(
            LifeCircle.execute(
                "maintain",
                "--city",
                city.toString(),
                "--warehouse",
                warehouse.toString(),
                "--table",
                "buildings"))
        .isZero();
    assertThat(states("990201", DATE)).isEqualTo(before);
    assertThat(states("990201", REFERENCE_DATE)).isEqualTo(referenceBefore);
    List<String> operations =
        spark
            .sql("DESCRIBE HISTORY delta.`" + warehouse.resolve("buildings") + "`")
            .select("operation")
            .as(Encoders.STRING())
            .collectAsList();
    assertThat(operations).contains("OPTIMIZE");
    // Two dates, each rewritten by several runs: one file per date after compaction.
    assertThat(partitionFiles("buildings")).isLessThanOrEqualTo(filesBefore).isEqualTo(2);
  }

  /** Data files the current version of a table reads for the city (both dates). */
  static long partitionFiles(String table) {
    return spark
        .read()
        .format("delta")
        .load(warehouse.resolve(table).toString())
        .where("city_code = '990201'")
        .inputFiles()
        .length;
  }

  /** True once a Parquet file that is not in the folder now appears in it. */
  static BooleanSupplier newDataFile(Path dir) {
    Set<String> before = dataFiles(dir);
    return () -> !before.containsAll(dataFiles(dir));
  }

  /** True once the table has a commit more than it has now. */
  static BooleanSupplier newCommit(Path table) {
    long before = commits(table);
    return () -> commits(table) > before;
  }

  static Set<String> dataFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Set.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".parquet"))
          .collect(Collectors.toSet());
    } catch (IOException e) {
      return Set.of(); // the writer is still creating it
    }
  }

  static long commits(Path table) {
    Path log = table.resolve("_delta_log");
    if (!Files.isDirectory(log)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(log)) {
      return s.filter(p -> p.getFileName().toString().matches("\\d{20}\\.json")).count();
    } catch (IOException e) {
      return 0;
    }
  }

  /** The command line in a separate JVM, as a scheduler would start it. */
  static final class ChildRun {
    final Process process;
    final Path log;

    private ChildRun(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    static ChildRun start(Path log, Map<String, String> env, List<String> jvmArgs, String... args)
        throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx2g");
      // The module flags Spark needs on Java 17 and the test tier's Spark settings, exactly as this
      // test JVM got them.
      for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (a.startsWith("--add-")
            || a.startsWith("-XX:")
            || a.startsWith("-Xmn")
            || a.startsWith("-Dspark.")) {
          cmd.add(a);
        }
      }
      cmd.addAll(jvmArgs);
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(LifeCircle.class.getName());
      cmd.addAll(List.of(args));
      ProcessBuilder pb =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().putAll(env);
      pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
      return new ChildRun(pb.start(), log);
    }

    /** Polls until the condition holds, then SIGKILLs the process; false if it ended first. */
    boolean killWhen(BooleanSupplier condition, int timeoutSeconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      while (System.nanoTime() < deadline && process.isAlive()) {
        if (condition.getAsBoolean()) {
          process.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no cleanup
          process.waitFor();
          return true;
        }
        // Polling, not awaiting: the condition is files another process writes into nested
        // folders it creates as it goes, which a WatchService (one folder each) would miss.
        Thread.sleep(20);
      }
      process.destroyForcibly().waitFor();
      return false;
    }

    int await(int timeoutSeconds) throws InterruptedException {
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        return -1;
      }
      return process.exitValue();
    }

    String tail() throws IOException {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
  }
}
