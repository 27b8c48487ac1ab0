package org.lifecircle.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Polygon;

/**
 * The report's static SVG map in the city's metric CRS (no tiles, no network): community
 * boundaries, the walk network, building footprints (homes coloured by whether the chosen category
 * covers them), that category's facilities and recommended sites with labels, a legend with a title
 * and units, a scale bar and a north arrow. Every category's facilities and sites are in the SVG,
 * each in a group shown only for its category; homes carry one covered flag per category in {@code
 * data-c}, so the page's small inline script switches category offline.
 *
 * <p>SVG is a few lines of text per feature, written here directly: a plotting library would add a
 * dependency (and a browser-side runtime) for what JTS coordinates already give.
 */
final class SvgMap {
  /** Colours the report's screenshot test looks for: each is used by one layer only. */
  static final String COVERED = "#1a9850";

  static final String UNCOVERED = "#d73027";
  static final String OTHER_BUILDING = "#bdb4a8";
  static final String WALK = "#6f7fb0";
  static final String FACILITY = "#2166ac";
  static final String SITE = "#9c27b0";
  static final String SERVICE_AREA = "#4393c3";
  static final String BOUNDARY = "#444444";
  static final String LEGEND_PANEL = "#fffbea";

  record Area(String code, String label, Geometry geometry) {}

  /**
   * A building; {@code flags} one character per category ('1' covered, '0' not), null: not a home.
   */
  record Building(Geometry footprint, String flags, String label) {}

  record Point(String category, double x, double y, String label) {}

  /** A category's service area inside one community, at the category's own minutes. */
  record ServiceArea(String category, Geometry geometry) {}

  record Layers(
      List<Area> communities,
      List<Geometry> walkEdges,
      List<Building> buildings,
      List<Point> facilities,
      List<Point> sites,
      List<ServiceArea> serviceAreas,
      List<String> categories,
      Map<String, String> categoryNames,
      String initialCategory,
      String note) {}

  private static final int WIDTH = 1000;
  private static final int LEGEND_H = 132;

  private SvgMap() {}

