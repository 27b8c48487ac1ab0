package org.lifecircle.indicators;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;
import static org.lifecircle.SilverRows.box;
import static org.lifecircle.SilverRows.point;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.SilverRows;
import org.lifecircle.TestSpark;
import org.lifecircle.catalog.AgeBands;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.Yaml;
import org.lifecircle.io.DeltaStageTables;
import org.lifecircle.io.DeltaTables;
import org.lifecircle.io.Tables;

/**
 * A hand-worked fixture city (x offsets in metres, all at y = 100; cells of 500 m aligned at 0).
 * Residential buildings (residents; community/street/district; footprint m²; compound): h1 x=100
 * 100 C1/S1/D1 100 (10x10) Q1 h4 x=700 2000 C2/S1/D1 800 (40x20) - h2 x=200 200 C1/S1/D1 200
 * (20x10) Q1 h5 x=1100 1000 C3/S2/D2 400 (20x20) Q3 h7 x=300 0 C1/S1/D1 100 (10x10) Q1 h6 x=1200
 * 4000 C3/S2/D2 2000 (50x40) Q2 h3 x=600 1750 C2/S1/D1 600 (30x20) Q2 c1: commercial, Q1, 10
 * floors, no lift, rated D Residents 9,050: C1 300, C2 3,750, C3 5,000; S1 = D1 = 4,050; S2 = D2 =
 * 5,000.
 *
 * <ul>
 *   <li>Green (pocket park h1, h3; park h3, h5): residents 100+1750+1000 = 2850/9050 = 0.314917; C1
 *       100/300, C2 1750/3750, C3 1000/5000 = 0.2, S1 1850/4050 = 0.456790. Land:
 *       (100+600+400)/4200 = 0.261905; C1 100/400 = 0.25, C2 600/1400, S1 700/1800.
 *   <li>Complete: C1 yes, C2 no, C3 yes: communities S1 0.5, S2 1, D1 0.5, city 2/3; residents S1
 *       300/4050 = 0.074074, S2 1, city 5300/9050 = 0.585635.
 *   <li>Elderly day care (60+: 20, 30, 100, 200, 50, 400; covered h2, h4): 230/800 = 0.2875; C1
 *       30/50 = 0.6, C2 200/300, C3 0/450 = 0.
 *   <li>Kindergarten (3-5: 5, 10, 50, 60, 30, 100; covered h5, h6): 130/255 = 0.509804, C3 1.
 *       Primary school (6-11: 8, 12, 70, 80, 40, 150; all but h6): 210/360 = 0.583333, C3 40/190.
 *       Health station (all; covered h1-h4): 4050/9050 = 0.447514, C3 0.
 *   <li>Nursery places: 20 + 25.5 + (null = 0) = 45.5 per 9,050 residents x 1000 = 5.027624 >= 4.5,
 *       met; the kindergarten's 100 places do not count.
 *   <li>Old compounds (Q1 1995 old, Q2 2005, Q3 no year = not old): residents h1+h2+h7 = 300/9050 =
 *       0.033149, C1 1.0, C2 0; buildings > 4 floors without lift: h1 (6 floors, no lift) only; h2
 *       has one, h7's status is unknown, c1 is not housing, h5 is in Q3: 1 (C1, S1, D1, city).
 *   <li>Dangerous housing: h3 (C, 5,000 m²) and h6 (D, no floor area: 2,000 m² x 20 floors = 40,000
 *       m²); c1 is rated D but is not housing: 2 buildings, 45,000 m².
 *   <li>Idle (open only; A4 is reused, A5 in another city): A1 VACANT 1000 m² / 200 m², A2
 *       LOW_USE,VACANT 500 / 100, A3 IDLE_LAND null / 8000: floor 1500 (VACANT 1500, LOW_USE 500,
 *       IDLE_LAND 0), land 8300 (VACANT 300, LOW_USE 100, IDLE_LAND 8000).
 *   <li>Hot spots (> 15,000 per km² = 3,750 per 0.25 km² cell): cell 0 300, cell 1 exactly 3,750
 *       (not above), cell 2 5,000: 1 cell, 5,000 residents.
 * </ul>
 */
