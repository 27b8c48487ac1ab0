package org.lifecircle.indicators;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.lifecircle.catalog.IndicatorCatalog;

/**
 * The indicators counted over homes (building_population rows), rolled up to community, street,
 * district and city: coverage of the target residents and of residential land by a set of
 * categories, residents of old compounds, old-compound buildings without an elevator.
 *
 * <p>Every such indicator of the catalog is computed from one per-home frame and one aggregate.
 * building_access (one row per home and category, 30.6 M rows at SF 1) is grouped by building once,
 * with a covered flag and a target count per category set, instead of once per indicator; each home
 * then carries a numerator, a denominator and a presence flag per indicator, and one aggregate over
 * the homes, exploded to their areas, sums them all. SF 1 indicators stage alone: see
 * docs/BENCHMARKS.md, "Indicators: one pass over building_access" (session 19).
 *
 * <p>Definitions, per indicator:
 *
 * <ul>
 *   <li>coverage: share of the target residents covered by any of the categories, over the homes
 *       with a building_access row of the set. The categories of one indicator share their target
 *       group (checked when the catalog loads), so the largest of their target counts is the
 *       home's.
 *   <li>coverage_land: the same share of residential land, the footprint area of the homes'
 *       buildings (silver buildings) standing in for it.
 *   <li>old_compound_residents: share of residents whose building's compound was built before the
 *       cut-off year (a compound without a year is not old).
 *   <li>old_compound_no_elevator: count of homes in old compounds with more floors than the limit
 *       and has_elevator = false (an unknown status is not counted).
 * </ul>
 *
 * An area is reported for an indicator when at least one of its homes counts for it (a home without
 * an area code at a level is left out of that level, as in community_coverage); the city row always
 * exists. Ratios are null where the denominator sums to 0, totals 0 where nothing counts.
 */
final class HomeIndicators {
  static final Set<String> METHODS =
      Set.of("coverage", "coverage_land", "old_compound_residents", "old_compound_no_elevator");

  private final List<IndicatorCatalog.Indicator> held;
  private final Dataset<Row> rolled;

  private HomeIndicators(List<IndicatorCatalog.Indicator> held, Dataset<Row> rolled) {
    this.held = held;
    this.rolled = rolled;
  }

  /**
   * The home indicators of the catalog whose inputs exist (old-compound ones only with compounds),
   * as one lazily computed roll-up.
   */
  static HomeIndicators of(IndicatorCatalog catalog, IndicatorInputs in) {
    IndicatorCatalog.Parameters p = catalog.parameters();
    List<IndicatorCatalog.Indicator> counted = new ArrayList<>();
    for (IndicatorCatalog.Indicator i : catalog.indicators()) {
      boolean old = i.method().startsWith("old_compound");
      if (METHODS.contains(i.method()) && (!old || in.compounds() != null)) {
        counted.add(i);
      }
    }
    if (counted.isEmpty()) {
      return new HomeIndicators(List.of(), null);
    }
    List<List<String>> sets = new ArrayList<>(categorySets(counted));
    Dataset<Row> homes = in.homes();
    if (!sets.isEmpty()) {
      homes =
          homes.join(
              coveredBySet(in.access(), sets),
              homes.col("building_id").equalTo(col("c_id")),
              "left");
    }
    boolean land = counted.stream().anyMatch(i -> i.method().equals("coverage_land"));
    boolean old = counted.stream().anyMatch(i -> i.method().startsWith("old_compound"));
    if (land || old) {
      Dataset<Row> b =
          in.buildings()
              .select(
                  col("building_id").as("b_id"),
                  col("compound_id").as("b_compound"),
                  col("floors"),
                  col("has_elevator"),
                  expr("ST_Area(ST_GeomFromWKB(geometry))").as("footprint_m2"));
      homes = homes.join(b, col("building_id").equalTo(col("b_id")), "left");
    }
    if (old) {
      Dataset<Row> oldIds =
          in.compounds()
              .where(col("year_built").lt(lit(p.oldCompoundBeforeYear())))
              .select(col("compound_id").as("old_id"))
              .distinct();
      homes =
          homes
              .join(oldIds, col("b_compound").equalTo(col("old_id")), "left")
              .withColumn("old", col("old_id").isNotNull());
    }
    List<Column> measures = new ArrayList<>();
    for (int m = 0; m < counted.size(); m++) {
      IndicatorCatalog.Indicator i = counted.get(m);
      Column[] npd = measure(i, sets.indexOf(categorySet(i)), p);
      measures.add(npd[0].cast("double").as("n" + m));
      measures.add(npd[1].cast("double").as("d" + m));
      measures.add(when(npd[2], lit(1L)).otherwise(lit(0L)).as("p" + m));
    }
    return new HomeIndicators(
        List.copyOf(counted), roll(homes, measures, levels(counted), in.cityCode()));
  }

