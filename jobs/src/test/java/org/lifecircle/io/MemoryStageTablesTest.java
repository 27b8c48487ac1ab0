package org.lifecircle.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lifecircle.SilverRows.point;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.SilverRows;
import org.lifecircle.TestSpark;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;

/**
 * The in-memory door behaves as the Delta one where a stage can tell: a snapshot write replaces the
 * previous one, quarantine keeps other stages' rows, the contract decides columns and NOT NULL, and
 * the failures read as the Delta door's do.
 */
class MemoryStageTablesTest {
  private static SparkSession spark;
  private static RunContext ctx;

  @BeforeAll
  static void context() {
    spark = TestSpark.session();
    ctx =
        new RunContext(
            "memory-test",
            CityConfig.load(Path.of("src/test/resources/ingest/city.yaml")),
            LocalDate.of(2026, 6, 30),
            TestSpark.tempDir("memory-tables").resolve("unused-warehouse"));
  }

  private static Map<String, Object> facility(long row, String id, String category) {
    Map<String, Object> m = new HashMap<>();
    m.put("source_row", row);
    m.put("facility_id", id);
    m.put("category", category);
    m.put("geometry", point(row, row));
    return m;
  }

  @Test
  void aSnapshotWriteReplacesThePreviousOneAndCarriesTheRunsKeys() {
    MemoryStageTables t = MemoryStageTables.of(spark, ctx);
    SilverRows.write(
        spark, t, "facilities", List.of(facility(1, "F1", "pharmacy"), facility(2, "F2", "park")));
    SilverRows.write(spark, t, "facilities", List.of(facility(3, "F3", "park")));
    Dataset<Row> rows = t.snapshot("facilities");
    assertThat(rows.columns()).containsExactlyElementsOf(Contract.of("facilities").columnNames());
    assertThat(rows.select("facility_id", "city_code", "snapshot_date").collectAsList())
        .extracting(Object::toString)
        .containsExactly("[F3,990102,2026-06-30]");
    assertThat(t.city("facilities").count()).isEqualTo(1);
  }

  @Test
  void quarantineReplacesOnlyTheWritingStagesRows() {
    MemoryStageTables t = MemoryStageTables.of(spark, ctx);
    StructType s =
        StructType.fromDDL(
            "source STRING, source_row LONG, record_id STRING,"
                + " raw_record STRING, reason_code STRING, message STRING");
    Dataset<Row> two =
        spark.createDataFrame(
            List.of(
                RowFactory.create("buildings", 1L, "b1", "", "BAD", "bad"),
                RowFactory.create("buildings", 2L, "b2", "", "BAD", "bad")),
            s);
    Dataset<Row> one =
        spark.createDataFrame(
            List.of(RowFactory.create("population", 7L, "p7", "", "UNPLACED", "unplaced")), s);
    assertThat(t.replaceQuarantine("ingest", two)).isEqualTo(2);
    assertThat(t.replaceQuarantine("population", one)).isEqualTo(1);
    assertThat(t.replaceQuarantine("population", one)).isEqualTo(1);
    assertThat(t.snapshot("quarantine").groupBy("stage").count().collectAsList())
        .extracting(Object::toString)
        .containsExactlyInAnyOrder("[ingest,2]", "[population,1]");
  }

  @Test
  void aMissingTableAndAnEmptyInputFailAsInTheWarehouse() {
    MemoryStageTables t = MemoryStageTables.of(spark, ctx);
    assertThat(t.exists("facilities")).isFalse();
    assertThatThrownBy(() -> t.snapshot("facilities"))
        .hasMessage(
            "Cannot read table facilities: it does not exist; run the stage that writes it first"
                + " (memory:facilities)");
    SilverRows.write(spark, t, "facilities", List.of());
    assertThat(t.exists("facilities")).isTrue();
    assertThat(t.snapshot("facilities").count()).isZero();
    assertThatThrownBy(() -> t.input("facilities"))
        .hasMessage(
            "Cannot read table facilities: it has no rows for city 990102 on 2026-06-30; run the"
                + " stage that writes it first (memory:facilities)");
  }

  @Test
  void theContractDecidesColumnsAndNotNull() {
    MemoryStageTables t = MemoryStageTables.of(spark, ctx);
    assertThatThrownBy(
            () -> SilverRows.write(spark, t, "facilities", List.of(facility(1, "F1", null))))
        .hasMessage(
            "Cannot write table facilities: column 'category' is null, which its contract does"
                + " not allow (row 0)");
    Dataset<Row> noCategory =
        spark.createDataFrame(
            List.of(RowFactory.create(1L, "F1")),
            StructType.fromDDL("source_row LONG, facility_id STRING"));
    assertThatThrownBy(() -> t.replaceSnapshot("facilities", noCategory))
        .hasMessage("Cannot write table facilities: column 'category' is not produced");
    assertThat(t.exists("facilities")).isFalse();
  }
}
