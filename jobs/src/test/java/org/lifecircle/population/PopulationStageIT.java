package org.lifecircle.population;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lifecircle.SilverRows.box;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.SilverRows;
import org.lifecircle.SparkPlans;
import org.lifecircle.TestSpark;
import org.lifecircle.catalog.AgeBands;
import org.lifecircle.cli.CommandOutcome;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageResult;
import org.lifecircle.io.DeltaStageTables;
import org.lifecircle.io.DeltaTables;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKBReader;

/**
 * A hand-worked city (metric coordinates, y 0..200 m for everything): district D1 and street S1
 * over x 0..1400 m, communities C1 (x 0..200), C2 (200..1000) and C3 (1000..1400). Cells are 200 m
 * squares at the x given; every expectation follows from this layout:
 *
 * <ul>
 *   <li>X (0): b1 (1,000 m2) and b2 (3,000 m2) with 7 aged 15-59 and 2 aged 0-2: quotas 1.75/5.25
 *       and 0.5/1.5, so by largest remainder b1 gets 2 and 1, b2 gets 5 and 1.
 *   <li>Y (200): its 3 older residents all go to b3.
 *   <li>Y2 (300): empty and without homes; it overlaps Y and Z (two overlapping pairs).
 *   <li>Z (400): 4 residents, no residential building; u1 (use without evidence) gets them all, c1
 *       (commercial by its tag) none: fallback cell_unknown_use.
 *   <li>W (600): 5 residents, no building; b5 (x 850, 700 m2, in empty cell V) is 50 m away and b6
 *       (x 900..940, 400 m2, in V) about 100 m, both within the 250 m default: fallback
 *       cell_nearby, quotas 3.18 and 1.82, so 3 and 2. b6 is a courtyard block whose centroid lies
 *       in its courtyard: its origin must still lie in the building.
 *   <li>T (1200): 2 residents, no home within 250 m: a pseudo-home cell:T at (1300, 100), in C3.
 *   <li>U (2000): 6 residents in b4, which lies in no community (quarantined with them).
 *   <li>S (2600): 1 resident, nothing within 250 m: its pseudo-home lies in no community
 *       (quarantined).
 * </ul>
 *
 * Input 30 residents, placed 9 + 3 + 4 + 5 + 2 = 23 (76.67 %): the run below sets min_placed_share
 * to 0.5; {@link #aPlacedShareBelowTheLimitFailsTheStageAndTheRun} runs it at the default, 0.98.
 */
class PopulationStageIT {
  private static final double X0 = 528_000;
  private static final double Y0 = 3_385_000;
  private static SparkSession spark;
  private static RunContext ctx;
  private static StageResult result;

  @BeforeAll
  static void handWorkedCity() {
    spark = TestSpark.session();
    ctx = context(0.5, "population");
    writeCity(ctx);
    result = new PopulationStage().run(spark, ctx, DeltaStageTables.of(spark, ctx));
  }

  private static RunContext context(double minPlacedShare, String dir) {
    CityConfig c = CityConfig.load(Path.of("src/test/resources/ingest/city.yaml"));
    CityConfig.Limits l = c.limits();
    CityConfig city =
        new CityConfig(
            c.code(),
            c.name(),
            c.metricCrs(),
            c.bounds(),
            c.datasets(),
            c.catalogs(),
            new CityConfig.Limits(
                l.maxQuarantineShare(),
                l.completeCommunityShare(),
                l.gapCoverageShare(),
                l.maxSnapM(),
                l.cutoffMultiple(),
                l.detourFactor(),
                minPlacedShare,
                null),
            c.sample(),
            c.configDir());
    return new RunContext(
        "pop-test", city, LocalDate.of(2026, 6, 30), TestSpark.tempDir(dir).resolve("warehouse"));
  }

