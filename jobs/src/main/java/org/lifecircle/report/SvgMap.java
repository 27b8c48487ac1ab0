package org.lifecircle.report;

import java.util.List;
import java.util.Locale;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Polygon;

/**
 * A static SVG map (no tiles, no scripts, no network): community polygons filled by a value on a
 * colour ramp, and points on top. SVG is a few lines of text per polygon, so it is written here
 * directly; a plotting library would add a dependency for what JTS coordinates already give.
 */
final class SvgMap {
  record Area(Geometry geometry, double value, String label) {}

  record Marker(double x, double y, String colour, String label) {}

  private static final String[] RAMP = {"#f7fcf5", "#fee8c8", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"};

  private SvgMap() {}

  static String render(List<Area> areas, List<Marker> markers, double maxValue, int width, String title) {
    Envelope env = new Envelope();
    areas.forEach(a -> env.expandToInclude(a.geometry().getEnvelopeInternal()));
    if (env.isNull()) {
      return "<p>(no areas to draw)</p>";
    }
    double scale = width / env.getWidth();
    int height = (int) Math.ceil(env.getHeight() * scale);
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
            + " role=\"img\" aria-label=\"%s\">%n", width, height + 40, width, height + 40, escape(title)));
    for (Area a : areas) {
      int bucket = maxValue <= 0 ? 0 : (int) Math.min(RAMP.length - 1,
          Math.ceil(a.value() / maxValue * (RAMP.length - 1)));
      b.append("<path fill=\"").append(RAMP[bucket]).append("\" stroke=\"#555\" stroke-width=\"0.6\" d=\"");
      for (int i = 0; i < a.geometry().getNumGeometries(); i++) {
        if (a.geometry().getGeometryN(i) instanceof Polygon p) {
          ring(b, p.getExteriorRing().getCoordinates(), env, scale, height);
          for (int h = 0; h < p.getNumInteriorRing(); h++) {
            ring(b, p.getInteriorRingN(h).getCoordinates(), env, scale, height);
          }
        }
      }
      b.append("\"><title>").append(escape(a.label())).append("</title></path>\n");
    }
    for (Marker m : markers) {
      b.append(String.format(Locale.ROOT,
          "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"#000\" stroke-width=\"0.5\">"
              + "<title>%s</title></circle>%n", (m.x() - env.getMinX()) * scale,
          height - (m.y() - env.getMinY()) * scale, m.colour(), escape(m.label())));
    }
    for (int i = 0; i < RAMP.length; i++) {
      b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"24\" height=\"14\" fill=\"%s\""
          + " stroke=\"#555\"/>", 10 + i * 28, height + 16, RAMP[i]));
    }
    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\">0 … %.0f</text>%n",
        20 + RAMP.length * 28, height + 28, maxValue));
    return b.append("</svg>\n").toString();
  }

  private static void ring(StringBuilder b, Coordinate[] cs, Envelope env, double scale, int height) {
    for (int i = 0; i < cs.length; i++) {
      b.append(i == 0 ? 'M' : 'L').append(String.format(Locale.ROOT, "%.1f %.1f ",
          (cs[i].x - env.getMinX()) * scale, height - (cs[i].y - env.getMinY()) * scale));
    }
    b.append('Z');
  }

  static String escape(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
