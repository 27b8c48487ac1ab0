package org.lifecircle.indicators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.lifecircle.catalog.IndicatorCatalog;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.WKBWriter;

/**
 * The per-home indicators on a few hand-written rows, values worked by hand:
 *
 * <ul>
 *   <li>Homes: a1 (C1/S1/D1, 100 residents), a2 (C1/S1/D1, 300), b1 (C2/S1/D1, 50), n1 (no
 *       community, S2/D1, 10). x9 has access rows but is no home.
 *   <li>Parks (park or pocket_park): a1 and a2 covered by one of the two, b1 by neither, n1 by
 *       park: C1 400/400, C2 0/50, S1 400/450, S2 10/10, D1 and city 410/460.
 *   <li>Kindergarten (target 3-5 year olds): a1 5 not covered, a2 20 covered, n1 1 covered, b1 no
 *       row, so C2 has no kindergarten value: C1 20/25, S1 20/25, S2 1/1, D1 and city 21/26.
 *   <li>Park land (footprints a1 100 m², a2 200, b1 300; n1 has no silver building): C1 300/300, C2
 *       0/300, S1, D1 and city 300/600, no S2.
 *   <li>Old compounds (Q1 1990, Q2 2010, Q3 without a year): a1 and b1 in Q1: C1 100/400, C2 50/50,
 *       S1 150/450, S2 0/10, D1 and city 150/460. Without elevator and above 4 floors: a1 (6
 *       floors, none); b1 (6 floors, unknown) does not count.
 * </ul>
 */
class HomeIndicatorsTest {
  private static final GeometryFactory GF = new GeometryFactory();
  private static SparkSession spark;
  private static IndicatorInputs inputs;
  private static IndicatorCatalog catalog;

  @BeforeAll
  static void rows() {
    spark = TestSpark.session();
    Dataset<Row> homes =
        frame(
            "building_id STRING, community_code STRING, street_code STRING, district_code STRING,"
                + " origin BINARY, residents BIGINT",
            row("a1", "C1", "S1", "D1", null, 100L),
            row("a2", "C1", "S1", "D1", null, 300L),
            row("b1", "C2", "S1", "D1", null, 50L),
            row("n1", null, "S2", "D1", null, 10L));
    Dataset<Row> access =
        frame(
            "building_id STRING, category STRING, covered BOOLEAN, target_residents BIGINT",
            row("a1", "park", true, 100L),
            row("a1", "pocket_park", false, 100L),
            row("a1", "kindergarten", false, 5L),
            row("a2", "park", false, 300L),
            row("a2", "pocket_park", true, 300L),
            row("a2", "kindergarten", true, 20L),
            row("b1", "park", false, 50L),
            row("b1", "pocket_park", false, 50L),
            row("n1", "park", true, 10L),
            row("n1", "pocket_park", null, 10L),
            row("n1", "kindergarten", true, 1L),
            row("x9", "park", true, 999L),
            row("x9", "kindergarten", true, 999L));
    Dataset<Row> buildings =
        frame(
            "building_id STRING, compound_id STRING, use STRING, floors INT,"
                + " gross_floor_area_m2 DOUBLE, safety_rating STRING, has_elevator BOOLEAN,"
                + " geometry BINARY",
            row("a1", "Q1", "residential", 6, null, null, false, square(10, 10)),
            row("a2", "Q2", "residential", 6, null, null, false, square(20, 10)),
            row("b1", "Q1", "residential", 6, null, null, null, square(30, 10)));
    Dataset<Row> compounds =
        frame(
            "compound_id STRING, year_built INT",
            row("Q1", 1990),
            row("Q2", 2010),
            row("Q3", null));
    inputs = new IndicatorInputs("990102", homes, access, null, buildings, null, compounds, null);
    catalog =
        new IndicatorCatalog(
            null,
            List.of(
                indicator("parks", "coverage", List.of("pocket_park", "park")),
                indicator("kindergartens", "coverage", List.of("kindergarten")),
                indicator("park_land", "coverage_land", List.of("pocket_park", "park")),
                indicator("old_residents", "old_compound_residents", List.of()),
                indicator("no_elevator", "old_compound_no_elevator", List.of()),
                indicator("complete", "complete_communities", List.of())));
  }

  @Test
  void coverageOfResidentsLeavesOutAreasWithoutARowOfTheSet() {
    HomeIndicators h = HomeIndicators.of(catalog, inputs);
    assertValues(
        h,
        "parks",
        Map.of(
            "community/C1",
            1.0,
            "community/C2",
            0.0,
            "street/S1",
            400.0 / 450,
            "street/S2",
            1.0,
            "district/D1",
            410.0 / 460,
            "city/990102",
            410.0 / 460));
    assertValues(
        h,
        "kindergartens",
        Map.of(
            "community/C1", 0.8,
            "street/S1", 0.8,
            "street/S2", 1.0,
            "district/D1", 21.0 / 26,
            "city/990102", 21.0 / 26));
  }