  /** Whether this roll-up holds the indicator (a home method whose inputs exist). */
  boolean holds(IndicatorCatalog.Indicator i) {
    return held.contains(i);
  }

  /**
   * checkup_indicators rows (without city_code and snapshot_date) of every indicator held (null
   * when none is), from the one aggregate: each area's row exploded to one row per indicator that
   * reports it. One plan branch, where a branch per indicator would each prune the aggregate to its
   * own sums and so repeat it (Spark reuses an exchange only where the plans below it are the
   * same).
   */
  Dataset<Row> rows() {
    if (held.isEmpty()) {
      return null;
    }
    List<Column> perIndicator = new ArrayList<>();
    for (int m = 0; m < held.size(); m++) {
      IndicatorCatalog.Indicator i = held.get(m);
      Column n = col("n" + m);
      Column d = col("d" + m);
      Column value =
          i.method().equals("old_compound_no_elevator")
              ? coalesce(n, lit(0.0))
              : when(d.gt(0), n.divide(d));
      Column reported =
          col("area_level")
              .isin(i.levels().toArray())
              .and(col("p" + m).gt(0).or(col("area_level").equalTo("city")));
      Column[] target = IndicatorsStage.targetColumns(value, i);
      perIndicator.add(
          struct(
              lit(i.code()).as("indicator_code"),
              value.as("value"),
              target[0].as("unit"),
              target[1].as("target"),
              target[2].as("meets_target"),
              reported.as("reported")));
    }
    return rolled
        .select(
            col("area_level"),
            col("area_code"),
            explode(array(perIndicator.toArray(new Column[0]))).as("r"))
        .where(col("r.reported"))
        .select(
            col("area_level"),
            col("area_code"),
            col("r.indicator_code").as("indicator_code"),
            lit(null).cast("string").as("breakdown"),
            col("r.value").as("value"),
            col("r.unit").as("unit"),
            col("r.target").as("target"),
            col("r.meets_target").as("meets_target"));
  }

  /** area_level, area_code, breakdown (null), value of one indicator held. */
  Dataset<Row> values(IndicatorCatalog.Indicator i) {
    return rows()
        .where(col("indicator_code").equalTo(i.code()))
        .select("area_level", "area_code", "breakdown", "value");
  }

  /** The distinct category sets of the coverage indicators, in catalog order. */
  static Set<List<String>> categorySets(List<IndicatorCatalog.Indicator> indicators) {
    Set<List<String>> sets = new LinkedHashSet<>();
    for (IndicatorCatalog.Indicator i : indicators) {
      if (i.method().startsWith("coverage")) {
        sets.add(categorySet(i));
      }
    }
    return sets;
  }

  /** The indicator's categories, each once, in catalog order: its key among the sets. */
  private static List<String> categorySet(IndicatorCatalog.Indicator i) {
    return List.copyOf(new LinkedHashSet<>(i.categories()));
  }

