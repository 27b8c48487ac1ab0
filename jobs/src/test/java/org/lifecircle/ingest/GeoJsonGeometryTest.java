package org.lifecircle.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKBWriter;
import org.locationtech.jts.io.geojson.GeoJsonReader;

/**
 * The oracle is JTS's GeoJsonReader alone, as the validator read GeoJSON before: the same geometry
 * (exactly, type and 2-D WKB), or the same failure and message, for every geometry type, malformed
 * text that Jackson would otherwise coerce (a number as a string, a null coordinate), and random
 * coordinates in plain and exponent notation.
 */
class GeoJsonGeometryTest {
  private static final GeoJsonReader JTS = new GeoJsonReader();

  @Test
  void everyGeometryTypeAndEveryMalformedTextReadsAsJtsReadsIt() {
    List<String> texts =
        new ArrayList<>(
            List.of(
                "{\"type\":\"Point\",\"coordinates\":[114.3,30.6]}",
                "{\"type\":\"Point\",\"coordinates\":[114.3,30.6,12.5]}",
                "{\"type\":\"LineString\",\"coordinates\":[[114.3,30.6],[1.143e2,3.0601E1]]}",
                "{\"type\":\"LineString\",\"coordinates\":[[114.3,30.6,1],[114.31,30.61,2]]}",
                "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[10,0],[10,10],[0,10],[0,0]],"
                    + "[[2,2],[2,4],[4,4],[4,2],[2,2]]]}",
                "{\"type\":\"MultiPoint\",\"coordinates\":[[1,2],[3,4]]}",
                "{\"type\":\"MultiLineString\",\"coordinates\":[[[1,2],[3,4]],[[5,6],[7,8]]]}",
                "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]],"
                    + "[[[5,5],[6,5],[6,6],[5,5]]]]}",
                "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Point\","
                    + "\"coordinates\":[1,2]},{\"type\":\"LineString\",\"coordinates\":[[1,2],[3,4]]}]}",
                "{\"coordinates\":[[114.3,30.6],[114.31,30.61]],\"type\":\"LineString\"}",
                // Malformed: each must fail, or read, exactly as JTS's reader has it.
                "{\"type\":\"Polygon\"}",
                "{\"type\":\"Polygon\",\"coordinates\":[]}",
                "{\"type\":\"LineString\",\"coordinates\":[]}",
                "{\"type\":\"LineString\",\"coordinates\":[[114.3,30.6]]}",
                "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}",
                "{\"type\":\"Blob\",\"coordinates\":[1,2]}",
                "{\"type\":\"Point\",\"coordinates\":[\"114.3\",30.6]}",
                "{\"type\":\"Point\",\"coordinates\":[114.3]}",
                "{\"type\":\"Point\",\"coordinates\":[null,30.6]}",
                "{\"type\":\"Point\",\"coordinates\":[true,30.6]}",
                "{\"type\":\"Point\",\"coordinates\":114.3}",
                "{\"type\":\"Point\",\"coordinates\":[1,2],\"bbox\":[1,2,1,2]}",
                "{\"type\":\"Point\",\"coordinates\":[1,2],\"crs\":{\"type\":\"name\","
                    + "\"properties\":{\"name\":\"EPSG:4490\"}}}",
                "{\"type\":\"LineString\",\"coordinates\":[[1,2],[3,4]],\"extra\":1}",
                "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]} trailing",
                "[1,2]",
                "{\"type\":",
                "{}"));
    Random random = new Random(20261206);
    for (int i = 0; i < 500; i++) {
      double x = 113.3 + random.nextDouble() * 1.7;
      double y = 30 + random.nextDouble();
      texts.add(
          String.format(
              Locale.ROOT,
              "{\"type\":\"LineString\",\"coordinates\":[[%s,%s],[%.9f,%.3f]]}",
              x,
              y,
              x + random.nextGaussian() / 1000,
              y + random.nextGaussian() / 1000));
    }
    WKBWriter wkb = new WKBWriter(2);
    for (String text : texts) {
      Geometry expected = null;
      Exception expectedFailure = null;
      try {
        expected = JTS.read(text);
      } catch (Exception e) {
        expectedFailure = e;
      }
      Geometry actual = null;
      Exception failure = null;
      try {
        actual = GeoJsonGeometry.read(text);
      } catch (Exception e) {
        failure = e;
      }
      if (expectedFailure != null) {
        assertThat(failure).as(text).isNotNull();
        assertThat(failure.getClass()).as(text).isEqualTo(expectedFailure.getClass());
        assertThat(failure.getMessage()).as(text).isEqualTo(expectedFailure.getMessage());
      } else {
        assertThat(failure).as(text).isNull();
        assertThat(actual.getGeometryType()).as(text).isEqualTo(expected.getGeometryType());
        assertThat(actual.equalsExact(expected)).as(text).isTrue();
        assertThat(wkb.write(actual)).as(text).isEqualTo(wkb.write(expected));
      }
    }
  }
}
