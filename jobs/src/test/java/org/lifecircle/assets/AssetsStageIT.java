package org.lifecircle.assets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lifecircle.assets.AssetsFixture.at;
import static org.lifecircle.assets.AssetsFixture.building;
import static org.lifecircle.assets.AssetsFixture.community;
import static org.lifecircle.assets.AssetsFixture.compound;
import static org.lifecircle.assets.AssetsFixture.date;
import static org.lifecircle.assets.AssetsFixture.parcel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.SilverRows;
import org.lifecircle.SparkPlans;
import org.lifecircle.TestSpark;
import org.lifecircle.catalog.IdleRules;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Yaml;
import org.lifecircle.io.DeltaStageTables;
import org.lifecircle.io.DeltaTables;

/**
 * Every rule of the default idle rules tripped exactly, and missed by a hair, on 2026-06-30: v1
 * 19.9 kWh (< 20) vacant, v2 20.0 kWh not; v3 reported vacant (its entrance lies in C2). f1
 * industrial 1994 at 29% occupancy is an old factory; f2 (built 1995) and f3 (30%) are not. c1
 * commercial at 39% is low-efficiency; c2 office at 40% and c3 mixed at 10% are not. two:
 * industrial 1980, 10% occupied, 10 kWh: OLD_FACTORY and VACANT_BUILDING; protected, historic
 * district, rated D, in compound K1 (1990); outside both communities. k2: 5 kWh, rated C
 * (dangerous), compound K2 built 2000 (not old: the rule is before 2000). p1 not started, agreed
 * start 2025-06-30: exactly one year (满一年) -> idle, 1.00 year, 12 months; p2 agreed 2025-07-01 ->
 * one day short. p3 stopped since 2025-06-30 with 20% developed -> idle; p4 50% developed and 30%
 * invested -> not; p5 25% short by invested share but stopped since 2025-07-01 -> one day short. p9
 * agreed 2024-06-30: 2 years, 24 months (its low tax is not judged: it is not completed). p6
 * completed: 9,000 m2 of buildings on 10,000 m2 = FAR 0.9 < 0.5 x 2.0 -> low-efficiency, and
 * protected (g6b on it is a cultural relic); p7 FAR 1.0 -> not; p8 (no status, so judged as
 * completed; area from the geometry) pays 8 < 10 tax per mu -> low-efficiency.
 */
class AssetsStageIT {
  private static final LocalDate DAY = LocalDate.of(2026, 6, 30);
  private static SparkSession spark;
  private static RunContext ctx;