class IndicatorsStageIT {
  private static final FacilityCatalog CATALOG =
      Yaml.readResource(FacilityCatalog.DEFAULT_RESOURCE, FacilityCatalog.class, "catalog");
  private static final double X0 = 528_000;
  private static final double Y0 = 3_385_000;
  private static SparkSession spark;
  private static RunContext ctx;
  private static StageResult result;
  private static Map<String, Double> values;

  @BeforeAll
  static void fixtureCity() {
    spark = TestSpark.session();
    CityConfig city = CityConfig.load(Path.of("src/test/resources/ingest/city.yaml"));
    ctx =
        new RunContext(
            "indicators-test",
            city,
            LocalDate.of(2026, 6, 30),
            TestSpark.tempDir("indicators").resolve("warehouse"));
    // id, x, residents, community, street, district, w, h, compound, floors, elevator, rating, gfa
    Object[][] homes = {
      {"h1", 100, 100L, "C1", "S1", "D1", 10, 10, "Q1", 6, false, "B", 600.0},
      {"h2", 200, 200L, "C1", "S1", "D1", 20, 10, "Q1", 5, true, null, 1000.0},
      {"h7", 300, 0L, "C1", "S1", "D1", 10, 10, "Q1", 9, null, null, 900.0},
      {"h3", 600, 1750L, "C2", "S1", "D1", 30, 20, "Q2", 6, true, "C", 5000.0},
      {"h4", 700, 2000L, "C2", "S1", "D1", 40, 20, null, 6, true, "B", 5000.0},
      {"h5", 1100, 1000L, "C3", "S2", "D2", 20, 20, "Q3", 8, false, null, 3000.0},
      {"h6", 1200, 4000L, "C3", "S2", "D2", 50, 40, "Q2", 20, true, "D", null}
    };
    Map<String, long[]> targets =
        Map.of( // 60+, 3-5, 6-11
            "h1",
            new long[] {20, 5, 8},
            "h2",
            new long[] {30, 10, 12},
            "h7",
            new long[] {0, 0, 0},
            "h3",
            new long[] {100, 50, 70},
            "h4",
            new long[] {200, 60, 80},
            "h5",
            new long[] {50, 30, 40},
            "h6",
            new long[] {400, 100, 150});
    Map<String, List<String>> covered =
        Map.of(
            "pocket_park",
            List.of("h1", "h3"),
            "park",
            List.of("h3", "h5"),
            "elderly_day_care",
            List.of("h2", "h4"),
            "kindergarten",
            List.of("h5", "h6"),
            "primary_school",
            List.of("h1", "h2", "h7", "h3", "h4", "h5"),
            "health_station",
            List.of("h1", "h2", "h7", "h3", "h4"));
    List<Map<String, Object>> population = new ArrayList<>();
    List<Map<String, Object>> access = new ArrayList<>();
    List<Map<String, Object>> buildings = new ArrayList<>();
    long row = 1;
    for (Object[] h : homes) {
      String id = (String) h[0];
      double x = X0 + (int) h[1];
      population.add(home(id, x, (long) h[2], (String) h[3], (String) h[4], (String) h[5]));
      for (Map.Entry<String, List<String>> c : covered.entrySet()) {
        long[] t = targets.get(id);
        long target =
            switch (c.getKey()) {
              case "elderly_day_care" -> t[0];
              case "kindergarten" -> t[1];
              case "primary_school" -> t[2];
              default -> (long) h[2];
            };
        access.add(
            access(
                id, (String) h[3], x, c.getKey(), (long) h[2], target, c.getValue().contains(id)));
      }
      buildings.add(
          building(
              id,
              "residential",
              x,
              (int) h[6],
              (int) h[7],
              (String) h[8],
              (int) h[9],
              (Boolean) h[10],
              (String) h[11],
              (Double) h[12],
              row++));
    }
    buildings.add(building("c1", "commercial", X0 + 400, 10, 10, "Q1", 10, false, "D", 800.0, row));
    SilverRows.write(spark, ctx, "building_population", population);
    SilverRows.write(spark, ctx, "building_access", access);
    SilverRows.write(spark, ctx, "buildings", buildings);
    SilverRows.write(
        spark,
        ctx,
        "community_coverage",
        List.of(
            coverage("community", "C1", true), coverage("community", "C2", false),
            coverage("community", "C3", true), coverage("street", "S1", null)));
    SilverRows.write(
        spark,
        ctx,
        "facilities",
        List.of(
            facility("N1", "nursery", 20.0, 1), facility("N2", "nursery", 25.5, 2),
            facility("N3", "nursery", null, 3), facility("K1", "kindergarten", 100.0, 4)));
    SilverRows.write(
        spark,
        ctx,
        "compounds",
        List.of(compound("Q1", 1995, 1), compound("Q2", 2005, 2), compound("Q3", null, 3)));
    spark
        .createDataFrame(
            List.of(
                RowFactory.create("990102", "B:A1", "building", "VACANT", 1000.0, 200.0, "open"),
                RowFactory.create(
                    "990102", "B:A2", "building", "LOW_USE,VACANT", 500.0, 100.0, "open"),
                RowFactory.create("990102", "P:A3", "parcel", "IDLE_LAND", null, 8000.0, "open"),
                RowFactory.create("990102", "B:A4", "building", "VACANT", 9999.0, 999.0, "reused"),
                RowFactory.create("990999", "B:A5", "building", "VACANT", 7777.0, 777.0, "open")),
            StructType.fromDDL(
                "city_code STRING, asset_id STRING, kind STRING, reason_codes STRING,"
                    + " floor_area_m2 DOUBLE, land_area_m2 DOUBLE, status STRING"))
        .write()
        .format("delta")
        .partitionBy("city_code")
        .save(ctx.tablePath("idle_assets"));
    result = new IndicatorsStage().run(spark, ctx, DeltaStageTables.of(spark, ctx));
    values = new TreeMap<>();
    for (Row r :
        DeltaTables.readSnapshot(spark, ctx, Tables.CHECKUP_INDICATORS)
            .select("indicator_code", "area_level", "area_code", "breakdown", "value")
            .collectAsList()) {
      values.put(
          r.getString(0)
              + "/"
              + r.getString(1)
              + "/"
              + r.getString(2)
              + (r.isNullAt(3) ? "" : "/" + r.getString(3)),
          r.isNullAt(4) ? null : r.getDouble(4));
    }
  }

