package org.lifecircle.coverage;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.DistanceBasis;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.Tables;

/**
 * Coverage of target residents per category for community, street, district and city, the
 * complete-community flag, and the gap ledger (community x category that falls short): distance
 * gaps from coverage, capacity gaps from the adequacy stage's community shortfalls, one ranking.
 */
public final class CoverageStage implements Stage {
  public static final String NAME = "coverage";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Doors doors() {
    return Doors.reads(
            Tables.BUILDING_ACCESS,
            Tables.BUILDING_POPULATION,
            Tables.ADMIN_AREAS,
            Tables.FACILITY_ADEQUACY)
        .writes(Tables.COMMUNITY_COVERAGE, Tables.COVERAGE_GAPS)
        .checks("inputs_not_empty");
  }

  @Override
  public StageResult run(SparkSession spark, RunContext ctx, StageTables tables) {
    FacilityCatalog catalog = ctx.catalogs().facilities();
    Dataset<Row> access = tables.input(Tables.BUILDING_ACCESS);
    Dataset<Row> homes =
        tables
            .snapshot(Tables.BUILDING_POPULATION)
            .select("building_id", "street_code", "district_code");
    Dataset<Row> cat = CatalogFrame.of(spark, catalog);
    // Broadcast: the homes (three codes each) are small beside building_access (one row per
    // category), whose rows then are not shuffled to meet them.
    Dataset<Row> cells =
        cells(
                access.join(broadcast(homes), "building_id", "left"),
                ctx.city().limits().detourFactor())
            .persist(StorageLevel.MEMORY_AND_DISK());

    double completeShare = ctx.city().limits().completeCommunityShare();
    Dataset<Row> areas =
        tables.input(Tables.ADMIN_AREAS).select(col("level").as("area_level"), col("area_code"));
    Dataset<Row> coverage =
        coverage(cells, areas, cat, ctx.cityCode(), completeShare)
            .persist(StorageLevel.MEMORY_AND_DISK());
    long coverageRows = tables.replaceSnapshot(Tables.COMMUNITY_COVERAGE, coverage);

    Dataset<Row> distanceGaps =
        Gaps.distanceGaps(cells, coverage, cat, ctx.city().limits().gapCoverageShare());
    // Not an input check: a catalog without capacity blocks leaves facility_adequacy empty.
    Dataset<Row> capacityGaps = Gaps.capacityGaps(tables.snapshot(Tables.FACILITY_ADEQUACY), cat);
    long gapRows =
        tables.replaceSnapshot(
            Tables.COVERAGE_GAPS,
            Gaps.ranked(
                distanceGaps.unionByName(capacityGaps), ctx.cityCode(), ctx.snapshotDate()));

    List<String> headlines = headlines(tables, coverage, cat);
    long in = tables.rows(Tables.BUILDING_ACCESS);
    cells.unpersist();
    coverage.unpersist();
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put(Tables.COMMUNITY_COVERAGE, coverageRows);
    counts.put(Tables.COVERAGE_GAPS, gapRows);
    return new StageResult(in, coverageRows + gapRows, 0, counts, List.of(), Map.of(), headlines);
  }

  /**
   * building_access rows (with each home's street_code and district_code) summed per community,
   * street, district and category, in one pass: residents, target residents, covered target
   * residents, the distance basis, and for the uncovered target residents with a distance on their
   * basis the sum of distance x residents and of those residents (the gap ledger's mean distance).
   * Every level of coverage and the gaps are sums of these cells, so the 30.6 M rows of SF 1 are
   * read once, and only the columns summed.
   *
   * <p>The distance sum is a decimal: summed exactly, it is the same whatever order the rows arrive
   * in (a double sum is not), so the ledger's mean distance does not change with the partitioning.
   *
   * <p>The basis is aggregated as its rank ({@link DistanceBasis}), not taken as the first string,
   * so the sum runs by hash, not sorted by the four keys. A city has one basis, so the largest rank
   * is its basis, as the first was.
   */
  public static Dataset<Row> cells(Dataset<Row> access, double detourFactor) {
    Column d = Gaps.basisDistance(detourFactor);
    Column measured =
        col("covered").equalTo(false).and(col("target_residents").gt(0)).and(d.isNotNull());
    return access
        .groupBy(col("community_code"), col("street_code"), col("district_code"), col("category"))
        .agg(
            sum("residents").as("residents"),
            sum("target_residents").as("target_residents"),
            sum(when(col("covered"), col("target_residents")).otherwise(lit(0L)))
                .as("covered_target_residents"),
            max(DistanceBasis.rank(col("distance_basis"))).as("basis_rank"),
            sum(when(measured, d.multiply(col("target_residents")).cast(Gaps.DISTANCE_SUM)))
                .as("uncovered_distance_sum"),
            sum(when(measured, col("target_residents"))).as("uncovered_distance_residents"))
        .withColumn("distance_basis", DistanceBasis.ofRank(col("basis_rank")))
        .drop("basis_rank");
  }