  /**
   * building_access grouped by building once: per category set s, cov{s} = 1 when a category of the
   * set covers the building, 0 when none does, null when the building has no row of the set; tgt{s}
   * the largest target count of the set's rows.
   */
  static Dataset<Row> coveredBySet(Dataset<Row> access, List<List<String>> sets) {
    Set<String> all = new LinkedHashSet<>();
    sets.forEach(all::addAll);
    List<Column> aggs = new ArrayList<>();
    for (int s = 0; s < sets.size(); s++) {
      Column in = col("category").isin(sets.get(s).toArray());
      aggs.add(max(when(in, when(col("covered"), lit(1)).otherwise(lit(0)))).as("cov" + s));
      aggs.add(max(when(in, col("target_residents"))).as("tgt" + s));
    }
    return access
        .where(col("category").isin(all.toArray()))
        .groupBy(col("building_id").as("c_id"))
        .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
  }

  /** Numerator, denominator and presence of one home for the indicator. */
  private static Column[] measure(
      IndicatorCatalog.Indicator i, int set, IndicatorCatalog.Parameters p) {
    switch (i.method()) {
      case "coverage":
        {
          Column cov = col("cov" + set);
          return new Column[] {cov.multiply(col("tgt" + set)), col("tgt" + set), cov.isNotNull()};
        }
      case "coverage_land":
        {
          Column cov = col("cov" + set);
          return new Column[] {
            cov.multiply(col("footprint_m2")),
            col("footprint_m2"),
            cov.isNotNull().and(col("b_id").isNotNull())
          };
        }
      case "old_compound_residents":
        return new Column[] {
          when(col("old"), col("residents")).otherwise(lit(0L)), col("residents"), lit(true)
        };
      case "old_compound_no_elevator":
        {
          Column lacks =
              col("old")
                  .and(col("floors").gt(lit(p.elevatorAboveFloors())))
                  .and(col("has_elevator").equalTo(false));
          return new Column[] {when(lacks, lit(1)).otherwise(lit(0)), lit(null), lit(true)};
        }
      default:
        throw new IllegalStateException("not a home method: " + i.method());
    }
  }

  /** The levels below the city that any of the indicators reports. */
  private static List<String> levels(List<IndicatorCatalog.Indicator> indicators) {
    List<String> levels = new ArrayList<>();
    for (String level : IndicatorCatalog.LEVELS) {
      if (!"city".equals(level) && indicators.stream().anyMatch(i -> i.levels().contains(level))) {
        levels.add(level);
      }
    }
    return levels;
  }

  /**
   * Sums every measure per area in one aggregate: each home exploded to its area at every level (a
   * null code leaves the home out of that level) and to the city. One row of the city with every
   * measure null joins the homes, so that the city's row exists even without homes (sums skip
   * nulls).
   */
  private static Dataset<Row> roll(
      Dataset<Row> homes, List<Column> measures, List<String> levels, String cityCode) {
    List<Column> areas = new ArrayList<>();
    for (String level : levels) {
      // level is one of IndicatorCatalog.LEVELS, never catalog text
      areas.add(struct(lit(level).as("level"), col(level + "_code").as("code")));
    }
    areas.add(struct(lit("city").as("level"), lit(cityCode).as("code")));
    List<Column> exploded = new ArrayList<>();
    exploded.add(explode(array(areas.toArray(new Column[0]))).as("area"));
    exploded.addAll(measures);
    Dataset<Row> perArea =
        homes
            .select(exploded.toArray(new Column[0]))
            .where(col("area.code").isNotNull())
            .select(col("area.level").as("area_level"), col("area.code").as("area_code"), col("*"))
            .drop("area");
    List<Column> nothing = new ArrayList<>();
    List<Column> sums = new ArrayList<>();
    for (StructField f : perArea.schema().fields()) {
      if (f.name().startsWith("area_")) {
        nothing.add(lit(f.name().equals("area_level") ? "city" : cityCode).as(f.name()));
      } else {
        nothing.add(lit(null).cast(f.dataType()).as(f.name()));
        sums.add(sum(col(f.name())).as(f.name()));
      }
    }
    Dataset<Row> city = homes.sparkSession().range(1).select(nothing.toArray(new Column[0]));
    return perArea
        .unionByName(city)
        .groupBy("area_level", "area_code")
        .agg(sums.get(0), sums.subList(1, sums.size()).toArray(new Column[0]));
  }
}