  private static void writeCity(RunContext ctx) {
    SilverRows.write(
        spark,
        ctx,
        "admin_areas",
        List.of(
            area("D1", "district", null, box(X0, Y0, X0 + 1400, Y0 + 200), 1),
            area("S1", "street", "D1", box(X0, Y0, X0 + 1400, Y0 + 200), 2),
            area("C1", "community", "S1", box(X0, Y0, X0 + 200, Y0 + 200), 3),
            area("C2", "community", "S1", box(X0 + 200, Y0, X0 + 1000, Y0 + 200), 4),
            area("C3", "community", "S1", box(X0 + 1000, Y0, X0 + 1400, Y0 + 200), 5)));
    Geometry courtyard =
        box(X0 + 900, Y0 + 20, X0 + 940, Y0 + 60)
            .difference(box(X0 + 905, Y0 + 25, X0 + 935, Y0 + 55));
    SilverRows.write(
        spark,
        ctx,
        "buildings",
        List.of(
            building("b1", "residential", null, 50, 1000.0, 1),
            building("b2", "residential", null, 150, 3000.0, 2),
            building("b3", "residential", null, 250, 500.0, 3),
            building("b4", "residential", null, 2100, 800.0, 4),
            building("c1", "commercial", "building_tag", 550, 9000.0, 5),
            building("u1", "commercial", "none", 450, 600.0, 6),
            building("b5", "residential", null, 850, 700.0, 7),
            building("b6", "residential", null, courtyard, 400.0, 8)));
    SilverRows.write(
        spark,
        ctx,
        "population",
        List.of(
            cell("X", 0, Map.of("pop_15_59", 7L, "pop_0_2", 2L), 1),
            cell("Y", 200, Map.of("pop_60_64", 3L), 2),
            cell("Y2", 300, Map.of(), 3),
            cell("Z", 400, Map.of("pop_15_59", 4L), 4),
            cell("W", 600, Map.of("pop_15_59", 5L), 5),
            cell("V", 800, Map.of(), 6),
            cell("T", 1200, Map.of("pop_65_79", 2L), 7),
            cell("U", 2000, Map.of("pop_15_59", 6L), 8),
            cell("S", 2600, Map.of("pop_15_59", 1L), 9)));
  }

  @Test
  void largestRemainderPreservesTotalsAndBreaksTiesByIndex() {
    assertThat(Dasymetric.largestRemainder(10, new double[] {1, 1, 1})).containsExactly(4, 3, 3);
    assertThat(Dasymetric.largestRemainder(7, new double[] {0.5, 0.3, 0.2}))
        .containsExactly(4, 2, 1);
    assertThat(Dasymetric.largestRemainder(5, new double[] {0, 0})).containsExactly(3, 2);
    assertThat(Dasymetric.largestRemainder(0, new double[] {2, 3})).containsExactly(0, 0);
  }