  @BeforeAll
  static void handWorkedCity() {
    spark = TestSpark.session();
    CityConfig city = CityConfig.load(Path.of("src/test/resources/ingest/city.yaml"));
    ctx =
        new RunContext("assets-test", city, DAY, TestSpark.tempDir("assets").resolve("warehouse"));
    SilverRows.write(
        spark, ctx, "admin_areas", List.of(community("C1", 0, 1000), community("C2", 1000, 2000)));
    SilverRows.write(
        spark,
        ctx,
        "compounds",
        List.of(compound("K1", 1990, 2480, 30), compound("K2", 2000, 1280, 30)));
    SilverRows.write(
        spark,
        ctx,
        "buildings",
        List.of(
            building(
                "v1",
                "residential",
                50,
                50,
                Map.of("annual_kwh", 19.9, "gross_floor_area_m2", 300.0)),
            building("v2", "residential", 60, 50, Map.of("annual_kwh", 20.0)),
            building(
                "v3",
                "residential",
                150,
                50,
                Map.of(
                    "annual_kwh",
                    5000.0,
                    "vacant_flag",
                    true,
                    "gross_floor_area_m2",
                    300.0,
                    "entrance",
                    at(1500, 50))),
            building(
                "f1",
                "industrial",
                200,
                50,
                Map.of("year_built", 1994, "occupancy_rate", 0.29, "gross_floor_area_m2", 2000.0)),
            building(
                "f2", "industrial", 210, 50, Map.of("year_built", 1995, "occupancy_rate", 0.1)),
            building(
                "f3", "industrial", 220, 50, Map.of("year_built", 1980, "occupancy_rate", 0.3)),
            building("c1", "commercial", 1200, 50, Map.of("occupancy_rate", 0.39)),
            building("c2", "office", 1210, 50, Map.of("occupancy_rate", 0.4)),
            building("c3", "mixed", 1220, 50, Map.of("occupancy_rate", 0.1)),
            building(
                "two",
                "industrial",
                2500,
                50,
                Map.of(
                    "year_built",
                    1980,
                    "occupancy_rate",
                    0.1,
                    "annual_kwh",
                    10.0,
                    "heritage_status",
                    "historic_building",
                    "in_historic_district",
                    true,
                    "safety_rating",
                    "D",
                    "compound_id",
                    "K1",
                    "gross_floor_area_m2",
                    1500.0)),
            building(
                "k2",
                "residential",
                1300,
                50,
                Map.of(
                    "annual_kwh",
                    5.0,
                    "safety_rating",
                    "C",
                    "compound_id",
                    "K2",
                    "gross_floor_area_m2",
                    400.0)),
            building(
                "g6a",
                "residential",
                650,
                650,
                Map.of("parcel_id", "p6", "annual_kwh", 3000.0, "gross_floor_area_m2", 4500.0)),
            building(
                "g6b",
                "residential",
                660,
                650,
                Map.of(
                    "parcel_id",
                    "p6",
                    "annual_kwh",
                    3000.0,
                    "gross_floor_area_m2",
                    4500.0,
                    "heritage_status",
                    "cultural_relic")),
            building(
                "g7",
                "residential",
                750,
                650,
                Map.of("parcel_id", "p7", "annual_kwh", 3000.0, "gross_floor_area_m2", 10000.0))));
    SilverRows.write(
        spark,
        ctx,
        "parcels",
        List.of(
            parcel(
                "p1",
                "0701",
                300,
                300,
                Map.of(
                    "development_status",
                    "not_started",
                    "agreed_start_date",
                    date("2025-06-30"),
                    "area_m2",
                    10000.0)),
            parcel(
                "p2",
                "0701",
                400,
                300,
                Map.of(
                    "development_status",
                    "not_started",
                    "agreed_start_date",
                    date("2025-07-01"),
                    "area_m2",
                    10000.0)),
            parcel(
                "p3",
                "1001",
                1300,
                300,
                Map.of(
                    "development_status",
                    "stopped",
                    "share_developed",
                    0.2,
                    "share_invested",
                    0.5,
                    "stopped_since",
                    date("2025-06-30"),
                    "area_m2",
                    10000.0)),
            parcel(
                "p4",
                "1001",
                1400,
                300,
                Map.of(
                    "development_status",
                    "stopped",
                    "share_developed",
                    0.5,
                    "share_invested",
                    0.3,
                    "stopped_since",
                    date("2024-01-01"))),
            parcel(
                "p5",
                "1001",
                1500,
                300,
                Map.of(
                    "development_status",
                    "under_construction",
                    "share_invested",
                    0.2,
                    "stopped_since",
                    date("2025-07-01"))),
            parcel(
                "p6",
                "0901",
                600,
                600,
                Map.of("development_status", "completed", "planned_far", 2.0, "area_m2", 10000.0)),
            parcel(
                "p7",
                "0901",
                700,
                600,
                Map.of("development_status", "completed", "planned_far", 2.0, "area_m2", 10000.0)),
            parcel("p8", "1401", 800, 300, Map.of("tax_per_mu", 8.0)),
            parcel(
                "p9",
                "1001",
                1600,
                600,
                Map.of(
                    "development_status",
                    "not_started",
                    "agreed_start_date",
                    date("2024-06-30"),
                    "tax_per_mu",
                    5.0,
                    "area_m2",
                    10000.0))));
    new AssetsStage().run(spark, ctx, DeltaStageTables.of(spark, ctx));
  }

