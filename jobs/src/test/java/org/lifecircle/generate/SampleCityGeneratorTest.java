package org.lifecircle.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.TestSpark;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.Contract;
import org.lifecircle.common.DatasetSource;
import org.lifecircle.common.PipelineException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SampleCityGeneratorTest {
  private static final double SCALE = 0.002;

  private SparkSession spark;
  private CityConfig template;
  private CityConfig demo;
  private Map<String, Long> counts;

  @BeforeAll
  void generateDemo() {
    spark = TestSpark.session();
    template = CityConfig.load(Path.of("../cities/demo/city.yaml"));
    demo = template.withConfigDir(TestSpark.tempDir("sample-city-a"));
    counts = SampleCityGenerator.generate(spark, demo, seed(), SCALE);
  }

  @Test
  void sameSeedGivesIdenticalRowsAndAnotherSeedDoesNot() {
    CityConfig again = template.withConfigDir(TestSpark.tempDir("sample-city-b"));
    assertThat(SampleCityGenerator.generate(spark, again, seed(), SCALE)).isEqualTo(counts);
    CityConfig other = template.withConfigDir(TestSpark.tempDir("sample-city-c"));
    SampleCityGenerator.generate(spark, other, seed() + 1, SCALE);

    for (String dataset : List.of("buildings", "facilities")) {
      List<String> first = rowHashes(demo, dataset);
      assertThat(rowHashes(again, dataset)).as(dataset).isEqualTo(first);
      assertThat(rowHashes(other, dataset)).as(dataset).isNotEqualTo(first);
    }
  }

  @Test
  void countsGrowRoughlyLinearlyWithScale() {
    CityConfig twice = template.withConfigDir(TestSpark.tempDir("sample-city-x2"));
    Map<String, Long> bigger = SampleCityGenerator.generate(spark, twice, seed(), 2 * SCALE);
    for (String dataset : counts.keySet()) {
      double ratio = (double) bigger.get(dataset) / counts.get(dataset);
      assertThat(ratio).as(dataset + " " + counts.get(dataset) + " -> " + bigger.get(dataset))
          .isBetween(1.5, 2.6);
    }
  }

  @Test
  void everyConfiguredDatasetIsWrittenWithTheReturnedCountAndUniqueKeys() {
    assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(demo.datasets().keySet());
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      Dataset<Row> rows = readBack(demo, e.getKey());
      String key = demo.dataset(e.getKey()).sourceColumn(Contract.of(e.getKey()).key().get(0));
      assertThat(rows.count()).as(e.getKey()).isEqualTo(e.getValue()).isPositive();
      assertThat(rows.select(countDistinct(col("`" + key + "`"))).first().getLong(0))
          .as("distinct " + key).isEqualTo(e.getValue());
    }
    assertThat(counts.get("buildings")).isBetween(2_000L, 5_000L);
  }

  @Test
  void everyValueKeepsItsContract() {
    for (String dataset : counts.keySet()) {
      DatasetSource src = demo.dataset(dataset);
      Dataset<Row> rows = readBack(demo, dataset).cache();
      for (Contract.Field f : Contract.of(dataset).fields()) {
        String column = "`" + src.sourceColumn(f.name()) + "`";
        if (!f.isInput() || f.isGeometry() || !List.of(rows.columns()).contains(src.sourceColumn(f.name()))) {
          assertThat(f.nullable() || !f.isInput() || f.isGeometry()).as(dataset + "." + f.name()).isTrue();
          continue;
        }
        if (!f.nullable()) {
          assertThat(rows.filter(col(column).isNull()).count()).as(dataset + "." + f.name() + " null").isZero();
        }
        if (f.allowed() != null) {
          assertThat(rows.filter(col(column).isNotNull().and(not(col(column).isin(f.allowed().toArray()))))
              .count()).as(dataset + "." + f.name() + " allowed").isZero();
        }
        if (f.min() != null || f.max() != null) {
          Column v = col(column).cast("double");
          Column bad = v.isNull().and(col(column).isNotNull())
              .or(f.min() == null ? lit(false) : v.lt(f.min()))
              .or(f.max() == null ? lit(false) : v.gt(f.max()));
          assertThat(rows.filter(bad).count()).as(dataset + "." + f.name() + " range").isZero();
        }
        if (f.mustNotBeFuture()) {
          // The generator does not know the snapshot date: nothing may lie after 2025.
          Column late = "date".equals(f.type()) ? col(column).cast("date").gt(lit("2025-12-31").cast("date"))
              : col(column).cast("int").gt(2025);
          assertThat(rows.filter(late).count()).as(dataset + "." + f.name() + " future").isZero();
        }
      }
      rows.unpersist();
    }
  }

  @Test
  void populationFileHoldsExactlyTheResidentsOfResidentialBuildings() {
    Dataset<Row> perBuilding = SampleCityGenerator.buildingPopulation(spark, demo, seed(), SCALE);
    long expected = total(perBuilding, bands(null));
    DatasetSource src = demo.dataset("population");
    long written = total(readBack(demo, "population"), bands(src));
    assertThat(written).isEqualTo(expected).isGreaterThan(100_000L);

    Dataset<Row> buildings = readBack(demo, "buildings");
    long residential = buildings.filter(col("use").equalTo("residential")).count();
    assertThat(perBuilding.count()).isEqualTo(residential);
    assertThat(perBuilding.join(buildings, col("unit_id").equalTo(col("building_id")))
        .filter(col("use").equalTo("residential")).count()).isEqualTo(residential);
  }

  @Test
  void cityThatDoesNotFitItsBoundsIsRefused() {
    assertThatThrownBy(() -> SampleCityGenerator.generate(spark, demo, seed(), 1.0))
        .isInstanceOf(PipelineException.class)
        .hasMessageStartingWith("Cannot generate sample city: the city does not fit in its bounds");
  }

  // ------------------------------------------------------------------ helpers

  private long seed() {
    return template.sample().seed();
  }

  /** Sorted hashes of every row, read as plain Parquet / CSV so geometry bytes count too. */
  private List<String> rowHashes(CityConfig city, String dataset) {
    DatasetSource src = city.dataset(dataset);
    String path = city.resolve(src.path()).toString();
    Dataset<Row> df = "csv".equals(src.format())
        ? spark.read().option("header", "true").option("encoding", src.encoding()).csv(path)
        : spark.read().parquet(path);
    return df.select(sha2(to_json(struct(col("*"))), 256).as("h")).orderBy("h")
        .collectAsList().stream().map(r -> r.getString(0)).toList();
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
    return List.of("pop_0_2", "pop_3_5", "pop_6_11", "pop_12_14", "pop_15_59", "pop_60_64", "pop_65_79",
        "pop_80_plus").stream().map(b -> src == null ? b : src.sourceColumn(b)).toList();
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
