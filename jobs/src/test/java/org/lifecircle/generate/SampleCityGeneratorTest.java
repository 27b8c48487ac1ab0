package org.lifecircle.generate;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.lifecircle.TestSpark;
import org.lifecircle.catalog.Catalogs;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.Contract;
import org.lifecircle.common.DatasetSource;
import org.lifecircle.common.PipelineException;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SampleCityGeneratorTest {
  private static final double SCALE = 0.002;

  private SparkSession spark;
  private CityConfig template;
  private CityConfig demo;
  private Map<String, Long> counts;
  private CityConfig again;
  private Map<String, Long> againCounts;
  private final Map<String, Dataset<Row>> written = new HashMap<>();

  @BeforeAll
  void generateDemo() {
    spark = TestSpark.session();
    template = CityConfig.load(Path.of("../cities/demo/city.yaml"));
    demo = template.withConfigDir(TestSpark.tempDir("sample-city-a"));
    counts =
        SampleCityGenerator.generate(spark, demo, Catalogs.load(demo).facilities(), seed(), SCALE);
    for (String dataset : counts.keySet()) {
      written.put(dataset, readBack(demo, dataset).cache());
    }
    // Same seed again, with only the required datasets (to keep it short) and the population as
    // a per-building CSV, which a source without a polygon column gets.
    again = perBuildingPopulation(required(TestSpark.tempDir("sample-city-b")));
    againCounts =
        SampleCityGenerator.generate(
            spark, again, Catalogs.load(again).facilities(), seed(), SCALE);
  }

  @AfterAll
  void release() {
    written.values().forEach(Dataset::unpersist);
  }

  @Test
  void sameSeedGivesIdenticalRowsAndAnotherSeedDoesNot() {
    CityConfig other = required(TestSpark.tempDir("sample-city-c"));
    SampleCityGenerator.generate(
        spark, other, Catalogs.load(other).facilities(), seed() + 1, SCALE);

    for (String dataset : List.of("admin_areas", "buildings", "facilities")) {
      assertThat(againCounts.get(dataset)).as(dataset).isEqualTo(counts.get(dataset));
    }
    for (String dataset : List.of("buildings", "facilities")) {
      List<String> first = rowHashes(demo, dataset);
      assertThat(rowHashes(again, dataset)).as(dataset).isEqualTo(first);
      assertThat(rowHashes(other, dataset)).as(dataset).isNotEqualTo(first);
    }
  }

  @Test
  void everyInputIsOnePlainFileAUserCanEdit() throws IOException {
    for (String dataset : counts.keySet()) {
      Path file = demo.resolve(demo.dataset(dataset).path());
      assertThat(file).as(dataset).isRegularFile();
      try (Stream<Path> beside = Files.list(file.getParent())) {
        assertThat(beside.map(p -> p.getFileName().toString()))
            .as("no checksum or temporary folder beside " + file)
            .noneMatch(n -> n.endsWith(".crc") || n.endsWith(".parts") || n.equals("_SUCCESS"));
      }
    }
  }

  @Test
  void aMistypedPathGeneratesThatInputAloneAndNeverOverwritesAnEditedFile() throws IOException {
    CityConfig city = required(TestSpark.tempDir("sample-city-edit"));
    SampleCityGenerator.generate(spark, city, Catalogs.load(city).facilities(), seed(), SCALE);
    Path facilities = city.resolve(city.dataset("facilities").path());
    String edited = Files.readString(facilities).replaceFirst("\n", "\n# edited by a planner\n");
    Files.writeString(facilities, edited);
    byte[] before = Files.readAllBytes(facilities);

    Map<String, DatasetSource> sources = new TreeMap<>(city.datasets());
    DatasetSource p = city.dataset("population");
    sources.put(
        "population",
        new DatasetSource(
            "data/populaton_typo.csv",
            p.format(),
            p.crs(),
            p.encoding(),
            p.wktColumn(),
            p.lonColumn(),
            p.latColumn(),
            p.columns(),
            p.clip()));
    CityConfig typo =
        new CityConfig(
            city.code(),
            city.name(),
            city.metricCrs(),
            city.bounds(),
            sources,
            city.catalogs(),
            city.limits(),
            city.sample(),
            city.configDir());
    Map<String, Long> written =
        SampleCityGenerator.generate(spark, typo, Catalogs.load(typo).facilities(), seed(), SCALE);

    assertThat(written.keySet()).containsExactly("population");
    assertThat(typo.resolve("data/populaton_typo.csv")).isRegularFile();
    assertThat(Files.readAllBytes(facilities)).isEqualTo(before);
  }

  @Test
  void countsGrowRoughlyLinearlyWithScale() {
    CityConfig twice = template.withConfigDir(TestSpark.tempDir("sample-city-x2"));
    Map<String, Long> bigger =
        SampleCityGenerator.generate(
            spark, twice, Catalogs.load(twice).facilities(), seed(), 2 * SCALE);
    for (String dataset : counts.keySet()) {
      double ratio = (double) bigger.get(dataset) / counts.get(dataset);
      assertThat(ratio)
          .as(dataset + " " + counts.get(dataset) + " -> " + bigger.get(dataset))
          .isBetween(1.5, 2.6);
    }
  }

  @Test
  void everyConfiguredDatasetIsWrittenWithTheReturnedCountAndUniqueKeys() {
    assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(demo.datasets().keySet());
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      String key = demo.dataset(e.getKey()).sourceColumn(Contract.of(e.getKey()).key().get(0));
      Row n =
          written.get(e.getKey()).agg(count(lit(1)), countDistinct(col("`" + key + "`"))).first();
      assertThat(n.getLong(0)).as(e.getKey()).isEqualTo(e.getValue()).isPositive();
      assertThat(n.getLong(1)).as("distinct " + key).isEqualTo(e.getValue());
    }
    assertThat(counts.get("buildings")).isBetween(2_000L, 5_000L);
  }

  @Test
  void everyValueKeepsItsContract() {
    for (String dataset : counts.keySet()) {
      DatasetSource src = demo.dataset(dataset);
      Dataset<Row> rows = written.get(dataset);
      List<String> have = List.of(rows.columns());
      List<String> names = new ArrayList<>();
      List<Column> violations = new ArrayList<>();
      for (Contract.Field f : Contract.of(dataset).fields()) {
        if (!f.isInput() || f.isGeometry()) {
          continue;
        }
        if (!have.contains(src.sourceColumn(f.name()))) {
          assertThat(f.nullable()).as(dataset + "." + f.name() + " may be left out").isTrue();
          continue;
        }
        names.add(f.name());
        violations.add(
            sum(when(violation(f, col("`" + src.sourceColumn(f.name()) + "`")), 1).otherwise(0)));
      }
      // One pass per dataset: a count per field of the rows that break its contract.
      Row result =
          rows.agg(
                  violations.get(0),
                  violations.subList(1, violations.size()).toArray(Column[]::new))
              .first();
      for (int i = 0; i < names.size(); i++) {
        assertThat(result.getLong(i)).as(dataset + "." + names.get(i)).isZero();
      }
    }
  }

  /** Null where required, outside the allowed codes or range, or after 2025 where not_future. */
  private static Column violation(Contract.Field f, Column c) {
    Column bad = f.nullable() ? lit(false) : c.isNull();
    if (f.allowed() != null) {
      bad = bad.or(c.isNotNull().and(not(c.isin(f.allowed().toArray()))));
    }
    Column v = c.cast("double");
    if (f.min() != null || f.max() != null) {
      bad = bad.or(v.isNull().and(c.isNotNull()));
    }
    if (f.min() != null) {
      bad = bad.or(v.lt(f.min()));
    }
    if (f.max() != null) {
      bad = bad.or(v.gt(f.max()));
    }
    if (f.mustNotBeFuture()) {
      // The generator does not know the snapshot date: nothing may lie after 2025.
      bad =
          bad.or(
              "date".equals(f.type())
                  ? c.cast("date").gt(lit("2025-12-31").cast("date"))
                  : c.cast("int").gt(2025));
    }
    return coalesce(bad, lit(false));
  }

  @Test
  void populationFileHoldsExactlyTheResidentsOfResidentialBuildings() {
    Dataset<Row> perBuilding = SampleCityGenerator.buildingPopulation(spark, demo, seed(), SCALE);
    long expected = total(perBuilding, bands(null));
    DatasetSource src = demo.dataset("population");
    long inFile = total(written.get("population"), bands(src));
    assertThat(inFile).isEqualTo(expected).isGreaterThan(100_000L);

    Dataset<Row> buildings = written.get("buildings");
    long residential = buildings.filter(col("use").equalTo("residential")).count();
    assertThat(perBuilding.count()).isEqualTo(residential);
    assertThat(
            perBuilding
                .join(buildings, col("unit_id").equalTo(col("building_id")))
                .filter(col("use").equalTo("residential"))
                .count())
        .isEqualTo(residential);
  }

  @Test
  void populationWithoutAPolygonColumnIsWrittenPerBuilding() {
    Dataset<Row> rows = readBack(again, "population");
    assertThat(rows.columns()).contains("building_code", "unit_kind", "lon", "lat");
    assertThat(
            rows.filter(col("unit_kind").notEqual("building").or(col("lon").isNotNull())).count())
        .isZero();
    assertThat(againCounts.get("population"))
        .isEqualTo(written.get("buildings").filter(col("use").equalTo("residential")).count());
    assertThat(total(rows, bands(null)))
        .isEqualTo(total(written.get("population"), bands(demo.dataset("population"))));
  }

  @Test
  void cityThatDoesNotFitItsBoundsIsRefused() {
    assertThatThrownBy(
            () ->
                SampleCityGenerator.generate(
                    spark, demo, Catalogs.load(demo).facilities(), seed(), 1.0))
        .isInstanceOf(PipelineException.class)
        .hasMessageStartingWith("Cannot generate sample city: the city does not fit in its bounds");
  }

  @Test
  void benchmarkKnobsScaleResidentsAndSplitWalkEdges() {
    Map<String, DatasetSource> sources = new TreeMap<>();
    CityConfig.REQUIRED_DATASETS.forEach(d -> sources.put(d, template.dataset(d)));
    sources.put("walk_network", template.dataset("walk_network"));
    CityConfig knobs =
        new CityConfig(
            template.code(),
            template.name(),
            template.metricCrs(),
            template.bounds(),
            sources,
            template.catalogs(),
            template.limits(),
            new CityConfig.Sample(seed(), SCALE, 0.5, 3),
            TestSpark.tempDir("sample-city-knobs"));
    Map<String, Long> n =
        SampleCityGenerator.generate(
            spark, knobs, Catalogs.load(knobs).facilities(), seed(), SCALE);

    // Every edge in three pieces; the grid's nodes keep their ids, the new ones are the pieces'
    // joints.
    assertThat(n.get("walk_network")).isEqualTo(3 * counts.get("walk_network"));
    Dataset<Row> split = readBack(knobs, "walk_network");
    Dataset<Row> whole = written.get("walk_network");
    assertThat(nodes(split).filter(col("n").startsWith("N")).except(nodes(whole)).count()).isZero();
    assertThat(nodes(whole).except(nodes(split)).count()).isZero();
    assertThat(nodes(split).filter(col("n").startsWith("M")).count())
        .isEqualTo(2 * counts.get("walk_network"));

    // Each building's residents are half of the default's, give or take the rounding of each.
    Dataset<Row> half = SampleCityGenerator.buildingPopulation(spark, knobs, seed(), SCALE);
    Dataset<Row> full = SampleCityGenerator.buildingPopulation(spark, demo, seed(), SCALE);
    long buildings = full.count();
    long halfTotal = total(half, bands(null));
    long fullTotal = total(full, bands(null));
    assertThat(Math.abs(2 * halfTotal - fullTotal)).isLessThanOrEqualTo(buildings);
    assertThat(halfTotal).isGreaterThan(fullTotal / 3);
  }

  private static Dataset<Row> nodes(Dataset<Row> walk) {
    return walk.select(col("from_node").as("n"))
        .union(walk.select(col("to_node").as("n")))
        .distinct();
  }

  // ------------------------------------------------------------------ helpers

  private CityConfig required(Path dir) {
    Map<String, DatasetSource> sources = new TreeMap<>();
    CityConfig.REQUIRED_DATASETS.forEach(d -> sources.put(d, template.dataset(d)));
    return new CityConfig(
        template.code(),
        template.name(),
        template.metricCrs(),
        template.bounds(),
        sources,
        template.catalogs(),
        template.limits(),
        template.sample(),
        dir);
  }

  private static CityConfig perBuildingPopulation(CityConfig base) {
    Map<String, DatasetSource> sources = new TreeMap<>(base.datasets());
    sources.put(
        "population",
        new DatasetSource(
            "data/population_by_building.csv",
            "csv",
            "EPSG:4326",
            "UTF-8",
            null,
            "lon",
            "lat",
            Map.of("unit_id", "building_code"),
            null));
    return new CityConfig(
        base.code(),
        base.name(),
        base.metricCrs(),
        base.bounds(),
        sources,
        base.catalogs(),
        base.limits(),
        base.sample(),
        base.configDir());
  }

  private long seed() {
    return template.sample().seed();
  }

  /** Sorted hashes of every row, read as plain Parquet / CSV so geometry bytes count too. */
  private List<String> rowHashes(CityConfig city, String dataset) {
    DatasetSource src = city.dataset(dataset);
    String path = city.resolve(src.path()).toString();
    Dataset<Row> df =
        "csv".equals(src.format())
            ? spark.read().option("header", "true").option("encoding", src.encoding()).csv(path)
            : spark.read().parquet(path);
    return df
        .select(sha2(to_json(struct(col("*"))), 256).as("h"))
        .orderBy("h")
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .toList();
  }

  private Dataset<Row> readBack(CityConfig city, String dataset) {
    DatasetSource src = city.dataset(dataset);
    String path = city.resolve(src.path()).toString();
    return switch (src.format()) {
      case "geoparquet" -> spark.read().parquet(path);
      case "geojson" -> spark.read().json(path).select("properties.*");
      default -> spark.read().option("header", "true").option("encoding", src.encoding()).csv(path);
    };
  }

  private static List<String> bands(DatasetSource src) {
    return List.of(
            "pop_0_2",
            "pop_3_5",
            "pop_6_11",
            "pop_12_14",
            "pop_15_59",
            "pop_60_64",
            "pop_65_79",
            "pop_80_plus")
        .stream()
        .map(b -> src == null ? b : src.sourceColumn(b))
        .toList();
  }

  private static long total(Dataset<Row> df, List<String> columns) {
    Column all = null;
    for (String c : columns) {
      Column v = col("`" + c + "`").cast("long");
      all = all == null ? v : all.plus(v);
    }
    return df.select(sum(all)).first().getLong(0);
  }
}