  @Test
  void eachRuleTripsExactly() {
    Map<String, List<Object>> got = new TreeMap<>();
    for (Row r :
        AssetHistory.read(DeltaStageTables.of(spark, ctx))
            .select(
                "asset_id",
                "reason_codes",
                "kind",
                "use",
                "community_code",
                "floor_area_m2",
                "land_area_m2",
                "far_actual",
                "far_planned",
                "idle_since",
                "years_idle",
                "months_idle")
            .collectAsList()) {
      Object[] v = new Object[r.size() - 1];
      for (int i = 1; i < r.size(); i++) {
        v[i - 1] =
            r.isNullAt(i)
                ? null
                : r.get(i) instanceof Double d ? Math.round(d * 100) / 100.0 : r.get(i).toString();
      }
      got.put(r.getString(0), Arrays.asList(v));
    }
    assertThat(got)
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.ofEntries(
                    e(
                        "B:v1",
                        "VACANT_BUILDING",
                        "building",
                        "residential",
                        "C1",
                        300.0,
                        100.0,
                        null,
                        null,
                        null,
                        null,
                        "0"),
                    e(
                        "B:v3",
                        "VACANT_BUILDING",
                        "building",
                        "residential",
                        "C2",
                        300.0,
                        100.0,
                        null,
                        null,
                        null,
                        null,
                        "0"),
                    e(
                        "B:f1",
                        "OLD_FACTORY",
                        "building",
                        "industrial",
                        "C1",
                        2000.0,
                        100.0,
                        null,
                        null,
                        null,
                        null,
                        "0"),
                    e(
                        "B:c1",
                        "LOW_EFFICIENCY_COMMERCIAL",
                        "building",
                        "commercial",
                        "C2",
                        200.0,
                        100.0,
                        null,
                        null,
                        null,
                        null,
                        "0"),
                    e(
                        "B:two",
                        "OLD_FACTORY,VACANT_BUILDING",
                        "building",
                        "industrial",
                        null,
                        1500.0,
                        100.0,
                        null,
                        null,
                        null,
                        null,
                        "0"),
                    e(
                        "B:k2",
                        "VACANT_BUILDING",
                        "building",
                        "residential",
                        "C2",
                        400.0,
                        100.0,
                        null,
                        null,
                        null,
                        null,
                        "0"),
                    e(
                        "P:p1",
                        "IDLE_LAND",
                        "parcel",
                        "residential",
                        "C1",
                        0.0,
                        10000.0,
                        0.0,
                        null,
                        "2025-06-30",
                        1.0,
                        "12"),
                    e(
                        "P:p3",
                        "IDLE_LAND",
                        "parcel",
                        "industrial",
                        "C2",
                        0.0,
                        10000.0,
                        0.0,
                        null,
                        "2025-06-30",
                        1.0,
                        "12"),
                    e(
                        "P:p6",
                        "LOW_EFFICIENCY_LAND",
                        "parcel",
                        "commercial",
                        "C1",
                        9000.0,
                        10000.0,
                        0.9,
                        2.0,
                        null,
                        null,
                        "0"),
                    e(
                        "P:p8",
                        "LOW_EFFICIENCY_LAND",
                        "parcel",
                        null,
                        "C1",
                        0.0,
                        10000.0,
                        0.0,
                        null,
                        null,
                        null,
                        "0"),
                    e(
                        "P:p9",
                        "IDLE_LAND",
                        "parcel",
                        "industrial",
                        "C2",
                        0.0,
                        10000.0,
                        0.0,
                        null,
                        "2024-06-30",
                        2.0,
                        "24"))));
  }

  @Test
  void flagsComeFromHeritageSafetyAndCompounds() {
    Map<String, List<Boolean>> got = new TreeMap<>();
    for (Row r :
        AssetHistory.read(DeltaStageTables.of(spark, ctx))
            .where("protected_heritage OR in_historic_district" + " OR dangerous OR old_compound")
            .select(
                "asset_id",
                "protected_heritage",
                "in_historic_district",
                "dangerous",
                "old_compound")
            .collectAsList()) {
      got.put(
          r.getString(0),
          List.of(r.getBoolean(1), r.getBoolean(2), r.getBoolean(3), r.getBoolean(4)));
    }
    assertThat(got)
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.of(
                    "B:two", List.of(true, true, true, true),
                    "B:k2", List.of(false, false, true, false),
                    "P:p6", List.of(true, false, false, false))));
  }

  @Test
  void newAssetsOpenOnTheSnapshotDate() {
    Row r =
        AssetHistory.read(DeltaStageTables.of(spark, ctx))
            .groupBy("status", "first_seen", "last_seen", "open_since", "reopened_count")
            .count()
            .first();
    assertThat(r.toString()).isEqualTo("[open,2026-06-30,2026-06-30,2026-06-30,0,11]");
  }

  @Test
  void communityPlacementIsASedonaJoin() {
    IdleRules rules = ctx.catalogs().idleRules();
    SparkPlans.assertSedonaSpatialJoin(
        AssetRules.communityHits(
            AssetsStage.evaluate(
                DeltaTables.readSnapshot(spark, ctx, "buildings"),
                DeltaTables.readSnapshot(spark, ctx, "parcels"),
                null,
                rules,
                ctx),
            DeltaTables.readSnapshot(spark, ctx, "admin_areas")));
  }

  @Test
  void defaultRulesLoadAndBadRulesAreNamed() throws Exception {
    IdleRules rules = ctx.catalogs().idleRules();
    assertThat(rules.vacantBuilding().maxAnnualKwh()).isEqualTo(20.0);
    assertThat(rules.idleLand().years()).isEqualTo(1);
    assertThat(rules.landUseClasses()).containsEntry("10", "industrial");
    assertThat(rules.recommend().sitesPerCategory()).isEqualTo(5);
    Path bad = Files.createTempFile("idle_rules", ".yaml");
    Files.writeString(
        bad,
        """
        vacant_building: {max_annual_kwh: 20}
        idle_land: {years: 1}
        low_efficiency_land: {far_share: 0.5}
        old_factory: {uses: [factory]}
        low_efficiency_commercial: {}
        flags: {}
        """);
    assertThatThrownBy(() -> Yaml.read(bad, IdleRules.class, "idle rules"))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot load idle rules: old_factory.uses must be building uses [residential,"
                + " commercial, office, industrial, public, mixed, warehouse] (factory)");
  }

  private static Map.Entry<String, List<Object>> e(String id, Object... v) {
    return Map.entry(id, Arrays.asList(v));
  }
}
