package org.lifecircle.report;

import java.util.List;

/** A minimal, self-contained HTML page: headings, paragraphs, tables, inline SVG; no scripts. */
final class Html {
  private final StringBuilder body = new StringBuilder();
  private String title = "";

  void title(String t) {
    title = t;
    body.append("<h1>").append(SvgMap.escape(t)).append("</h1>\n");
  }

  void h2(String t) {
    body.append("<h2>").append(SvgMap.escape(t)).append("</h2>\n");
  }

  void p(String t) {
    body.append("<p>").append(SvgMap.escape(t)).append("</p>\n");
  }

  void raw(String svg) {
    body.append("<figure>").append(svg).append("</figure>\n");
  }

  void table(List<String> header, List<List<String>> rows) {
    body.append("<table><thead><tr>");
    header.forEach(c -> body.append("<th>").append(SvgMap.escape(c)).append("</th>"));
    body.append("</tr></thead><tbody>\n");
    for (List<String> r : rows) {
      body.append("<tr>");
      r.forEach(c -> body.append("<td>").append(SvgMap.escape(c)).append("</td>"));
      body.append("</tr>\n");
    }
    body.append("</tbody></table>\n");
  }

  @Override
  public String toString() {
    return "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>"
        + SvgMap.escape(title) + "</title><style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
        + "table{border-collapse:collapse;margin:1em 0;font-size:13px}"
        + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
        + "th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}</style></head><body>\n"
        + body + "</body></html>\n";
  }
}
