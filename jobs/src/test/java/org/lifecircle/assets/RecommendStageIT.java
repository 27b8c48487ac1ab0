package org.lifecircle.assets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lifecircle.assets.AssetsFixture.at;
import static org.lifecircle.assets.AssetsFixture.building;
import static org.lifecircle.assets.AssetsFixture.community;
import static org.lifecircle.assets.AssetsFixture.date;
import static org.lifecircle.assets.AssetsFixture.parcel;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.SilverRows;
import org.lifecircle.SparkPlans;
import org.lifecircle.TestSpark;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.Yaml;
import org.lifecircle.io.DeltaStageTables;
import org.lifecircle.io.DeltaTables;
import org.lifecircle.io.Tables;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKBReader;

/**
 * Hand-worked recommendations (default catalog; basis straight_line_detour, factor 1.3, so 300 m
 * thresholds reach 230.8 m of straight line). Idle (0 kWh) commercial buildings on y = 500: a1
 * x=100 (2,000 m2), a2 x=1100 (2,000 m2, historic building), a4 x=1200 (1,500 m2), a3 x=1700 (500
 * m2, rated C); a5 x=100, y=900 is in use. Uncovered homes: h1 x=200, h2 x=350 (250 m from a1: 325
 * m with the detour, out), h3 x=1150, h4 x=1800; h5 is covered and does not count. health_station
 * (heritage ok, >= 120 m2): 100 + 50 + 80 + 60 = 290 uncovered, first. a1 covers h1 (100), a2 and
 * a4 cover h3 (80, tie: a2 is the smaller id), a3 covers h4 (60): picks a1 100 (190 left), a2 80
 * (110 left), a3 60 (50 left); a4 then adds nothing. bus_stop: 100 uncovered, no host block: no
 * candidates. kindergarten (no heritage, >= 1,200 m2; 5 minutes for a child with a carer at 48
 * m/min: 240 m, 184.6 m of straight line): 65 uncovered. a1 is taken by health_station, a2 is
 * protected, a3 too small: a4 covers h3 (50 m away: 30), 35 left. pharmacy has uncovered residents
 * but no gap row: not planned. pocket_park (any use, >= 2,000 m2 of land): only parcel p1 (x
 * 1650-1750, y 560-660, 9,000 m2 stated, agreed start 2025-01-01, not started: idle land) is large
 * enough; its interior point (1700, 610) is 148.7 m from h4 (193.3 m with the detour): covers h4
 * (60), h1 (40) is left. Sites: a1's entrance lies 5 m outside its wall (the site must be inside
 * the footprint instead), a2's entrance is on its wall (kept), the others have none (footprint
 * centroid).
 */
class RecommendStageIT {
  private static final FacilityCatalog CATALOG =
      Yaml.readResource(FacilityCatalog.DEFAULT_RESOURCE, FacilityCatalog.class, "catalog");
  private static final LocalDate DAY = LocalDate.of(2026, 6, 30);
  private static SparkSession spark;
  private static RunContext ctx;
  private static StageResult result;

