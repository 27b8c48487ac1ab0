package org.lifecircle.ingest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Map;
import org.apache.sedona.common.jts2geojson.GeoJSONReader;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.geojson.GeoJsonReader;
import org.wololo.geojson.GeoJSON;
import org.wololo.geojson.LineString;
import org.wololo.geojson.MultiLineString;
import org.wololo.geojson.MultiPoint;
import org.wololo.geojson.MultiPolygon;
import org.wololo.geojson.Point;
import org.wololo.geojson.Polygon;

/**
 * A GeoJSON geometry object's text read into a JTS geometry, exactly as JTS's GeoJsonReader reads
 * it (same geometry, or the same failure and message), faster.
 *
 * <p>JTS's reader makes a json-simple parser per call, whose lexer allocates a 16 k-char buffer
 * each time: that allocation alone was 7 % of SF 1 ingest's CPU samples (2 M walk edges). Jackson
 * reads the text into the geometry classes Sedona ships (its copy of jts2geojson) and Sedona's
 * converter makes the JTS geometry: 400 k geometries 2.7-3.9x faster (GeoJsonGeometryBenchmark;
 * docs/BENCHMARKS.md, session 20). Jackson is held strict where JTS's reader is (no number from a
 * string, no null coordinate, nothing after the object), and anything it does not read, or a type
 * but the six simple ones, is read by JTS's reader, whose verdict stands as before
 * (GeoJsonGeometryTest holds the two to the same answers).
 */
final class GeoJsonGeometry {
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final Map<String, Class<? extends GeoJSON>> SIMPLE =
      Map.of(
          "Point", Point.class,
          "LineString", LineString.class,
          "Polygon", Polygon.class,
          "MultiPoint", MultiPoint.class,
          "MultiLineString", MultiLineString.class,
          "MultiPolygon", MultiPolygon.class);
  private static final GeoJSONReader FAST = new GeoJSONReader();
  private static final GeoJsonReader JTS = new GeoJsonReader();

  private GeoJsonGeometry() {}

  static Geometry read(String text) throws ParseException {
    try {
      JsonNode node = STRICT.readTree(text);
      Class<? extends GeoJSON> type = SIMPLE.get(node.path("type").asText());
      if (type != null) {
        return FAST.read(STRICT.treeToValue(node, type));
      }
    } catch (IOException | RuntimeException e) {
      // Not for the fast path: JTS's reader below gives its verdict and message, as before.
    }
    return JTS.read(text);
  }
}