  @Test
  void parkGreenCoverageOfResidents() {
    assertValues(
        "park_green_coverage_residents",
        Map.of(
            "city/990102",
            2850.0 / 9050,
            "community/C1",
            100.0 / 300,
            "community/C2",
            1750.0 / 3750,
            "community/C3",
            0.2,
            "street/S1",
            1850.0 / 4050,
            "street/S2",
            0.2,
            "district/D1",
            1850.0 / 4050,
            "district/D2",
            0.2));
  }

  @Test
  void parkGreenCoverageOfResidentialLand() {
    assertValues(
        "park_green_coverage_land",
        Map.of(
            "city/990102",
            1100.0 / 4200,
            "community/C1",
            0.25,
            "community/C2",
            600.0 / 1400,
            "community/C3",
            400.0 / 2400,
            "street/S1",
            700.0 / 1800,
            "street/S2",
            400.0 / 2400,
            "district/D1",
            700.0 / 1800,
            "district/D2",
            400.0 / 2400));
  }

  @Test
  void completeCommunitiesAndTheirResidents() {
    assertValues(
        "complete_community_share",
        Map.of(
            "city/990102",
            2.0 / 3,
            "street/S1",
            0.5,
            "street/S2",
            1.0,
            "district/D1",
            0.5,
            "district/D2",
            1.0));
    assertValues(
        "complete_community_residents_share",
        Map.of(
            "city/990102",
            5300.0 / 9050,
            "street/S1",
            300.0 / 4050,
            "street/S2",
            1.0,
            "district/D1",
            300.0 / 4050,
            "district/D2",
            1.0));
  }

  @Test
  void elderlyDayCareCoverageOfResidentsAged60Plus() {
    assertValues(
        "elderly_day_care_coverage",
        Map.of(
            "city/990102",
            0.2875,
            "community/C1",
            0.6,
            "community/C2",
            200.0 / 300,
            "community/C3",
            0.0,
            "street/S1",
            230.0 / 350,
            "street/S2",
            0.0,
            "district/D1",
            230.0 / 350,
            "district/D2",
            0.0));
  }

