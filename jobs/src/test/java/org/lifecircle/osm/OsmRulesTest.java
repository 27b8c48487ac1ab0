package org.lifecircle.osm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.lifecircle.catalog.OsmTags;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.Contract;
import org.lifecircle.common.CrsTransform;
import org.lifecircle.common.DatasetSource;
import org.lifecircle.common.Yaml;
import org.lifecircle.io.Tables;
import org.locationtech.jts.algorithm.Orientation;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;
import scala.collection.JavaConverters;

/**
 * The pure rules behind the OSM source (no Spark): geometry assembly, tag matching, config checks.
 */
class OsmRulesTest {
  private static final GeometryFactory GF = new GeometryFactory();

  private static Coordinate c(double x, double y) {
    return new Coordinate(x, y);
  }

  private static LineString line(double... xy) {
    Coordinate[] cs = new Coordinate[xy.length / 2];
    for (int i = 0; i < cs.length; i++) {
      cs[i] = c(xy[2 * i], xy[2 * i + 1]);
    }
    return GF.createLineString(cs);
  }

  @Test
  void aWayIsSplitAtJunctionsAndGapsButNeverBridged() {
    // Nodes 1..6 along x; 3 is a junction; 5 is missing from the extract.
    long[] refs = {1, 2, 3, 4, 5, 6, 7};
    Coordinate[] coords = {c(0, 0), c(1, 0), c(2, 0), c(3, 0), null, c(5, 0), c(6, 0)};
    boolean[] junction = {false, false, true, false, false, false, false};
    List<OsmGeometry.Edge> edges = OsmGeometry.split(refs, coords, junction);
    assertThat(edges)
        .extracting(
            e -> e.seq() + ":" + e.fromNode() + "-" + e.toNode() + "/" + e.line().getNumPoints())
        .containsExactly("0:1-3/3", "1:3-4/2", "2:6-7/2");
  }

  @Test
  void aClosedCompleteWayIsAPolygonAndAnythingElseSaysWhyNot() {
    Coordinate[] ring = {c(0, 0), c(1, 0), c(1, 1), c(0, 0)};
    assertThat(OsmGeometry.way(new long[] {1, 2, 3, 1}, ring).area()).isTrue();
    OsmGeometry.WayShape open =
        OsmGeometry.way(new long[] {1, 2, 3}, new Coordinate[] {c(0, 0), c(1, 0), c(1, 1)});
    assertThat(open.problem()).isEqualTo(OsmGeometry.NOT_CLOSED);
    OsmGeometry.WayShape holed =
        OsmGeometry.way(
            new long[] {1, 2, 3, 1}, new Coordinate[] {c(0, 0), null, c(1, 1), c(0, 0)});
    assertThat(holed.problem()).isEqualTo(OsmGeometry.TOO_FEW_NODES);
    assertThat(holed.geometry().getGeometryType()).isEqualTo("LineString");
    assertThat(OsmGeometry.way(new long[] {1, 2}, new Coordinate[] {c(0, 0), null}).geometry())
        .isNull();
  }

  @Test
  void aMultipolygonClosesFromSeveralWaysAndSubtractsItsInnerRing() {
    // A 10 x 10 square from two open ways (two halves), less a 2 x 2 courtyard: 100 - 4.
    Geometry g =
        OsmGeometry.multipolygon(
            List.of(line(0, 0, 10, 0, 10, 10), line(10, 10, 0, 10, 0, 0)),
            List.of(line(4, 4, 6, 4, 6, 6, 4, 6, 4, 4)));
    assertThat(g.getArea()).isEqualTo(96.0);
    // An outer ring left open (a member way missing from the extract) is not guessed closed.
    assertThat(OsmGeometry.multipolygon(List.of(line(0, 0, 10, 0, 10, 10)), List.of())).isNull();
    ArrayList<LineString> missing = new ArrayList<>();
    missing.add(null);
    assertThat(OsmGeometry.multipolygon(missing, List.of())).isNull();
  }