  static String render(Layers l) {
    Envelope env = new Envelope();
    l.communities().forEach(a -> env.expandToInclude(a.geometry().getEnvelopeInternal()));
    l.buildings().forEach(b -> env.expandToInclude(b.footprint().getEnvelopeInternal()));
    if (env.isNull()) {
      return "<p>(no areas to draw · 无可绘制区域)</p>";
    }
    env.expandBy(Math.max(env.getWidth(), env.getHeight()) * 0.01);
    Frame f = new Frame(env, WIDTH / env.getWidth());
    int height = (int) Math.ceil(env.getHeight() * f.scale());
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "<svg id=\"lc-map\" xmlns=\"http://www.w3.org/2000/svg\""
                + " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">%n",
            WIDTH,
            height + LEGEND_H,
            WIDTH,
            height + LEGEND_H,
            SvgMap.escape("Map of homes, walk network, facilities and recommended sites")));
    // The plot area (everything but the legend panel below it): id lc-plot.
    b.append("<rect id=\"lc-plot\" x=\"0\" y=\"0\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" fill=\"#ffffff\"/>\n");
    // Buildings first, then the network over them, boundaries, points and labels on top.
    b.append("<g id=\"lc-buildings\" stroke=\"none\" shape-rendering=\"crispEdges\">\n");
    int initial = Math.max(0, l.categories().indexOf(l.initialCategory()));
    for (Building bd : l.buildings()) {
      String fill =
          bd.flags() == null
              ? OTHER_BUILDING
              : bd.flags().charAt(initial) == '1' ? COVERED : UNCOVERED;
      b.append("<path fill=\"").append(fill).append('"');
      if (bd.flags() != null) {
        b.append(" data-c=\"").append(bd.flags()).append('"');
      }
      b.append(" d=\"");
      polygons(b, bd.footprint(), f);
      b.append("\"><title>").append(escape(bd.label())).append("</title></path>\n");
    }
    b.append("</g>\n<path id=\"lc-walk\" fill=\"none\" stroke=\"")
        .append(WALK)
        .append("\" stroke-width=\"1.6\" shape-rendering=\"crispEdges\" d=\"");
    for (Geometry g : l.walkEdges()) {
      for (int i = 0; i < g.getNumGeometries(); i++) {
        if (g.getGeometryN(i) instanceof LineString line) {
          path(b, line.getCoordinates(), f, false);
        }
      }
    }
    b.append("\"/>\n<g id=\"lc-boundaries\" fill=\"none\" stroke=\"")
        .append(BOUNDARY)
        .append("\" stroke-width=\"1\" stroke-dasharray=\"5 3\">\n");
    for (Area a : l.communities()) {
      b.append("<path d=\"");
      polygons(b, a.geometry(), f);
      b.append("\"><title>").append(escape(a.label())).append("</title></path>\n");
    }
    b.append("</g>\n");
    for (String cat : l.categories()) {
      String display = cat.equals(l.categories().get(initial)) ? "inline" : "none";
      b.append("<g class=\"lc-cat\" data-cat=\"")
          .append(escape(cat))
          .append("\" style=\"display:")
          .append(display)
          .append("\">\n");
      // The walk the category's minutes reach (service_areas, community rows), under its points.
      b.append("<path class=\"lc-area\" fill=\"")
          .append(SERVICE_AREA)
          .append("\" fill-opacity=\"0.28\" stroke=\"")
          .append(SERVICE_AREA)
          .append("\" stroke-width=\"0.8\" d=\"");
      for (ServiceArea a : l.serviceAreas()) {
        if (a.category().equals(cat)) {
          polygons(b, a.geometry(), f);
        }
      }
      b.append("\"/>\n");
      for (Point p : l.facilities()) {
        if (p.category().equals(cat)) {
          b.append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\""
                      + " fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"1\"><title>%s</title></rect>%n",
                  f.x(p.x()) - 4,
                  f.y(p.y()) - 4,
                  FACILITY,
                  escape(p.label())));
        }
      }
      for (Point p : l.sites()) {
        if (p.category().equals(cat)) {
          double x = f.x(p.x());
          double y = f.y(p.y());
          b.append(
              String.format(
                  Locale.ROOT,
                  "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ\""
                      + " fill=\"%s\" stroke=\"#000\" stroke-width=\"0.8\"><title>%s</title></path>"
                      + "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" font-weight=\"bold\" fill=\"#000\""
                      + " stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">%s</text>%n",
                  x,
                  y - 9,
                  x + 8,
                  y,
                  x,
                  y + 9,
                  x - 8,
                  y,
                  SITE,
                  escape(p.label()),
                  x + 10,
                  y + 4,
                  escape(p.label())));
        }
      }
      b.append("</g>\n");
    }
    legend(b, l, f, height);
    return b.append("</svg>\n").toString();
  }

  /** Legend with title and units, scale bar and north arrow, below the map. */
  private static void legend(StringBuilder b, Layers l, Frame f, int top) {
    b.append(
        String.format(
            Locale.ROOT,
            "<g id=\"lc-legend\" font-size=\"12\" fill=\"#000\">"
                + "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#999\"/>%n",
            top,
            WIDTH,
            LEGEND_H,
            LEGEND_PANEL));
    String name = l.categoryNames().getOrDefault(l.initialCategory(), l.initialCategory());
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"10\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">"
                + "图例 Legend · 类别 category: <tspan id=\"lc-legend-cat\">%s</tspan></text>%n",
            top + 20,
            escape(name)));
    Object[][] rows = {
      {"rect", COVERED, "住宅：步行距离内有该类设施 Home within the category's walking threshold"},
      {"rect", UNCOVERED, "住宅：未覆盖 Home not covered (beyond the threshold, m)"},
      {"rect", OTHER_BUILDING, "其他建筑 Other building"},
      {"line", WALK, "步行网络 Walk network"},
      {"square", FACILITY, "该类设施 Facility of the category"},
      {"diamond", SITE, "推荐选址（编号=推荐顺序）Recommended idle site (label = pick order)"},
      {"dash", BOUNDARY, "社区边界 Community boundary"},
      {"area", SERVICE_AREA, "步行服务范围（该类圈层分钟）Walk service area (the category's minutes)"},
    };
    for (int i = 0; i < rows.length; i++) {
      int x = 10 + (i % 2) * 480;
      int y = top + 38 + (i / 2) * 18;
      String colour = (String) rows[i][1];
      switch ((String) rows[i][0]) {
        case "line" ->
            b.append(
                String.format(
                    Locale.ROOT,
                    "<path d=\"M%d %dH%d\" stroke=\"%s\"" + " stroke-width=\"3\"/>",
                    x,
                    y - 4,
                    x + 22,
                    colour));
        case "dash" ->
            b.append(
                String.format(
                    Locale.ROOT,
                    "<path d=\"M%d %dH%d\" stroke=\"%s\""
                        + " stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>",
                    x,
                    y - 4,
                    x + 22,
                    colour));
        case "area" ->
            b.append(
                String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"22\" height=\"10\" fill=\"%s\""
                        + " fill-opacity=\"0.28\" stroke=\"%s\" stroke-width=\"0.8\"/>",
                    x,
                    y - 9,
                    colour,
                    colour));
        case "square" ->
            b.append(
                String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"10\"" + " height=\"10\" fill=\"%s\"/>",
                    x + 6,
                    y - 9,
                    colour));
        case "diamond" ->
            b.append(
                String.format(
                    Locale.ROOT,
                    "<path d=\"M%d %dL%d %dL%d %dL%d %dZ\""
                        + " fill=\"%s\" stroke=\"#000\" stroke-width=\"0.8\"/>",
                    x + 11,
                    y - 13,
                    x + 18,
                    y - 4,
                    x + 11,
                    y + 5,
                    x + 4,
                    y - 4,
                    colour));
        default ->
            b.append(
                String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"22\"" + " height=\"12\" fill=\"%s\"/>",
                    x,
                    y - 10,
                    colour));
      }
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\">%s</text>%n",
              x + 30,
              y,
              escape((String) rows[i][2])));
    }
    // Scale bar: the round length nearest a fifth of the map width.
    double metres = niceLength(WIDTH / f.scale() / 5);
    double px = metres * f.scale();
    int sy = top + LEGEND_H - 14;
    b.append(
        String.format(
            Locale.ROOT,
            "<g id=\"lc-scale\"><path d=\"M10 %dv-6M10 %dH%.1fv-6\" stroke=\"#000\""
                + " stroke-width=\"2\" fill=\"none\"/><text x=\"%.1f\" y=\"%d\">%s</text></g>%n",
            sy,
            sy,
            10 + px,
            16 + px,
            sy,
            metres >= 1000 ? fmt(metres / 1000) + " km" : fmt(metres) + " m"));
    // North arrow (grid north of the metric CRS, which is close to true north at city scale).
    int nx = WIDTH - 30;
    b.append(
        String.format(
            Locale.ROOT,
            "<g id=\"lc-north\"><path d=\"M%d %dL%d %dL%d %dL%d %dZ\" fill=\"#000\"/>"
                + "<text x=\"%d\" y=\"%d\" font-weight=\"bold\" text-anchor=\"middle\">N 北</text>"
                + "</g>%n",
            nx,
            top + 30,
            nx + 8,
            top + 56,
            nx,
            top + 50,
            nx - 8,
            top + 56,
            nx,
            top + 72));
    if (l.note() != null) {
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%s</text>%n",
              40 + px + 60,
              sy,
              escape(l.note())));
    }
    b.append("</g>\n");
  }

  static double niceLength(double target) {
    double p = Math.pow(10, Math.floor(Math.log10(target)));
    for (double m : new double[] {5, 2, 1}) {
      if (m * p <= target) {
        return m * p;
      }
    }
    return p;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  private record Frame(Envelope env, double scale) {
    double x(double mx) {
      return (mx - env.getMinX()) * scale;
    }

    double y(double my) {
      return (env.getMaxY() - my) * scale;
    }
  }

  private static void polygons(StringBuilder b, Geometry g, Frame f) {
    for (int i = 0; i < g.getNumGeometries(); i++) {
      if (g.getGeometryN(i) instanceof Polygon p) {
        path(b, p.getExteriorRing().getCoordinates(), f, true);
        for (int h = 0; h < p.getNumInteriorRing(); h++) {
          path(b, p.getInteriorRingN(h).getCoordinates(), f, true);
        }
      }
    }
  }

  private static void path(StringBuilder b, Coordinate[] cs, Frame f, boolean close) {
    for (int i = 0; i < cs.length; i++) {
      b.append(i == 0 ? 'M' : 'L')
          .append(String.format(Locale.ROOT, "%.1f %.1f", f.x(cs[i].x), f.y(cs[i].y)));
    }
    if (close) {
      b.append('Z');
    }
  }

  static String escape(String s) {
    return s == null
        ? ""
        : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