  @Test
  void nurseryPlacesPer1000ResidentsMeetTheTarget() {
    assertValues("nursery_places_per_1000", Map.of("city/990102", 45.5 / 9050 * 1000));
    Row r =
        DeltaTables.readSnapshot(spark, ctx, Tables.CHECKUP_INDICATORS)
            .where(col("indicator_code").equalTo("nursery_places_per_1000"))
            .select("unit", "target", "meets_target")
            .first();
    assertThat(r.getString(0)).isEqualTo("places per 1,000 residents");
    assertThat(r.getDouble(1)).isEqualTo(4.5);
    assertThat(r.getBoolean(2)).isTrue();
  }

  @Test
  void kindergartenPrimarySchoolAndHealthStationCoverage() {
    assertThat(values.get("kindergarten_coverage/city/990102"))
        .isCloseTo(130.0 / 255, within(1e-12));
    assertThat(values.get("kindergarten_coverage/community/C3")).isEqualTo(1.0);
    assertThat(values.get("kindergarten_coverage/community/C1")).isEqualTo(0.0);
    assertThat(values.get("primary_school_coverage/city/990102"))
        .isCloseTo(210.0 / 360, within(1e-12));
    assertThat(values.get("primary_school_coverage/community/C3"))
        .isCloseTo(40.0 / 190, within(1e-12));
    assertThat(values.get("health_station_coverage/city/990102"))
        .isCloseTo(4050.0 / 9050, within(1e-12));
    assertThat(values.get("health_station_coverage/community/C3")).isEqualTo(0.0);
    // no target in the catalog: target and meets_target are null
    assertThat(
            DeltaTables.readSnapshot(spark, ctx, Tables.CHECKUP_INDICATORS)
                .where(
                    col("indicator_code")
                        .equalTo("kindergarten_coverage")
                        .and(col("target").isNotNull().or(col("meets_target").isNotNull())))
                .count())
        .isZero();
  }

  @Test
  void oldCompoundResidentsAndBuildingsWithoutElevator() {
    assertValues(
        "old_compound_residents_share",
        Map.of(
            "city/990102",
            300.0 / 9050,
            "community/C1",
            1.0,
            "community/C2",
            0.0,
            "community/C3",
            0.0,
            "street/S1",
            300.0 / 4050,
            "street/S2",
            0.0,
            "district/D1",
            300.0 / 4050,
            "district/D2",
            0.0));
    assertValues(
        "old_compound_buildings_without_elevator",
        Map.of(
            "city/990102",
            1.0,
            "community/C1",
            1.0,
            "community/C2",
            0.0,
            "community/C3",
            0.0,
            "street/S1",
            1.0,
            "street/S2",
            0.0,
            "district/D1",
            1.0,
            "district/D2",
            0.0));
  }

  @Test
  void dangerousHousingCountAndFloorArea() {
    assertValues("dangerous_housing_buildings", Map.of("city/990102", 2.0));
    assertValues("dangerous_housing_floor_area", Map.of("city/990102", 45000.0));
  }

  @Test
  void idleFloorAndLandAreaByReason() {
    assertValues(
        "idle_floor_area",
        Map.of(
            "city/990102",
            1500.0,
            "city/990102/VACANT",
            1500.0,
            "city/990102/LOW_USE",
            500.0,
            "city/990102/IDLE_LAND",
            0.0));
    assertValues(
        "idle_land_area",
        Map.of(
            "city/990102",
            8300.0,
            "city/990102/VACANT",
            300.0,
            "city/990102/LOW_USE",
            100.0,
            "city/990102/IDLE_LAND",
            8000.0));
  }

  @Test
  void densityHotSpots() {
    assertValues("density_hotspot_cells", Map.of("city/990102", 1.0));
    assertValues("density_hotspot_residents", Map.of("city/990102", 5000.0));
  }

  @Test
  void missingCompoundsAndIdleAssetsAreSkippedWithANote() {
    IndicatorInputs in = IndicatorInputs.read(ctx, DeltaStageTables.of(spark, ctx));
    IndicatorInputs without =
        new IndicatorInputs(
            in.cityCode(),
            in.homes(),
            in.access(),
            in.coverage(),
            in.buildings(),
            in.facilities(),
            null,
            null);
    List<String> notes = new ArrayList<>();
    IndicatorsStage.compute(ctx.catalogs().indicators(), without, notes);
    assertThat(notes)
        .containsExactly(
            "skipped old_compound_residents_share: no compounds snapshot for the city",
            "skipped old_compound_buildings_without_elevator: no compounds snapshot for the city",
            "skipped idle_floor_area: no idle_assets rows for the city (run the assets stage)",
            "skipped idle_land_area: no idle_assets rows for the city (run the assets stage)");
    assertThat(result.headlines())
        .anyMatch(
            l -> l.contains("nursery_places_per_1000") && l.contains("5.028") && l.contains("met"));
    assertThat(result.metrics()).contains(entry("skipped", 0));
  }