  @BeforeAll
  static void handWorkedCity() {
    spark = TestSpark.session();
    CityConfig city = CityConfig.load(Path.of("src/test/resources/ingest/city.yaml"));
    ctx =
        new RunContext(
            "recommend-test", city, DAY, TestSpark.tempDir("recommend").resolve("warehouse"));
    SilverRows.write(
        spark, ctx, "admin_areas", List.of(community("C1", 0, 1000), community("C2", 1000, 2000)));
    SilverRows.write(
        spark,
        ctx,
        "buildings",
        List.of(
            building(
                "a1",
                "commercial",
                100,
                500,
                Map.of("annual_kwh", 0.0, "gross_floor_area_m2", 2000.0, "entrance", at(100, 490))),
            building(
                "a2",
                "commercial",
                1100,
                500,
                Map.of(
                    "annual_kwh",
                    0.0,
                    "gross_floor_area_m2",
                    2000.0,
                    "heritage_status",
                    "historic_building",
                    "entrance",
                    at(1100, 495))),
            building(
                "a4",
                "commercial",
                1200,
                500,
                Map.of("annual_kwh", 0.0, "gross_floor_area_m2", 1500.0)),
            building(
                "a3",
                "commercial",
                1700,
                500,
                Map.of("annual_kwh", 0.0, "gross_floor_area_m2", 500.0, "safety_rating", "C")),
            building(
                "a5",
                "commercial",
                100,
                900,
                Map.of("annual_kwh", 3000.0, "gross_floor_area_m2", 5000.0))));
    SilverRows.write(
        spark,
        ctx,
        "parcels",
        List.of(
            parcel(
                "p1",
                "1001",
                1650,
                560,
                Map.of(
                    "development_status",
                    "not_started",
                    "agreed_start_date",
                    date("2025-01-01"),
                    "area_m2",
                    9000.0))));
    new AssetsStage().run(spark, ctx, DeltaStageTables.of(spark, ctx));
    List<Map<String, Object>> access = new ArrayList<>();
    for (Object[] h :
        new Object[][] {
          {"h1", 200.0, 100L, 20L},
          {"h2", 350.0, 50L, 5L},
          {"h3", 1150.0, 80L, 30L},
          {"h4", 1800.0, 60L, 10L}
        }) {
      String id = (String) h[0];
      double x = (Double) h[1];
      access.add(access(id, x, "health_station", false, (Long) h[2]));
      access.add(access(id, x, "kindergarten", false, (Long) h[3]));
    }
    access.add(access("h5", 150.0, "health_station", true, 200L));
    access.add(access("h1", 200.0, "pharmacy", false, 100L));
    access.add(access("h1", 200.0, "bus_stop", false, 100L));
    access.add(access("h4", 1800.0, "pocket_park", false, 60L));
    access.add(access("h1", 200.0, "pocket_park", false, 40L));
    SilverRows.write(spark, ctx, "building_access", access);
    SilverRows.write(
        spark,
        ctx,
        "coverage_gaps",
        List.of(
            gap("C1", "health_station", 1),
            gap("C2", "health_station", 2),
            gap("C1", "kindergarten", 3),
            gap("C1", "bus_stop", 4),
            gap("C2", "pocket_park", 5)));
    result = new RecommendStage().run(spark, ctx, DeltaStageTables.of(spark, ctx));
  }

  @Test
  void greedyPicksPerCategoryAreTheHandWorkedOnes() {
    List<String> got = new ArrayList<>();
    for (Row r :
        DeltaTables.readSnapshot(spark, ctx, Tables.GAP_FILL_CANDIDATES)
            .orderBy("category", "rank")
            .select(
                "category",
                "rank",
                "asset_id",
                "kind",
                "community_code",
                "floor_area_m2",
                "usable_area_m2",
                "usable_area_kind",
                "newly_covered_target_residents",
                "newly_covered_buildings",
                "cumulative_covered",
                "remaining_uncovered",
                "protected_heritage",
                "dangerous",
                "distance_basis",
                "threshold_m")
            .collectAsList()) {
      got.add(r.mkString(" "));
    }
    assertThat(got)
        .containsExactly(
            "health_station 1 B:a1 building C1 2000.0 2000.0 floor 100 1 100 190 false false straight_line_detour 300.0",
            "health_station 2 B:a2 building C2 2000.0 2000.0 floor 80 1 180 110 true false straight_line_detour 300.0",
            "health_station 3 B:a3 building C2 500.0 500.0 floor 60 1 240 50 false true straight_line_detour 300.0",
            "kindergarten 1 B:a4 building C2 1500.0 1500.0 floor 30 1 30 35 false false straight_line_detour 240.0",
            "pocket_park 1 P:p1 parcel C2 0.0 9000.0 land 60 1 60 40 false false straight_line_detour 300.0");
  }

  @Test
  void headlinesNameTheTopSitesPerCategory() {
    assertThat(result.tablesWritten()).containsEntry(Tables.GAP_FILL_CANDIDATES, 5L);
    assertThat(String.join("\n", result.headlines()))
        .contains(
            "health_station",
            "#1 B:a1",
            "2000 m2 floor  +100 residents, 190 left",
            "#1 P:p1",
            "9000 m2 land  +60 residents, 40 left",
            "[heritage: reuse only]",
            "[dangerous: repair first]",
            "bus_stop",
            "no idle asset can host it nearby");
  }

