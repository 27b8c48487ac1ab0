package org.lifecircle.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A self-contained HTML page: headings, paragraphs, tables, the inline SVG map and its small inline
 * script (no network, no CDN). Numbers a test or a planner reads back carry their raw value in
 * {@code data-*} attributes beside the formatted text.
 */
final class Html {
  /** One headline figure: its key, label and raw value (formatted for the page). */
  record Figure(String key, String label, long value, String note) {}

  /**
   * A table cell holding a figure: its key and raw value in data-figure/data-value, like {@link
   * #figures}.
   */
  record FigureCell(String key, long value) {}

  /** Cells that read as a number (with unit): right-aligned; names and codes: left-aligned. */
  private static final Pattern NUMBER =
      Pattern.compile("[#—+-]?[\\d,.]*\\d[\\d,.]*( ?(%|m|m²|km|min|s))?( .*)?|—");

  private final StringBuilder body = new StringBuilder();
  private String title = "";

  void title(String t) {
    title = t;
    body.append("<h1>").append(SvgMap.escape(t)).append("</h1>\n");
  }

  void h2(String zh, String en) {
    body.append("<h2>")
        .append(SvgMap.escape(zh))
        .append(" <span class=\"en\">")
        .append(SvgMap.escape(en))
        .append("</span></h2>\n");
  }

  void p(String t) {
    body.append("<p>").append(SvgMap.escape(t)).append("</p>\n");
  }

  void raw(String html) {
    body.append(html).append('\n');
  }

  void figures(List<Figure> figures) {
    body.append("<table class=\"figures\"><tbody>\n");
    for (Figure f : figures) {
      body.append("<tr><th>").append(SvgMap.escape(f.label())).append("</th>");
      figureCell(f.key(), f.value(), f.note());
      body.append("</tr>\n");
    }
    body.append("</tbody></table>\n");
  }

  private void figureCell(String key, long value, String note) {
    body.append("<td class=\"n\" data-figure=\"")
        .append(SvgMap.escape(key))
        .append("\" data-value=\"")
        .append(value)
        .append("\">")
        .append(String.format(Locale.ROOT, "%,d", value))
        .append(note == null ? "" : " " + SvgMap.escape(note))
        .append("</td>");
  }

  void table(List<String> header, List<? extends List<?>> rows) {
    table(null, header, rows, null);
  }

  /**
   * A table inside a box that scrolls sideways rather than running off the page; {@code rowData},
   * when given, is one map of data-* attributes per row (raw values for readers of the page). A
   * cell is its text, or a {@link FigureCell}.
   */
  void table(
      String id,
      List<String> header,
      List<? extends List<?>> rows,
      List<Map<String, String>> rowData) {
    body.append("<div class=\"tbl\"><table")
        .append(id == null ? "" : " id=\"" + id + "\"")
        .append("><thead><tr>");
    header.forEach(c -> body.append("<th>").append(SvgMap.escape(c)).append("</th>"));
    body.append("</tr></thead><tbody>\n");
    for (int i = 0; i < rows.size(); i++) {
      body.append("<tr");
      if (rowData != null) {
        rowData
            .get(i)
            .forEach(
                (k, v) ->
                    body.append(" data-")
                        .append(k)
                        .append("=\"")
                        .append(SvgMap.escape(v))
                        .append('"'));
      }
      body.append('>');
      for (Object cell : rows.get(i)) {
        if (cell instanceof FigureCell f) {
          figureCell(f.key(), f.value(), null);
        } else {
          String c = String.valueOf(cell);
          body.append(NUMBER.matcher(c).matches() ? "<td class=\"n\">" : "<td>")
              .append(SvgMap.escape(c))
              .append("</td>");
        }
      }
      body.append("</tr>\n");
    }
    body.append("</tbody></table></div>\n");
  }

  @Override
  public String toString() {
    return "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width\"><title>"
        + SvgMap.escape(title)
        + "</title><style>body{font-family:'Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif;"
        + "margin:2em auto;max-width:1040px;padding:0 1em;color:#222}"
        + "h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:1.6em}"
        + "h2 .en,.en{color:#666;font-weight:normal;font-size:0.85em}"
        + ".tbl{overflow-x:auto;max-width:100%}"
        + "table{border-collapse:collapse;margin:0.6em 0;font-size:13px}"
        + "td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}"
        + "td.n{text-align:right;white-space:nowrap}th{background:#f3f3f3;font-weight:600}"
        + "table.figures th{text-align:left;font-weight:normal}"
        + "svg{max-width:100%;height:auto;border:1px solid #ccc}"
        + ".switch{margin:0.5em 0}.met{color:#1a7f37}.unmet{color:#b42318}</style></head><body>\n"
        + body
        + "</body></html>\n";
  }
}