  /**
   * community_coverage rows for all four area levels from {@link #cells}: every area of {@code
   * areas} (area_level, area_code from admin_areas) and the city, times every category of the
   * cells. An area without residents is a row of zeros (coverage rate null), not an absence: a
   * planner counting communities must find all of them.
   */
  public static Dataset<Row> coverage(
      Dataset<Row> cells,
      Dataset<Row> areas,
      Dataset<Row> cat,
      String cityCode,
      double completeShare) {
    Dataset<Row> withCity = cells.withColumn("city_area", lit(cityCode));
    Dataset<Row> all = null;
    for (String[] level :
        new String[][] {
          {"community", "community_code"},
          {"street", "street_code"},
          {"district", "district_code"},
          {"city", "city_area"}
        }) {
      Dataset<Row> agg =
          withCity
              .where(col(level[1]).isNotNull())
              .groupBy(col(level[1]).as("area_code"), col("category"))
              .agg(
                  sum("residents").as("residents"),
                  sum("target_residents").as("target_residents"),
                  sum("covered_target_residents").as("covered_target_residents"),
                  first("distance_basis").as("distance_basis"))
              .withColumn("area_level", lit(level[0]));
      all = all == null ? agg : all.unionByName(agg);
    }
    // Every area x category, the category's distance basis taken from its access rows.
    Dataset<Row> frame =
        areas
            .unionByName(
                cells
                    .sparkSession()
                    .range(1)
                    .select(lit("city").as("area_level"), lit(cityCode).as("area_code")))
            .distinct()
            .crossJoin(
                cells
                    .groupBy(col("category").as("f_category"))
                    .agg(first("distance_basis").as("f_basis")));
    Dataset<Row> filled =
        frame
            .join(
                all,
                frame
                    .col("area_level")
                    .equalTo(all.col("area_level"))
                    .and(frame.col("area_code").equalTo(all.col("area_code")))
                    .and(col("f_category").equalTo(col("category"))),
                "left")
            .select(
                frame.col("area_level"),
                frame.col("area_code"),
                col("f_category").as("category"),
                coalesce(col("residents"), lit(0L)).as("residents"),
                coalesce(col("target_residents"), lit(0L)).as("target_residents"),
                coalesce(col("covered_target_residents"), lit(0L)).as("covered_target_residents"),
                coalesce(col("distance_basis"), col("f_basis")).as("distance_basis"));
    Dataset<Row> rated =
        filled.withColumn(
            "coverage_rate",
            when(
                col("target_residents").gt(0),
                col("covered_target_residents").cast("double").divide(col("target_residents"))));
    // A populated community is complete when every complete-community 5- and 10-minute category
    // covers at least the configured share of its target residents (no target residents: nothing
    // to miss). A community without residents has no flag (null): it is neither.
    Dataset<Row> flags =
        rated
            .where(col("area_level").equalTo("community").and(col("residents").gt(0)))
            .join(cat, col("category").equalTo(col("cat_code")))
            .where(col("cat_complete_community").and(col("cat_level").leq(10)))
            .groupBy(col("area_code").as("flag_area"))
            .agg(
                min(when(
                            col("coverage_rate")
                                .isNull()
                                .or(col("coverage_rate").geq(completeShare)),
                            lit(1))
                        .otherwise(lit(0)))
                    .equalTo(1)
                    .as("complete_community"));
    return rated
        .join(
            flags,
            col("area_level").equalTo("community").and(col("area_code").equalTo(col("flag_area"))),
            "left")
        .drop("flag_area");
  }

  private static List<String> headlines(
      StageTables tables, Dataset<Row> coverage, Dataset<Row> cat) {
    List<String> lines = new ArrayList<>();
    lines.add("  coverage of target residents, city level:");
    for (Row r :
        coverage
            .where(col("area_level").equalTo("city"))
            .join(cat, col("category").equalTo(col("cat_code")))
            .orderBy("cat_level", "category")
            .select(
                "category",
                "cat_name_zh",
                "cat_threshold_m",
                "target_residents",
                "covered_target_residents",
                "coverage_rate",
                "distance_basis")
            .collectAsList()) {
      lines.add(
          String.format(
              "    %-18s %-16s %5.0f m  %6.1f%% of %9d  (%s)",
              r.getString(0),
              r.getString(1),
              r.getDouble(2),
              r.isNullAt(5) ? 0.0 : 100 * r.getDouble(5),
              r.getLong(3),
              r.getString(6)));
    }
    Row communities =
        coverage
            .where(col("area_level").equalTo("community"))
            .groupBy()
            .agg(
                countDistinct(col("area_code")),
                countDistinct(when(col("residents").gt(0), col("area_code"))),
                countDistinct(when(col("complete_community"), col("area_code"))))
            .first();
    lines.add(
        String.format(
            "  complete communities: %d of %d populated (%d communities in all)",
            communities.getLong(2), communities.getLong(1), communities.getLong(0)));
    lines.add("  top gaps (community, category, uncovered target residents, severity):");
    for (Row g :
        tables
            .snapshot(Tables.COVERAGE_GAPS)
            .where(col("gap_kind").equalTo("distance"))
            .orderBy("rank")
            .limit(10)
            .select("rank", "community_code", "category", "target_residents_uncovered", "severity")
            .collectAsList()) {
      lines.add(
          String.format(
              "    #%-3d %s %-18s %7d  %10.1f",
              g.getInt(0), g.getString(1), g.getString(2), g.getLong(3), g.getDouble(4)));
    }
    return lines;
  }
}
