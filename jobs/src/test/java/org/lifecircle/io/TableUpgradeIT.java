package org.lifecircle.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;

/**
 * A warehouse written before a contract gained a column (here: coverage_gaps without
 * distance_basis) takes the new snapshot: the column is added, and the old snapshot reads it as
 * null rather than the write failing on a schema mismatch.
 */
class TableUpgradeIT {
  @Test
  void aColumnTheContractGainedIsAddedToAnOldTable() {
    SparkSession spark = TestSpark.session();
    CityConfig city = CityConfig.load(Path.of("src/test/resources/ingest/city.yaml"));
    Path warehouse = TestSpark.tempDir("upgrade").resolve("warehouse");
    RunContext old = new RunContext("old", city, LocalDate.of(2026, 6, 1), warehouse);
    RunContext now = new RunContext("now", city, LocalDate.of(2026, 7, 1), warehouse);
    Contract contract = Contract.of("coverage_gaps");
    String path = old.tablePath(contract.table());

    // The table as an older version created it: every column but distance_basis.
    DeltaTableBuilder b =
        DeltaTable.create(spark).location(path).partitionedBy("city_code", "snapshot_date");
    for (StructField f : contract.schema().fields()) {
      if (!f.name().equals("distance_basis")) {
        b =
            b.addColumn(
                DeltaTable.columnBuilder(spark, f.name())
                    .dataType(f.dataType())
                    .nullable(f.nullable())
                    .build());
      }
    }
    b.execute();
    spark.sql(
        "INSERT INTO delta.`"
            + path
            + "` (city_code, snapshot_date, community_code, category,"
            + " gap_kind, target_residents, target_residents_uncovered, threshold_m, severity, rank)"
            + " VALUES ('990102', DATE'2026-06-01', 'C1', 'pharmacy', 'distance', 10, 5, 500, 5.0, 1)");

    Dataset<Row> gap =
        spark.sql(
            "SELECT 'C1' AS community_code, 'pharmacy' AS category,"
                + " 'distance' AS gap_kind, 10L AS target_residents, 4L AS target_residents_uncovered,"
                + " CAST(NULL AS DOUBLE) AS nearest_distance_m, 500.0 AS threshold_m,"
                + " CAST(NULL AS DOUBLE) AS excess_m, CAST(NULL AS DOUBLE) AS shortfall_places,"
                + " 4.0 AS severity, 1 AS rank, 'network' AS distance_basis");
    assertThat(DeltaTables.replaceSnapshot(spark, now, contract, gap)).isEqualTo(1);

    List<String> columns = Arrays.asList(DeltaTable.forPath(spark, path).toDF().columns());
    assertThat(columns).contains("distance_basis");
    assertThat(
            spark
                .read()
                .format("delta")
                .load(path)
                .orderBy("snapshot_date")
                .select("distance_basis")
                .collectAsList())
        .extracting(r -> r.isNullAt(0) ? null : r.getString(0))
        .containsExactly(null, "network");
  }
}