  @Test
  void aMultipolygonIsTheSameWkbWhateverOrderItsMembersArriveIn() {
    // Members reach a relation in shuffle order, and JTS's union and polygonizer do not fix where
    // a ring starts: before the fix these 18 orders gave 8 different WKBs of one polygon.
    List<LineString> outers =
        new ArrayList<>(List.of(line(0, 0, 10, 0, 10, 10), line(10, 10, 0, 10), line(0, 10, 0, 0)));
    List<LineString> inners =
        new ArrayList<>(List.of(line(2, 2, 4, 2), line(4, 2, 4, 4, 2, 4), line(2, 4, 2, 2)));
    Set<String> wkb = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      Collections.rotate(inners, 1);
      if (i % 2 == 0) {
        Collections.reverse(inners);
      }
      for (int j = 0; j < 3; j++) {
        Collections.rotate(outers, 1);
        wkb.add(WKBWriter.toHex(new WKBWriter().write(OsmGeometry.multipolygon(outers, inners))));
      }
    }
    assertThat(wkb).hasSize(1);
    Polygon p = (Polygon) OsmGeometry.multipolygon(outers, inners);
    assertThat(p.getExteriorRing().getCoordinateN(0)).isEqualTo(c(0, 0));
    assertThat(Orientation.isCCW(p.getExteriorRing().getCoordinates())).isTrue();
    assertThat(Orientation.isCCW(p.getInteriorRingN(0).getCoordinates())).isFalse();
    assertThat(p.getArea()).isEqualTo(96.0);
  }

  /**
   * A school mapped as a U-shaped polygon (in degrees, as OSM has it): base 114.3000-114.3010 E x
   * 30.6000-30.6002 N, a wide west arm (114.3000-114.3003) and a narrow east arm
   * (114.3008-114.3010) up to 30.6010 N. Its centroid lies in the yard between the arms, outside
   * the building; the facility point must lie inside it, and be the point a building of the same
   * footprint has as origin: the interior point of the footprint in the metric CRS.
   */
  @Test
  void aPolygonFacilityIsTheMetricInteriorPointOfItsFootprint() throws Exception {
    Polygon school =
        GF.createPolygon(
            new Coordinate[] {
              c(114.3000, 30.6000),
              c(114.3010, 30.6000),
              c(114.3010, 30.6010),
              c(114.3008, 30.6010),
              c(114.3008, 30.6002),
              c(114.3003, 30.6002),
              c(114.3003, 30.6010),
              c(114.3000, 30.6010),
              c(114.3000, 30.6000)
            });
    CrsTransform toMetric = new CrsTransform("EPSG:4326", "EPSG:4547");
    Geometry footprint = toMetric.toMetric(school);
    // The shape can tell: a centroid, in degrees or in metres, falls in the yard.
    assertThat(footprint.covers(toMetric.toMetric(school.getCentroid()))).isFalse();
    assertThat(footprint.covers(footprint.getCentroid())).isFalse();

    OsmTags tags = Yaml.readResource(OsmTags.DEFAULT_RESOURCE, OsmTags.class, "tags");
    Contract contract = Contract.of(Tables.FACILITIES);
    OsmReader.Mapper mapper = new OsmReader.Mapper(Tables.FACILITIES, contract, tags, "EPSG:4547");
    Row feature =
        RowFactory.create(
            "w600",
            JavaConverters.mapAsScalaMapConverter(Map.of("amenity", "school", "name", "实验小学"))
                .asScala(),
            new WKBWriter().write(school),
            true,
            null,
            null,
            null);
    Row staged = mapper.feature(feature).next();
    int at = mapper.schema().fieldIndex("geometry");
    assertThat(staged.getString(mapper.schema().fieldIndex("category")))
        .isEqualTo("primary_school");
    Geometry point = toMetric.toMetric(new WKBReader().read((byte[]) staged.get(at)));
    assertThat(point.getGeometryType()).isEqualTo("Point");
    // Inside the school, at least 5 m from its walls (the west arm is 29 m wide).
    assertThat(footprint.contains(point))
        .as("the school's point %s lies inside it", point)
        .isTrue();
    assertThat(footprint.getBoundary().distance(point)).isGreaterThan(5.0);
    // The same point a building of this footprint gets as origin (PopulationStage: the interior
    // point in metres), to within the round trip through WGS84.
    assertThat(point.distance(footprint.getInteriorPoint()))
        .as("metres from the footprint's metric interior point")
        .isLessThan(1e-6);
  }

  @Test
  void leadingNumbersAreReadFromTagValues() {
    assertThat(OsmReader.leading(OsmReader.LEADING_YEAR, "~1990")).isEqualTo("1990");
    assertThat(OsmReader.leading(OsmReader.LEADING_INT, "6;7")).isEqualTo("6");
    assertThat(OsmReader.leading(OsmReader.LEADING_INT, "many")).isNull();
  }

  @Test
  void aClipPolygonFromAFeatureCollectionCutsNodesLikeTheBounds() throws IOException {
    Path dir = TestSpark.tempDir("osm-clip");
    Path clip = dir.resolve("clip.geojson");
    // Two unit squares side by side at (114, 30) and (115, 30): their union is 2 x 1 degrees.
    Files.writeString(
        clip,
        "{\"type\": \"FeatureCollection\", \"features\": ["
            + "{\"type\": \"Feature\", \"properties\": {}, \"geometry\": {\"type\": \"Polygon\","
            + " \"coordinates\": [[[114, 30], [115, 30], [115, 31], [114, 31], [114, 30]]]}},"
            + "{\"type\": \"Feature\", \"properties\": {}, \"geometry\": {\"type\": \"Polygon\","
            + " \"coordinates\": [[[115, 30], [116, 30], [116, 31], [115, 31], [115, 30]]]}}]}");
    Geometry g = Clip.read(clip);
    assertThat(g.getArea()).isEqualTo(2.0);
    OsmExtract.Inside inside =
        new OsmExtract.Inside(new CityConfig.Bounds(114.0, 30.0, 117.0, 31.0), g);
    assertThat(inside.call(RowFactory.create(1L, 115.5, 30.5))).isTrue();
    // Inside the bounds, outside the clip.
    assertThat(inside.call(RowFactory.create(2L, 116.5, 30.5))).isFalse();
    Files.writeString(clip, "LINESTRING (114 30, 115 31)");
    assertThatThrownBy(() -> Clip.read(clip))
        .hasMessage("Cannot read osm clip polygon: it holds no polygon (" + clip + ")");
  }

  @Test
  void anOsmSourceIsWgs84WithoutColumnsAndOnlyForDatasetsOsmHas() throws IOException {
    assertThatThrownBy(
            () ->
                new DatasetSource(
                    "x.osm.pbf", "osm", "EPSG:4547", null, null, null, null, null, null))
        .hasMessage("Cannot load city config: an osm extract is always EPSG:4326 (x.osm.pbf)");
    assertThatThrownBy(
            () ->
                new DatasetSource(
                    "x.osm.pbf", "osm", null, null, null, null, null, Map.of("name", "n"), null))
        .hasMessage(
            "Cannot load city config: an osm source maps tags through catalogs.osm_tags,"
                + " not columns (x.osm.pbf)");
    assertThatThrownBy(
            () ->
                new DatasetSource(
                    "a.csv", "csv", "EPSG:4326", null, "wkt", null, null, null, "clip.geojson"))
        .hasMessage("Cannot load city config: clip applies to format osm only (a.csv)");
    Path dir = TestSpark.tempDir("osm-config");
    String config =
        Files.readString(Path.of("../cities/osm-sample/city.yaml"), StandardCharsets.UTF_8)
            .replace(
                "    path: inputs/population_grid.csv\n    format: csv\n    crs: EPSG:4326\n"
                    + "    wkt_column: wkt",
                "    path: inputs/sample.osm.pbf\n    format: osm");
    Files.writeString(dir.resolve("city.yaml"), config, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> CityConfig.load(dir.resolve("city.yaml")))
        .hasMessage(
            "Cannot load city config: dataset 'population' cannot come from an osm extract"
                + " ([buildings, compounds, facilities, parcels, walk_network])");
  }
}
