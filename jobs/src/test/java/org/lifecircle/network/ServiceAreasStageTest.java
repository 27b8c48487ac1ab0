package org.lifecircle.network;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
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
import org.lifecircle.SilverRows;
import org.lifecircle.SparkPlans;
import org.lifecircle.TestSpark;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.Yaml;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.operation.union.CascadedPolygonUnion;

/**
 * The service-areas stage's rows on a small street grid (x and y 0..500, every 100 m) with the
 * shipped catalog: kindergartens are walked at 48 m/min (a child with a carer), pharmacies at 60.
 * Facilities K1 (150, 200) and K2 (350, 400) kindergartens, P1 (250, 250) a pharmacy, K3 (2000,
 * 2000) a kindergarten 1.5 km from any street. Communities C1 (x 0..250), C2 (x 250..500), both y
 * 0..500, and C3 far away. The community rows are checked against JTS run here: the cascaded union
 * of the category's facility polygons that meet the community, intersected with it.
 */
class ServiceAreasStageTest {
  private static final double X0 = 528_000;
  private static final double Y0 = 3_385_000;
  private static final GeometryFactory GF = new GeometryFactory();
  private static SparkSession spark;
  private static FacilityCatalog catalog;
  private static List<Row> facilityRows;
  private static List<Row> communityRows;
  private static Dataset<Row> community;
  private static Dataset<Row> byFacility;
  private static Dataset<Row> bounds;
  private static ServiceAreaRaster.CityGrid city;
  private static final Map<String, Geometry> BOUNDS = new HashMap<>();

  @BeforeAll
  static void grid() {
    spark = TestSpark.session();
    catalog = Yaml.readResource(FacilityCatalog.DEFAULT_RESOURCE, FacilityCatalog.class, "catalog");
    List<Row> edges = new ArrayList<>();
    int k = 0;
    for (int i = 0; i <= 5; i++) {
      for (int j = 0; j <= 5; j++) {
        if (i < 5) {
          edges.add(edge("E" + k++, i * 100, j * 100, (i + 1) * 100, j * 100));
        }
        if (j < 5) {
          edges.add(edge("E" + k++, i * 100, j * 100, i * 100, (j + 1) * 100));
        }
      }
    }
    Dataset<Row> network =
        spark.createDataFrame(
            edges,
            StructType.fromDDL(
                "edge_id STRING, from_node STRING, to_node STRING, geometry BINARY"));
    Object[][] sites = {
      {"K1", "kindergarten", 150.0, 200.0},
      {"K2", "kindergarten", 350.0, 400.0},
      {"P1", "pharmacy", 250.0, 250.0},
      {"K3", "kindergarten", 2000.0, 2000.0}
    };
    List<Row> facilities = new ArrayList<>();
    for (Object[] s : sites) {
      facilities.add(
          RowFactory.create(
              s[0],
              s[1],
              SilverRows.wkb(SilverRows.point(X0 + (double) s[2], Y0 + (double) s[3]))));
    }
    BOUNDS.put("C1", SilverRows.box(X0, Y0, X0 + 250, Y0 + 500));
    BOUNDS.put("C2", SilverRows.box(X0 + 250, Y0, X0 + 500, Y0 + 500));
    BOUNDS.put("C3", SilverRows.box(X0 + 3000, Y0, X0 + 3100, Y0 + 100));
    List<Row> areas = new ArrayList<>();
    BOUNDS.forEach((code, g) -> areas.add(RowFactory.create(code, SilverRows.wkb(g))));
    WalkNetwork walk = WalkNetwork.of(spark, "990102", network, 150);
    Dataset<Row> facilityFrame =
        spark.createDataFrame(
            facilities, StructType.fromDDL("facility_id STRING, category STRING, geometry BINARY"));
    city = ServiceAreasStage.cityGrid(walk.graph().value(), walk.maxSnapM(), 25);
    byFacility = ServiceAreasStage.facilityAreas(facilityFrame, catalog, walk, 25, city).cache();
    facilityRows = byFacility.collectAsList();
    bounds = spark.createDataFrame(areas, StructType.fromDDL("area_code STRING, geometry BINARY"));
    community = CommunityServiceAreas.of(spark, byFacility, bounds, catalog, city).rows();
    communityRows = community.collectAsList();
  }

  @Test
  void everyFacilityHasItsThreeWalksAtItsWalkersSpeed() throws Exception {
    assertThat(facilityRows).hasSize(12);
    Map<String, Double> speed = Map.of("kindergarten", 48.0, "pharmacy", 60.0);
    for (Row r : facilityRows) {
      String id = r.getAs("facility_id");
      String category = r.getAs("category");
      int minutes = r.<Integer>getAs("minutes");
      assertThat(r.<Double>getAs("reach_m")).isEqualTo(minutes * speed.get(category));
      assertThat(r.<String>getAs("walker"))
          .isEqualTo(category.equals("pharmacy") ? "average" : "child_with_carer");
      if (id.equals("K3")) {
        assertThat(r.<Boolean>getAs("snapped")).isFalse();
        assertThat((Object) r.getAs("geometry")).isNull();
        continue;
      }
      Geometry g = new WKBReader().read(r.<byte[]>getAs("geometry"));
      assertThat(r.<Double>getAs("area_m2")).isCloseTo(g.getArea(), within(1e-6));
      Coordinate f = site(id);
      assertThat(g.covers(GF.createPoint(f))).isTrue();
      for (Coordinate v : g.getCoordinates()) {
        assertThat(v.distance(f)).isLessThanOrEqualTo(minutes * speed.get(category) + 25 + 1e-6);
      }
    }
  }