  /**
   * Oracle: JTS covers on the asset's own geometry in the silver inputs (footprint or parcel), and
   * the area column of the asset's kind in those inputs (buildings.gross_floor_area_m2,
   * parcels.area_m2), not the stage's own frames.
   */
  @Test
  void eachSiteLiesInsideItsAssetAndItsUsableAreaIsOfTheRightKind() throws Exception {
    Map<String, Geometry> shapes = new HashMap<>();
    Map<String, Double> areas = new HashMap<>();
    for (Row r :
        DeltaTables.readSnapshot(spark, ctx, "buildings")
            .select("building_id", "geometry", "gross_floor_area_m2")
            .collectAsList()) {
      shapes.put("B:" + r.getString(0), new WKBReader().read((byte[]) r.get(1)));
      areas.put("B:" + r.getString(0), r.getDouble(2));
    }
    for (Row r :
        DeltaTables.readSnapshot(spark, ctx, "parcels")
            .select("parcel_id", "geometry", "area_m2")
            .collectAsList()) {
      shapes.put("P:" + r.getString(0), new WKBReader().read((byte[]) r.get(1)));
      areas.put("P:" + r.getString(0), r.getDouble(2));
    }
    Map<String, Geometry> locations = new HashMap<>();
    for (Row r :
        DeltaTables.readCity(spark, ctx, Tables.IDLE_ASSETS)
            .select("asset_id", "location")
            .collectAsList()) {
      locations.put(r.getString(0), new WKBReader().read((byte[]) r.get(1)));
    }
    List<Row> picks =
        DeltaTables.readSnapshot(spark, ctx, Tables.GAP_FILL_CANDIDATES)
            .select("asset_id", "kind", "site", "usable_area_m2", "usable_area_kind")
            .collectAsList();
    assertThat(picks).hasSize(5);
    Map<String, Geometry> sites = new HashMap<>();
    for (Row r : picks) {
      String id = r.getString(0);
      Geometry site = new WKBReader().read((byte[]) r.get(2));
      sites.put(id, site);
      assertThat(site.getGeometryType()).as(id).isEqualTo("Point");
      assertThat(shapes.get(id).covers(site))
          .as("%s: site %s inside %s", id, site, shapes.get(id))
          .isTrue();
      assertThat(r.getDouble(3)).as(id).isEqualTo(areas.get(id));
      assertThat(r.getString(4))
          .as(id)
          .isEqualTo("building".equals(r.getString(1)) ? "floor" : "land");
    }
    // a1's entrance is outside its footprint: the location is not the site.
    assertThat(shapes.get("B:a1").covers(locations.get("B:a1"))).isFalse();
    assertThat(sites.get("B:a1").equalsExact(locations.get("B:a1"))).isFalse();
    // a2's entrance on the wall and the parcel's surface point are kept as they are.
    assertThat(sites.get("B:a2").equalsExact(locations.get("B:a2"))).isTrue();
    assertThat(sites.get("P:p1").equalsExact(locations.get("P:p1"))).isTrue();
  }

  @Test
  void candidatePairsComeFromASedonaDistanceJoin() {
    FacilityCatalog catalog = ctx.catalogs().facilities();
    Dataset<Row> assets = RecommendStage.openAssets(spark, ctx, DeltaStageTables.of(spark, ctx));
    Dataset<Row> candidates =
        Candidates.candidates(
            assets, Candidates.hosts(spark, catalog, List.of("health_station", "kindergarten")));
    Dataset<Row> uncovered =
        DeltaTables.readSnapshot(spark, ctx, "building_access").where("NOT covered");
    SparkPlans.assertSedonaSpatialJoin(
        Candidates.pairs(
            assets, candidates, uncovered, 1.3, List.of("health_station", "kindergarten")));
  }

  private static Map<String, Object> access(
      String id, double x, String category, boolean covered, long target) {
    Map<String, Object> m = new HashMap<>();
    m.put("building_id", id);
    m.put("community_code", x < 1000 ? "C1" : "C2");
    m.put("origin", at(x, 500));
    m.put("category", category);
    // The catalog's walk for the category (descriptive here: the rows say covered or not).
    FacilityCatalog.Category c = CATALOG.category(category);
    m.put("threshold_m", c.reachM());
    m.put("walker", c.walkerCode());
    m.put("threshold_min", c.thresholdMinutes());
    m.put("within_threshold", covered);
    m.put("distance_basis", "straight_line_detour");
    m.put("covered", covered);
    m.put("residents", target);
    m.put("target_residents", target);
    return m;
  }

  private static Map<String, Object> gap(String community, String category, int rank) {
    Map<String, Object> m = new HashMap<>();
    m.put("community_code", community);
    m.put("category", category);
    m.put("gap_kind", "distance");
    m.put("target_residents", 100L);
    m.put("target_residents_uncovered", 100L);
    m.put("threshold_m", 300.0);
    m.put("severity", 100.0);
    m.put("rank", rank);
    m.put("distance_basis", "straight_line_detour");
    return m;
  }
}
