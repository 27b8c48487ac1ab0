package org.lifecircle.osm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lifecircle.common.PipelineException;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKTReader;
import org.locationtech.jts.io.geojson.GeoJsonReader;
import org.locationtech.jts.operation.union.UnaryUnionOp;

/**
 * The optional bounding polygon of an osm source: a WGS84 file holding WKT, a GeoJSON geometry, a
 * Feature or a FeatureCollection (the union of its features), as planners export district
 * boundaries from QGIS.
 */
final class Clip {
  private Clip() {}

  static Geometry read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw PipelineException.cannot("read", "osm clip polygon", "file does not exist", file);
    }
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).trim();
      Geometry g =
          text.startsWith("{")
              ? geoJson(new ObjectMapper().readTree(text))
              : new WKTReader().read(text);
      if (g == null || g.isEmpty() || g.getDimension() != 2) {
        throw PipelineException.cannot("read", "osm clip polygon", "it holds no polygon", file);
      }
      return g;
    } catch (IOException | ParseException e) {
      throw PipelineException.cannot(
          "read", "osm clip polygon", "not WKT or GeoJSON: " + e.getMessage(), file, e);
    }
  }

  private static Geometry geoJson(JsonNode node) throws ParseException {
    String type = node.path("type").asText();
    if (type.equals("FeatureCollection")) {
      List<Geometry> parts = new ArrayList<>();
      for (JsonNode f : node.path("features")) {
        parts.add(geoJson(f));
      }
      return parts.isEmpty() ? null : UnaryUnionOp.union(parts);
    }
    if (type.equals("Feature")) {
      return geoJson(node.path("geometry"));
    }
    return new GeoJsonReader().read(node.toString());
  }
}