  private static void assertValues(String code, Map<String, Double> expected) {
    Map<String, Double> got = new TreeMap<>();
    values.forEach(
        (k, v) -> {
          if (k.startsWith(code + "/")) {
            got.put(k.substring(code.length() + 1), v);
          }
        });
    assertThat(got).containsOnlyKeys(expected.keySet());
    expected.forEach(
        (k, v) -> assertThat(got.get(k)).as(code + " " + k).isCloseTo(v, within(1e-12)));
  }

  private static Map<String, Object> home(
      String id, double x, long residents, String community, String street, String district) {
    Map<String, Object> m = new HashMap<>();
    m.put("building_id", id);
    m.put("community_code", community);
    m.put("street_code", street);
    m.put("district_code", district);
    m.put("origin", point(x, Y0 + 100));
    m.put("residential_floor_area_m2", 1000.0);
    m.put("allocation", "building");
    for (String band : AgeBands.COLUMNS) {
      m.put(band, 0L);
    }
    m.put("pop_15_59", residents);
    m.put("residents", residents);
    return m;
  }

  private static Map<String, Object> access(
      String id,
      String community,
      double x,
      String category,
      long residents,
      long target,
      boolean covered) {
    Map<String, Object> m = new HashMap<>();
    m.put("building_id", id);
    m.put("community_code", community);
    m.put("origin", point(x, Y0 + 100));
    m.put("category", category);
    // The catalog's walk for the category (descriptive here: the rows say covered or not).
    FacilityCatalog.Category c = CATALOG.category(category);
    m.put("threshold_m", c.reachM());
    m.put("walker", c.walkerCode());
    m.put("threshold_min", c.thresholdMinutes());
    m.put("within_threshold", covered);
    m.put("covered", covered);
    m.put("distance_basis", "straight_line_detour");
    m.put("residents", residents);
    m.put("target_residents", target);
    return m;
  }

  private static Map<String, Object> building(
      String id,
      String use,
      double x,
      int w,
      int h,
      String compound,
      int floors,
      Boolean elevator,
      String rating,
      Double gfa,
      long row) {
    Map<String, Object> m = new HashMap<>();
    m.put("source_row", row);
    m.put("building_id", id);
    m.put("compound_id", compound);
    m.put("use", use);
    m.put("floors", floors);
    m.put("has_elevator", elevator);
    m.put("safety_rating", rating);
    m.put("gross_floor_area_m2", gfa);
    m.put("geometry", box(x - w / 2.0, Y0 + 100 - h / 2.0, x + w / 2.0, Y0 + 100 + h / 2.0));
    return m;
  }

  private static Map<String, Object> coverage(String level, String code, Boolean complete) {
    Map<String, Object> m = new HashMap<>();
    m.put("area_level", level);
    m.put("area_code", code);
    m.put("category", "kindergarten");
    m.put("residents", 0L);
    m.put("target_residents", 0L);
    m.put("covered_target_residents", 0L);
    m.put("distance_basis", "straight_line_detour");
    m.put("complete_community", complete);
    return m;
  }

  private static Map<String, Object> facility(
      String id, String category, Double capacity, long row) {
    Map<String, Object> m = new HashMap<>();
    m.put("source_row", row);
    m.put("facility_id", id);
    m.put("category", category);
    m.put("capacity", capacity);
    m.put("geometry", point(X0 + 500, Y0 + 500));
    return m;
  }

  private static Map<String, Object> compound(String id, Integer year, long row) {
    Map<String, Object> m = new HashMap<>();
    m.put("source_row", row);
    m.put("compound_id", id);
    m.put("year_built", year);
    m.put("geometry", box(X0, Y0, X0 + 100, Y0 + 100));
    return m;
  }
}
