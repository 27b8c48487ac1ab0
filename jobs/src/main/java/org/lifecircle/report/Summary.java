package org.lifecircle.report;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;

/**
 * The end of a run's console summary: the headline figures ({@link Headlines}, the same as the
 * report's), the ten most severe gaps with names, and where the report and the log are. About
 * twenty lines, so the whole summary of a nightly fits one screen.
 */
public final class Summary {
  private static final List<String> AFTER_COVERAGE =
      List.of("coverage", "adequacy", "assets", "recommend", "indicators", "report");

  private Summary() {}

  /**
   * Prints the summary; {@code fromReport} holds the figure lines when the report stage made them
   * in this process (the same tables, read once), else they are computed here.
   */
  public static void print(
      SparkSession spark,
      RunContext ctx,
      StageTables tables,
      PrintStream out,
      List<String> stages,
      Path log,
      Optional<List<String>> fromReport) {
    if (fromReport.isPresent()) {
      fromReport.get().forEach(out::println);
    } else if (stages.stream().anyMatch(AFTER_COVERAGE::contains)
        && tables.exists(Tables.COVERAGE_GAPS)) {
      FacilityCatalog catalog = ctx.catalogs().facilities();
      lines(
              Headlines.compute(spark, tables, catalog),
              ReportStage.Names.load(tables, catalog),
              Sections.topGapRows(tables))
          .forEach(out::println);
    }
    Path report =
        ctx.warehouse()
            .resolve("_reports")
            .resolve(ctx.cityCode())
            .resolve(ctx.snapshotDate() + ".html");
    if (stages.contains(ReportStage.NAME) && Files.exists(report)) {
      out.println("report: " + report.toAbsolutePath());
    }
    out.println("log: " + log.toAbsolutePath());
  }

  /**
   * The headline figures and the top gaps ({@link Sections#topGapRows}'s columns), with names for
   * codes.
   */
  static List<String> lines(Headlines h, ReportStage.Names names, List<Row> topGaps) {
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            Locale.ROOT,
            "residents: %,d in %,d homes; %,d (%.1f%%) have at least one unmet category",
            h.residents(),
            h.homes(),
            h.unmetResidents(),
            h.residents() == 0 ? 0.0 : 100.0 * h.unmetResidents() / h.residents()));
    lines.add(
        String.format(
            Locale.ROOT,
            "complete communities: %,d of %,d with residents (%,d communities in"
                + " all); gaps: %,d distance, %,d capacity",
            h.completeCommunities(),
            h.populatedCommunities(),
            h.communities(),
            h.distanceGaps(),
            h.capacityGaps()));
    lines.add("top 10 gaps by severity (coverage_gaps ORDER BY rank):");
    lines.add(
        "  rank  community                      category                       kind"
            + "       uncovered   severity");
    for (Row r : topGaps) {
      lines.add(
          String.format(
              Locale.ROOT,
              "  %4d  %s %s %-9s %10s %10s",
              r.getInt(0),
              clip(names.area(r.getString(2)), 30),
              clip(names.category(r.getString(3)), 30),
              r.getString(1),
              Sections.fmt(r.getLong(4)),
              Sections.fmt(r.getDouble(7))));
    }
    return lines;
  }

  /** Cuts a name to the column's width (display width: a CJK character counts two). */
  static String clip(String s, int width) {
    StringBuilder b = new StringBuilder();
    int w = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int cw = Character.isIdeographic(cp) || (cp >= 0xFF00 && cp <= 0xFFEF) ? 2 : 1;
      if (w + cw > width) {
        break;
      }
      b.appendCodePoint(cp);
      w += cw;
      i += Character.charCount(cp);
    }
    return b + " ".repeat(Math.max(0, width - w));
  }
}