  @Test
  void communityRowsAreTheUnionOfTheirCategorysAreasInsideThem() throws Exception {
    assertThat(communityRows).hasSize(3 * catalog.categories().size() * 3);
    WKBReader wkb = new WKBReader();
    for (Row r : communityRows) {
      String code = r.getAs("community_code");
      String category = r.getAs("category");
      int minutes = r.<Integer>getAs("minutes");
      Geometry bound = BOUNDS.get(code);
      List<Geometry> meeting = new ArrayList<>();
      for (Row f : facilityRows) {
        if (f.getAs("category").equals(category)
            && f.<Integer>getAs("minutes") == minutes
            && f.getAs("geometry") != null) {
          Geometry g = wkb.read(f.<byte[]>getAs("geometry"));
          if (g.intersects(bound)) {
            meeting.add(g);
          }
        }
      }
      String what = code + "/" + category + "/" + minutes;
      assertThat(r.<Long>getAs("facilities_reaching")).as(what).isEqualTo(meeting.size());
      double expected =
          meeting.isEmpty() ? 0 : CascadedPolygonUnion.union(meeting).intersection(bound).getArea();
      assertThat(r.<Double>getAs("area_m2")).as(what).isCloseTo(expected, within(1e-3));
      assertThat(r.<Double>getAs("community_share"))
          .as(what)
          .isCloseTo(expected / bound.getArea(), within(1e-9));
      if (expected == 0) {
        assertThat((Object) r.getAs("geometry")).as(what).isNull();
      } else {
        Geometry got = wkb.read(r.<byte[]>getAs("geometry"));
        Geometry want = CascadedPolygonUnion.union(meeting).intersection(bound);
        assertThat(got.symDifference(want).getArea()).as(what).isLessThan(1e-3);
      }
    }
    // By hand: 5 minutes are 240 m for a child with a carer. K1 (x 150) is in C1; K2 (x 350)
    // reaches C1 too, west along y = 400 to x 110. P1 on the boundary x 250 reaches both.
    assertThat(reaching("C1", "kindergarten", 5)).isEqualTo(2);
    assertThat(reaching("C2", "pharmacy", 5)).isEqualTo(1);
    assertThat(reaching("C3", "kindergarten", 15)).isZero();
    assertThat(reaching("C2", "bus_stop", 15)).isZero();
  }

  /** A cluster splits rows differently: the polygons must not depend on the order rows come in. */
  @Test
  void communityPolygonsDoNotDependOnHowTheFacilityRowsArePartitioned() {
    Map<String, String> one = wkbByKey(community);
    Map<String, String> other =
        wkbByKey(
            CommunityServiceAreas.of(
                    spark,
                    byFacility.orderBy(col("facility_id").desc()).repartition(7),
                    bounds,
                    catalog,
                    city)
                .rows());
    assertThat(other).isEqualTo(one);
  }

  private static Map<String, String> wkbByKey(Dataset<Row> rows) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : rows.collectAsList()) {
      byte[] g = r.getAs("geometry");
      out.put(
          r.getAs("community_code") + "/" + r.getAs("category") + "/" + r.getAs("minutes"),
          g == null ? "null" : HexFormat.of().formatHex(g));
    }
    return out;
  }

  @Test
  void theCommunityUnionIsASedonaSpatialJoin() {
    SparkPlans.assertSedonaSpatialJoin(community);
  }

  private static long reaching(String code, String category, int minutes) {
    return communityRows.stream()
        .filter(
            r ->
                r.getAs("community_code").equals(code)
                    && r.getAs("category").equals(category)
                    && r.<Integer>getAs("minutes") == minutes)
        .findFirst()
        .orElseThrow()
        .<Long>getAs("facilities_reaching");
  }

  private static Coordinate site(String id) {
    return switch (id) {
      case "K1" -> new Coordinate(X0 + 150, Y0 + 200);
      case "K2" -> new Coordinate(X0 + 350, Y0 + 400);
      default -> new Coordinate(X0 + 250, Y0 + 250);
    };
  }

  private static Row edge(String id, double x0, double y0, double x1, double y1) {
    return RowFactory.create(
        id,
        null,
        null,
        SilverRows.wkb(
            GF.createLineString(
                new Coordinate[] {
                  new Coordinate(X0 + x0, Y0 + y0), new Coordinate(X0 + x1, Y0 + y1)
                })));
  }
}