  @Test
  void coverageOfLandCountsHomesWithASilverBuilding() {
    assertValues(
        HomeIndicators.of(catalog, inputs),
        "park_land",
        Map.of(
            "community/C1", 1.0,
            "community/C2", 0.0,
            "street/S1", 0.5,
            "district/D1", 0.5,
            "city/990102", 0.5));
  }

  @Test
  void oldCompoundResidentsAndBuildingsWithoutElevator() {
    HomeIndicators h = HomeIndicators.of(catalog, inputs);
    assertValues(
        h,
        "old_residents",
        Map.of(
            "community/C1",
            0.25,
            "community/C2",
            1.0,
            "street/S1",
            150.0 / 450,
            "street/S2",
            0.0,
            "district/D1",
            150.0 / 460,
            "city/990102",
            150.0 / 460));
    assertValues(
        h,
        "no_elevator",
        Map.of(
            "community/C1", 1.0,
            "community/C2", 0.0,
            "street/S1", 1.0,
            "street/S2", 0.0,
            "district/D1", 1.0,
            "city/990102", 1.0));
  }

  @Test
  void theCityRowExistsWithoutHomes() {
    IndicatorInputs none =
        new IndicatorInputs(
            "990102",
            inputs.homes().limit(0),
            inputs.access(),
            null,
            inputs.buildings(),
            null,
            inputs.compounds(),
            null);
    HomeIndicators h = HomeIndicators.of(catalog, none);
    Map<String, Double> parks = new TreeMap<>();
    parks.put("city/990102", null);
    assertValues(h, "parks", parks);
    assertValues(h, "no_elevator", Map.of("city/990102", 0.0));
  }

  @Test
  void withoutCompoundsTheOldCompoundIndicatorsAreNotHeld() {
    IndicatorInputs noCompounds =
        new IndicatorInputs(
            "990102", inputs.homes(), inputs.access(), null, inputs.buildings(), null, null, null);
    HomeIndicators h = HomeIndicators.of(catalog, noCompounds);
    assertThat(catalog.indicators().stream().filter(h::holds).map(i -> i.code()))
        .containsExactly("parks", "kindergartens", "park_land");
  }

  /**
   * The point of the class: building_access (30.6 M rows at SF 1) is read and grouped once for
   * every indicator held, where a plan branch per indicator read it once per branch.
   */
  @Test
  void buildingAccessIsReadOnceForEveryIndicator() {
    String plan =
        HomeIndicators.of(catalog, inputs).rows().queryExecution().optimizedPlan().toString();
    long accessScans =
        plan.lines()
            .filter(l -> l.contains("LocalRelation") && l.contains("target_residents"))
            .count();
    assertThat(accessScans).as(plan).isEqualTo(1);
  }

  private static void assertValues(HomeIndicators h, String code, Map<String, Double> expected) {
    IndicatorCatalog.Indicator i =
        catalog.indicators().stream().filter(x -> x.code().equals(code)).findFirst().orElseThrow();
    Map<String, Double> got = new TreeMap<>();
    for (Row r : h.values(i).collectAsList()) {
      assertThat(r.isNullAt(2)).as("breakdown").isTrue();
      got.put(r.getString(0) + "/" + r.getString(1), r.isNullAt(3) ? null : r.getDouble(3));
    }
    assertThat(got).as(code).containsOnlyKeys(expected.keySet());
    expected.forEach(
        (k, v) -> {
          if (v == null) {
            assertThat(got.get(k)).as(code + " " + k).isNull();
          } else {
            assertThat(got.get(k)).as(code + " " + k).isCloseTo(v, within(1e-12));
          }
        });
  }

  private static IndicatorCatalog.Indicator indicator(
      String code, String method, List<String> categories) {
    return new IndicatorCatalog.Indicator(
        code, code, code, "community", method, categories, null, "share", null, null);
  }

  private static byte[] square(double w, double h) {
    return new WKBWriter().write(GF.toGeometry(new Envelope(0, w, 0, h)));
  }

  private static Object[] row(Object... values) {
    return values;
  }

  private static Dataset<Row> frame(String ddl, Object[]... rows) {
    List<Row> out = new ArrayList<>();
    for (Object[] r : rows) {
      out.add(RowFactory.create(r));
    }
    return spark.createDataFrame(out, StructType.fromDDL(ddl));
  }
}