  @Test
  void residentsAreAllocatedByFloorAreaExactly() {
    Map<String, List<Object>> got = new TreeMap<>();
    for (Row r :
        DeltaTables.readSnapshot(spark, ctx, "building_population")
            .select(
                "building_id",
                "community_code",
                "street_code",
                "district_code",
                "pop_0_2",
                "pop_15_59",
                "pop_60_64",
                "residents",
                "allocation")
            .collectAsList()) {
      got.put(
          r.getString(0),
          List.of(
              r.getString(1),
              r.getString(2),
              r.getString(3),
              r.getLong(4),
              r.getLong(5),
              r.getLong(6),
              r.getLong(7),
              r.getString(8)));
    }
    assertThat(got)
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.of(
                    "b1", List.of("C1", "S1", "D1", 1L, 2L, 0L, 3L, "cell"),
                    "b2", List.of("C1", "S1", "D1", 1L, 5L, 0L, 6L, "cell"),
                    "b3", List.of("C2", "S1", "D1", 0L, 0L, 3L, 3L, "cell"),
                    "u1", List.of("C2", "S1", "D1", 0L, 4L, 0L, 4L, "cell_unknown_use"),
                    "b5", List.of("C2", "S1", "D1", 0L, 3L, 0L, 3L, "cell_nearby"),
                    "b6", List.of("C2", "S1", "D1", 0L, 2L, 0L, 2L, "cell_nearby"),
                    "cell:T", List.of("C3", "S1", "D1", 0L, 0L, 0L, 2L, "cell_point"))));
  }

  @Test
  void everyFallbackIsCountedAndOverlapsReported() {
    assertThat(result.metrics().get("fallbacks"))
        .isEqualTo(
            Map.of(
                "cell_unknown_use", Map.of("cells", 1L, "residents", 4L),
                "cell_nearby", Map.of("cells", 1L, "residents", 5L),
                "cell_point", Map.of("cells", 2L, "residents", 3L)));
    assertThat(result.metrics())
        .containsEntry("input_residents", 30L)
        .containsEntry("placed_residents", 23L)
        .containsEntry("overlapping_cell_pairs", 2L)
        .containsEntry("cells_without_homes_or_people", 1L);
  }

  @Test
  void originsLieInsideTheirBuildingEvenAroundACourtyard() throws Exception {
    Map<String, Geometry> footprints = new TreeMap<>();
    for (Row r :
        DeltaTables.readSnapshot(spark, ctx, "buildings")
            .select("building_id", "geometry")
            .collectAsList()) {
      footprints.put(r.getString(0), new WKBReader().read((byte[]) r.get(1)));
    }
    assertThat(footprints.get("b6").getCentroid().within(footprints.get("b6"))).isFalse();
    for (Row r :
        DeltaTables.readSnapshot(spark, ctx, "building_population")
            .where("building_id NOT LIKE 'cell:%'")
            .select("building_id", "origin")
            .collectAsList()) {
      assertThat(footprints.get(r.getString(0)).covers(new WKBReader().read((byte[]) r.get(1))))
          .as(r.getString(0))
          .isTrue();
    }
  }

  /**
   * 23 of 30 residents placed (76.67 %) is below the default limit, 0.98, which the fixture's city
   * config leaves as it is: the population stage, run through the command line as the nightly runs
   * its stages (PipelineRun, StageRunner), fails; the run exits 1 with one line on stderr, leaves a
   * failed run_log row, and writes no building_population.
   */
  @Test
  void aPlacedShareBelowTheLimitFailsTheStageAndTheRun() {
    RunContext gate = context(0.98, "population-gate");
    writeCity(gate);
    CommandOutcome run =
        CommandOutcome.execute(
            "population",
            "--city",
            "src/test/resources/ingest/city.yaml",
            "--date",
            gate.snapshotDate().toString(),
            "--warehouse",
            gate.warehouse().toString(),
            "--run-id",
            "pop-gate");
    String why =
        "Cannot place residents of city 990102: placed share 76.67% is below the limit 98.00%"
            + " (23 of 30 residents)";
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.stderr()).containsExactly("lifecircle: " + why);
    List<String> logged = new ArrayList<>();
    for (Row r :
        spark
            .read()
            .format("delta")
            .load(gate.warehouse().resolve("run_log").toString())
            .where("run_id = 'pop-gate'")
            .select("stage", "source", "status", "message")
            .collectAsList()) {
      logged.add(r.getString(0) + " " + r.getString(1) + " " + r.getString(2) + ": " + r.get(3));
    }
    assertThat(logged).containsExactly("population null failed: " + why);
    assertThat(Files.exists(gate.warehouse().resolve("building_population"))).isFalse();
  }

  @Test
  void unplacedPeopleAndBuildingsAreQuarantinedWithReasons() {
    Map<String, String> q = new TreeMap<>();
    for (Row r :
        DeltaTables.readSnapshot(spark, ctx, "quarantine")
            .where("stage = 'population'")
            .select("record_id", "reason_code")
            .collectAsList()) {
      q.put(r.getString(0), r.getString(1));
    }
    assertThat(q)
        .containsExactlyEntriesOf(new TreeMap<>(Map.of("S", "NO_COMMUNITY", "b4", "NO_COMMUNITY")));
  }

  @Test
  void spatialJoinsPlanAsSedonaJoins() {
    Dataset<Row> homes =
        PopulationStage.residentialOrigins(DeltaTables.readSnapshot(spark, ctx, "buildings"));
    SparkPlans.assertSedonaSpatialJoin(
        Communities.place(homes, DeltaTables.readSnapshot(spark, ctx, "admin_areas")));
    SparkPlans.assertSedonaSpatialJoin(
        Dasymetric.homesInCells(DeltaTables.readSnapshot(spark, ctx, "population"), homes));
  }

  private static Map<String, Object> area(
      String code, String level, String parent, Geometry g, long row) {
    Map<String, Object> m = new HashMap<>();
    m.put("source_row", row);
    m.put("area_code", code);
    m.put("level", level);
    m.put("parent_code", parent);
    m.put("geometry", g);
    return m;
  }

  private static Map<String, Object> building(
      String id, String use, String evidence, double cx, double gfa, long row) {
    return building(id, use, evidence, box(X0 + cx - 5, Y0 + 45, X0 + cx + 5, Y0 + 55), gfa, row);
  }

  private static Map<String, Object> building(
      String id, String use, String evidence, Geometry g, double gfa, long row) {
    Map<String, Object> m = new HashMap<>();
    m.put("source_row", row);
    m.put("building_id", id);
    m.put("use", use);
    m.put("use_evidence", evidence);
    m.put("floors", 6);
    m.put("gross_floor_area_m2", gfa);
    m.put("geometry", g);
    return m;
  }

  private static Map<String, Object> cell(String id, double x, Map<String, Long> bands, long row) {
    Map<String, Object> m = new HashMap<>();
    m.put("source_row", row);
    m.put("unit_id", id);
    m.put("unit_kind", "cell");
    for (String b : AgeBands.COLUMNS) {
      m.put(b, bands.getOrDefault(b, 0L));
    }
    m.put("geometry", box(X0 + x, Y0, X0 + x + 200, Y0 + 200));
    return m;
  }
}
