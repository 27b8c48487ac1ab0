package org.lifecircle.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageResult;
import org.lifecircle.io.DeltaStageTables;
import org.lifecircle.io.DeltaTables;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKBReader;

/** Each fixture row trips one check; the expected outcome of every row is written out here. */
class IngestStageIT {
  private static SparkSession spark;
  private static RunContext ctx;
  private static StageResult result;

  @BeforeAll
  static void ingestFixtureCity() {
    spark = TestSpark.session();
    ctx = IngestFixture.context(c -> c);
    result = new IngestStage().run(spark, ctx, DeltaStageTables.of(spark, ctx));
  }

  private static Map<Long, String> quarantined(String source) {
    Map<Long, String> out = new TreeMap<>();
    for (Row r :
        DeltaTables.readSnapshot(spark, ctx, "quarantine")
            .where("source = '" + source + "'")
            .select("source_row", "reason_code")
            .collectAsList()) {
      out.put(r.getLong(0), r.getString(1));
    }
    return out;
  }

  private static String message(String source, long row) {
    return DeltaTables.readSnapshot(spark, ctx, "quarantine")
        .where("source = '" + source + "' AND source_row = " + row)
        .select("message")
        .first()
        .getString(0);
  }

  @Test
  void everyDirtyBuildingRowIsQuarantinedWithItsReason() {
    assertThat(quarantined("buildings"))
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.ofEntries(
                    Map.entry(3L, "NULL_GEOMETRY"),
                    Map.entry(4L, "EMPTY_GEOMETRY"),
                    Map.entry(5L, "BAD_GEOMETRY"),
                    Map.entry(6L, "BAD_GEOMETRY"),
                    Map.entry(7L, "WRONG_GEOMETRY_TYPE"),
                    Map.entry(8L, "INVALID_GEOMETRY"),
                    Map.entry(10L, "OUTSIDE_BOUNDS"),
                    Map.entry(11L, "LONLAT_SWAPPED"),
                    Map.entry(12L, "ABSURD_SIZE"),
                    Map.entry(13L, "NULL_REQUIRED"),
                    Map.entry(14L, "BAD_VALUE"),
                    Map.entry(15L, "UNKNOWN_CODE"),
                    Map.entry(16L, "OUT_OF_RANGE"),
                    Map.entry(17L, "FUTURE_DATE"),
                    Map.entry(18L, "DUPLICATE_ID"),
                    Map.entry(20L, "BAD_GEOMETRY"))));
  }

  @Test
  void messagesNameRowColumnAndValue() {
    assertThat(message("buildings", 15))
        .isEqualTo(
            "Cannot accept row 15 of dataset buildings: column 'use' has unknown code (castle)");
    assertThat(message("buildings", 16))
        .isEqualTo(
            "Cannot accept row 16 of dataset buildings: column 'floors' is outside [1, 200] (300)");
    assertThat(message("buildings", 17))
        .isEqualTo(
            "Cannot accept row 17 of dataset buildings:"
                + " column 'year_built' is after the snapshot date 2026-06-30 (2031)");
    assertThat(message("buildings", 18))
        .isEqualTo(
            "Cannot accept row 18 of dataset buildings: duplicate building_id, first seen at row 1 (B01)");
    assertThat(message("buildings", 13))
        .isEqualTo("Cannot accept row 13 of dataset buildings: column 'use' is required");
    assertThat(message("facilities", 2))
        .isEqualTo(
            "Cannot accept row 2 of dataset facilities: column 'type_code' has unknown code (K12)");
  }

  @Test
  void acceptedRowsAreTheCleanOnesWithRepairsAndNumericCoercion() {
    Map<String, Integer> floors = new TreeMap<>();
    for (Row r :
        DeltaTables.readSnapshot(spark, ctx, "buildings")
            .select("building_id", "floors")
            .collectAsList()) {
      floors.put(r.getString(0), r.getInt(1));
    }
    assertThat(floors)
        .containsExactlyEntriesOf(new TreeMap<>(Map.of("B01", 6, "B02", 18, "B09", 6, "B19", 12)));
    StageResult.SourceCount b =
        result.sources().stream()
            .filter(s -> s.source().equals("buildings"))
            .findFirst()
            .orElseThrow();
    assertThat(b).isEqualTo(new StageResult.SourceCount("buildings", 20, 4, 16, 1));
  }

  @Test
  void everySourceReconcilesInRunLogTerms() {
    assertThat(result.sources()).allSatisfy(s -> assertThat(s.reconciles()).isTrue());
    assertThat(result.sources())
        .extracting(StageResult.SourceCount::source)
        .containsExactly("admin_areas", "buildings", "facilities", "population");
    assertThat(result.rowsIn()).isEqualTo(result.rowsOut() + result.rowsQuarantined());
  }

  @Test
  void gcj02PointsLandInTheMetricCrsWhereTheirWgs84TwinIs() throws Exception {
    // F1 was placed in GCJ-02 at the offset of WGS84 (114.3000, 30.6000); EPSG:4547 is a transverse
    // Mercator with central meridian 114E and false easting 500 km, so x = 500 km + ~28.7 km.
    Row f1 =
        DeltaTables.readSnapshot(spark, ctx, "facilities")
            .where("facility_id = 'F1'")
            .select("geometry")
            .first();
    Geometry p = new WKBReader().read((byte[]) f1.get(0));
    Row b01 =
        DeltaTables.readSnapshot(spark, ctx, "buildings")
            .where("building_id = 'B01'")
            .select("geometry")
            .first();
    Geometry corner = new WKBReader().read((byte[]) b01.get(0));
    assertThat(p.getCoordinate().x).isCloseTo(528_740, within(200.0));
    assertThat(p.distance(corner)).isLessThan(25.0);
  }

  @Test
  void silverTablesCarryContractCommentsAndCrs() {
    Row detail =
        DeltaTable.forPath(spark, ctx.tablePath("buildings"))
            .detail()
            .select("properties", "partitionColumns")
            .first();
    assertThat(detail.<String, String>getJavaMap(0))
        .containsEntry("lifecircle.crs.990102", "EPSG:4547");
    assertThat(detail.getList(1)).containsExactly("city_code", "snapshot_date");
    String comment =
        spark
            .read()
            .format("delta")
            .load(ctx.tablePath("buildings"))
            .schema()
            .apply("floors")
            .getComment()
            .get();
    assertThat(comment).isEqualTo("Floors above ground / 地上层数 [floors]");
  }

  @Test
  void rerunReplacesTheDateInsteadOfAppending() {
    RunContext again =
        new RunContext("test-run-2", ctx.city(), ctx.snapshotDate(), ctx.warehouse());
    new IngestStage().run(spark, again, DeltaStageTables.of(spark, again));
    assertThat(DeltaTables.readSnapshot(spark, ctx, "buildings").count()).isEqualTo(4);
    assertThat(
            DeltaTables.readSnapshot(spark, ctx, "quarantine")
                .where("source = 'buildings'")
                .count())
        .isEqualTo(16);
  }

  @Test
  void quarantineShareOverTheLimitStopsBeforeAnythingIsWritten() {
    RunContext strict =
        IngestFixture.context(
            c -> c.replace("max_quarantine_share: 1.0", "max_quarantine_share: 0.05"));
    assertThatThrownBy(
            () -> new IngestStage().run(spark, strict, DeltaStageTables.of(spark, strict)))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot ingest dataset buildings: quarantine share 80.00% exceeds the limit"
                + " 5.00% (16 of 20 rows; the first: Cannot accept row 3 of dataset buildings: column"
                + " 'geometry' is null)"); // B03, the fixture's first row without a footprint
    assertThat(Files.exists(strict.warehouse().resolve("admin_areas"))).isFalse();
  }

  /**
   * A rerun that loses a row fails the reconciliation from the commits, and undoes them: the date's
   * silver tables and quarantine are the good run's again, not the broken run's.
   */
  @Test
  void aRowLostBeforeTheSilverWriteFailsTheReconciliationAndUndoesTheCommits() {
    RunContext broken = IngestFixture.context(c -> c);
    new IngestStage().run(spark, broken, DeltaStageTables.of(spark, broken));
    Map<String, Long> good = snapshotCounts(broken);
    assertThat(good).containsEntry("buildings", 4L);
    IngestStage losesOne =
        new IngestStage(
            (dataset, ok) -> dataset.equals("buildings") ? ok.where("building_id <> 'B19'") : ok);
    assertThatThrownBy(() -> losesOne.run(spark, broken, DeltaStageTables.of(spark, broken)))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot reconcile dataset buildings: rows read != rows committed to buildings"
                + " + rows quarantined (20 != 3 + 16)");
    assertThat(snapshotCounts(broken)).isEqualTo(good);
    assertThat(
            DeltaTables.readSnapshot(spark, broken, "buildings")
                .where("building_id = 'B19'")
                .count())
        .isEqualTo(1);
  }

  /** Rows per silver table and quarantine for the context's date. */
  private static Map<String, Long> snapshotCounts(RunContext c) {
    Map<String, Long> out = new TreeMap<>();
    for (String table :
        List.of("admin_areas", "buildings", "population", "facilities", "quarantine")) {
      out.put(table, DeltaTables.readSnapshot(spark, c, table).count());
    }
    return out;
  }

  @Test
  void theReportedCountsAreTheCommittedOnes() {
    assertThat(result.tablesWritten())
        .containsEntry("buildings", 4L)
        .containsEntry("quarantine", result.rowsQuarantined());
    assertThat(result.sources())
        .allSatisfy(
            s ->
                assertThat(s.accepted())
                    .isEqualTo(DeltaTables.readSnapshot(spark, ctx, s.source()).count()));
  }

  @Test
  void missingFileAndMissingColumnAreHardFailuresNamingThem() {
    RunContext noFile =
        IngestFixture.context(c -> c.replace("path: buildings.csv", "path: nope.csv"));
    assertThatThrownBy(
            () -> new IngestStage().run(spark, noFile, DeltaStageTables.of(spark, noFile)))
        .hasMessage(
            "Cannot read dataset buildings: file does not exist ("
                + noFile.city().resolve("nope.csv")
                + ")");
    RunContext noColumn =
        IngestFixture.context(
            c -> c.replace("wkt_column: wkt", "wkt_column: wkt\n    columns: {floors: storeys}"));
    assertThatThrownBy(
            () -> new IngestStage().run(spark, noColumn, DeltaStageTables.of(spark, noColumn)))
        .hasMessage(
            "Cannot read dataset buildings: column 'storeys' is missing ("
                + noColumn.city().resolve("buildings.csv")
                + ")");
  }

  @Test
  void aTypedColumnOfTheWrongTypeIsAHardFailureNamingFileAndColumn() {
    RunContext typed =
        IngestFixture.context(
            c ->
                c.replace(
                    "  buildings:\n    path: buildings.csv\n    format: csv\n    crs: EPSG:4326\n    wkt_column: wkt",
                    "  buildings:\n    path: buildings.parquet\n    format: geoparquet\n    crs: EPSG:4326"));
    String path = typed.city().resolve("buildings.parquet").toString();
    spark
        .sql(
            "SELECT 'B1' AS building_id, 'residential' AS use, true AS floors,"
                + " ST_GeomFromWKT('POLYGON ((114.3 30.6, 114.3002 30.6, 114.3002 30.6002, 114.3 30.6002,"
                + " 114.3 30.6))') AS geometry")
        .write()
        .format("geoparquet")
        .save(path);
    assertThatThrownBy(() -> new IngestStage().run(spark, typed, DeltaStageTables.of(spark, typed)))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot read dataset buildings: column 'floors' has type boolean, expected int ("
                + path
                + ")");
  }

  @Test
  void unknownCrsIsRejectedWhenTheConfigLoads() {
    assertThatThrownBy(() -> IngestFixture.context(c -> c.replace("crs: GCJ02", "crs: EPSG:99999")))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot load city config crs of facilities_gcj02.csv: unknown CRS (EPSG:99999)");
  }
}
