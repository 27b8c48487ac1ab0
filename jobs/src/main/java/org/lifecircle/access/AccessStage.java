package org.lifecircle.access;

import static org.apache.spark.sql.functions.col;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.catalog.AgeBands;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.Contract;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.io.DeltaTables;
import org.lifecircle.io.Tables;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;

/**
 * For every residential building and every catalog category: the nearest facility by straight line,
 * its distance in metres of the metric CRS, and whether it is within the category's threshold.
 * Categories with no facility still produce rows (distance null, not covered).
 *
 * <p>Coverage uses the straight line when the city has a walk network (the network stage then
 * replaces it with network distance), and straight line times the configured detour factor when it
 * has none, labelled {@code straight_line_detour}.
 */
public final class AccessStage implements Stage {
  public static final String NAME = "access";

  @Override
  public String name() {
    return NAME;
  }

  /** The first of building_access's two writers: the network stage rewrites it. */
  @Override
  public Doors doors() {
    return Doors.reads(Tables.BUILDING_POPULATION, Tables.FACILITIES)
        .writes(Tables.BUILDING_ACCESS)
        .checks("inputs_not_empty");
  }

  @Override
  public StageResult run(SparkSession spark, RunContext ctx) {
    FacilityCatalog catalog = ctx.catalogs().facilities();
    Dataset<Row> homes = DeltaTables.input(spark, ctx, Tables.BUILDING_POPULATION);
    Dataset<Row> facilities = DeltaTables.input(spark, ctx, Tables.FACILITIES);
    boolean network = ctx.city().has(Tables.WALK_NETWORK);
    Basis basis =
        network
            ? new Basis("straight_line", 1.0)
            : new Basis("straight_line_detour", ctx.city().limits().detourFactor());
    Dataset<Row> access = access(spark, homes, facilities, catalog, basis);
    long written =
        DeltaTables.replaceSnapshot(spark, ctx, Contract.of(Tables.BUILDING_ACCESS), access);
    long buildings = homes.count();
    Map<String, Long> tables = new LinkedHashMap<>();
    tables.put(Tables.BUILDING_ACCESS, written);
    return new StageResult(
        buildings,
        written,
        0,
        tables,
        List.of(),
        Map.of("categories", catalog.categories().size(), "basis", basis.name()),
        List.of(
            String.format(
                "  %d buildings x %d categories, coverage basis: %s",
                buildings, catalog.categories().size(), basis.name())));
  }

  /** How coverage is decided before (or without) network distances. */
  public record Basis(String name, double factor) implements Serializable {}

  /**
   * The transform: homes (building_population rows) x catalog categories, nearest facility by
   * straight line through a broadcast per-category STRtree applied in mapPartitions.
   */
  public static Dataset<Row> access(
      SparkSession spark,
      Dataset<Row> homes,
      Dataset<Row> facilities,
      FacilityCatalog catalog,
      Basis basis) {
    Map<String, FacilityIndex> indexes = indexByCategory(facilities, catalog);
    Broadcast<Map<String, FacilityIndex>> shared =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(indexes);
    List<String> bandNames = AgeBands.COLUMNS;
    List<String> cols =
        new ArrayList<>(List.of("building_id", "community_code", "origin", "residents"));
    cols.addAll(bandNames);
    JavaRDD<Row> rows =
        homes
            .select(cols.stream().map(c -> col(c)).toArray(Column[]::new))
            .javaRDD()
            .mapPartitions(it -> new NearestRows(it, shared.value(), catalog, basis, bandNames));
    return spark.createDataFrame(
        rows, Contract.of(Tables.BUILDING_ACCESS).schemaWithoutPartitions());
  }

  static Map<String, FacilityIndex> indexByCategory(
      Dataset<Row> facilities, FacilityCatalog catalog) {
    Map<String, TreeMap<String, double[]>> byCategory = new LinkedHashMap<>();
    catalog.codes().forEach(c -> byCategory.put(c, new TreeMap<>()));
    WKBReader reader = new WKBReader();
    for (Row r : facilities.select("facility_id", "category", "geometry").collectAsList()) {
      TreeMap<String, double[]> m = byCategory.get(r.getString(1));
      if (m == null) {
        continue; // ingest already rejected codes outside the catalog
      }
      try {
        Point p = (Point) reader.read((byte[]) r.get(2));
        m.put(r.getString(0), new double[] {p.getX(), p.getY()});
      } catch (ParseException e) {
        throw new IllegalStateException("silver facilities hold invalid WKB: " + r.getString(0), e);
      }
    }
    Map<String, FacilityIndex> out = new LinkedHashMap<>();
    byCategory.forEach(
        (code, m) -> {
          String[] ids = m.keySet().toArray(String[]::new);
          double[] xs = new double[ids.length];
          double[] ys = new double[ids.length];
          for (int i = 0; i < ids.length; i++) {
            xs[i] = m.get(ids[i])[0];
            ys[i] = m.get(ids[i])[1];
          }
          out.put(code, new FacilityIndex(ids, xs, ys));
        });
    return out;
  }
}
