package org.lifecircle.population;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.catalog.AgeBands;

/**
 * Where a grid cell's residents go. A cell's residents go to the residential buildings whose origin
 * lies in it (allocation {@code cell}). A cell with residents and none of those falls back, in this
 * order:
 *
 * <ol>
 *   <li>{@code cell_unknown_use}: the cell's buildings whose use had no evidence (an OSM plain
 *       {@code building=yes} off residential land): they may be homes, and the grid says people
 *       live there;
 *   <li>{@code cell_nearby}: residential buildings within {@code limits.nearby_home_m} of the cell
 *       (a grid misaligned with the footprints, or a cell that overlaps another);
 *   <li>{@code cell_point}: a pseudo-home at the cell's interior point (building_id {@code
 *       cell:<unit_id>}), so the residents still count in coverage.
 * </ol>
 *
 * Every step allocates by floor area with the largest-remainder method (a pseudo-home takes all),
 * so each cell's band totals are kept exactly. Nothing here is quarantined: a pseudo-home outside
 * every community is, by the stage, like any home.
 */
record Placement(
    Dataset<Row> homes,
    Dataset<Row> allocated,
    Map<String, Map<String, Long>> fallbacks,
    long overlappingPairs,
    long emptyCells,
    List<JavaRDD<?>> kept) {
  static final String CELL_HOME_PREFIX = "cell:";
  static final List<String> FALLBACKS = List.of("cell_unknown_use", "cell_nearby", "cell_point");

  /**
   * homes: building_id, source_row, compound_id, origin, residential_floor_area_m2 of every home
   * (residential buildings, the unknown-use buildings that got residents, the pseudo-homes);
   * allocated: building_id, allocation, pop_* bands (several rows per building where it takes
   * residents from several cells).
   */
  static Placement place(
      Dataset<Row> cells, Dataset<Row> residential, Dataset<Row> unknownUse, double nearbyM) {
    List<JavaRDD<?>> kept = new ArrayList<>();
    Dataset<Row> located = cells.where(col("geometry").isNotNull());
    Dataset<Row> inCells = keep(kept, Dasymetric.homesInCells(located, residential)).rows();
    Dataset<Row> allocated =
        Dasymetric.allocate(inCells, cells).withColumn("allocation", lit("cell"));
    Dataset<Row> homes = residential;
    Map<String, Map<String, Long>> fallbacks = new LinkedHashMap<>();

    Kept leftOver =
        keep(
            kept,
            cells
                .where(PopulationStage.totalResidents().gt(0))
                .join(inCells.select("unit_id").distinct(), "unit_id", "left_anti"));
    Dataset<Row> left = leftOver.rows();
    long emptyCells =
        cells
            .where(PopulationStage.totalResidents().equalTo(0))
            .join(inCells.select("unit_id").distinct(), "unit_id", "left_anti")
            .count();

    long overlapping = overlappingPairs(located);
    if (leftOver.count() == 0) { // every cell placed: no fallback has a cell to serve
      return new Placement(homes, allocated, noFallbacks(), overlapping, emptyCells, kept);
    }

    // 1. The cell's buildings of unknown use.
    Dataset<Row> unknownHomes =
        keep(kept, Dasymetric.homesInCells(left.where(col("geometry").isNotNull()), unknownUse))
            .rows();
    allocated =
        allocated.unionByName(
            Dasymetric.allocate(unknownHomes, left)
                .withColumn("allocation", lit(FALLBACKS.get(0))));
    homes =
        homes.unionByName(
            unknownUse.join(
                unknownHomes.select("building_id").distinct(), "building_id", "left_semi"));
    left = count(fallbacks, FALLBACKS.get(0), left, unknownHomes, kept);

    // 2. Residential buildings near the cell: a range join on the cell grown by the distance.
    Dataset<Row> near =
        keep(
                kept,
                residential
                    .select("building_id", "origin", "residential_floor_area_m2")
                    .join(
                        left.where(col("geometry").isNotNull())
                            .select(
                                col("unit_id"),
                                expr("ST_Buffer(ST_GeomFromWKB(geometry), " + nearbyM + ")")
                                    .as("reach")),
                        expr("ST_Intersects(reach, origin)"))
                    .select("unit_id", "building_id", "residential_floor_area_m2"))
            .rows();
    allocated =
        allocated.unionByName(
            Dasymetric.allocate(near, left).withColumn("allocation", lit(FALLBACKS.get(1))));
    left = count(fallbacks, FALLBACKS.get(1), left, near, kept);

    // 3. A pseudo-home at the cell's interior point.
    Dataset<Row> points =
        left.select(
            concat(lit(CELL_HOME_PREFIX), col("unit_id")).as("building_id"),
            col("source_row"),
            expr("CAST(NULL AS STRING)").as("compound_id"),
            expr("ST_PointOnSurface(ST_GeomFromWKB(geometry))").as("origin"),
            lit(0.0).as("residential_floor_area_m2"));
    List<Column> pointBands =
        new ArrayList<>(
            List.of(
                concat(lit(CELL_HOME_PREFIX), col("unit_id")).as("building_id"),
                lit(FALLBACKS.get(2)).as("allocation")));
    AgeBands.COLUMNS.forEach(b -> pointBands.add(expr("COALESCE(" + b + ", 0L)").as(b)));
    allocated = allocated.unionByName(left.select(pointBands.toArray(Column[]::new)));
    homes = homes.unionByName(points);
    fallbacks.put(FALLBACKS.get(2), totals(left));

    return new Placement(homes, allocated, fallbacks, overlapping, emptyCells, kept);
  }

  /** Every fallback with no cells and no residents, as {@link #totals} counts an empty frame. */
  private static Map<String, Map<String, Long>> noFallbacks() {
    Map<String, Map<String, Long>> none = new LinkedHashMap<>();
    for (String kind : FALLBACKS) {
      none.put(kind, served(0, 0));
    }
    return none;
  }

  /** Records a fallback's cells and residents and returns the cells still left after it. */
  private static Dataset<Row> count(
      Map<String, Map<String, Long>> fallbacks,
      String kind,
      Dataset<Row> left,
      Dataset<Row> cellHomes,
      List<JavaRDD<?>> kept) {
    Dataset<Row> served = left.join(cellHomes.select("unit_id").distinct(), "unit_id", "left_semi");
    fallbacks.put(kind, totals(served));
    return keep(kept, left.join(cellHomes.select("unit_id").distinct(), "unit_id", "left_anti"))
        .rows();
  }

  private static Map<String, Long> totals(Dataset<Row> cells) {
    Row r =
        cells
            .agg(
                expr("COUNT(*)"),
                expr(
                    "COALESCE(SUM("
                        + String.join(
                            " + ",
                            AgeBands.COLUMNS.stream().map(b -> "COALESCE(" + b + ", 0L)").toList())
                        + "), 0L)"))
            .first();
    return served(r.getLong(0), r.getLong(1));
  }

  /** A fallback's count as the run log records it. */
  private static Map<String, Long> served(long cells, long residents) {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("cells", cells);
    m.put("residents", residents);
    return m;
  }

  /**
   * Pairs of cells whose interiors share more than 1 m² (a Sedona spatial self-join): a grid should
   * tile, and where it does not, a home counts in one cell only, so the other cell's residents
   * reach it through the nearby fallback rather than being blamed on missing homes.
   */
  static long overlappingPairs(Dataset<Row> cells) {
    Dataset<Row> a =
        cells.select(col("unit_id").as("a_id"), expr("ST_GeomFromWKB(geometry)").as("a_geom"));
    Dataset<Row> b =
        cells.select(col("unit_id").as("b_id"), expr("ST_GeomFromWKB(geometry)").as("b_geom"));
    // The overlay (ST_Intersection) only where the bounding boxes overlap by more than 1 m² (less
    // a margin for rounding): the shared part lies inside that overlap, so no other pair can pass,
    // and a tiling grid's
    // neighbours, which touch along an edge or a corner, never reach the overlay (SF 1: 200 k
    // cells,
    // some 1.6 M touching pairs; the overlays were 40 s of the stage's CPU, event log, session 15).
    // Spark evaluates AND left to right and stops at the first false.
    Column boxesOverlap =
        expr(
            "(least(ST_XMax(a_geom), ST_XMax(b_geom)) - greatest(ST_XMin(a_geom), ST_XMin(b_geom)))"
                + " * (least(ST_YMax(a_geom), ST_YMax(b_geom)) - greatest(ST_YMin(a_geom),"
                + " ST_YMin(b_geom))) > 0.99");
    return a.join(b, expr("ST_Intersects(a_geom, b_geom)"))
        .where(
            col("a_id")
                .lt(col("b_id"))
                .and(boxesOverlap)
                .and(expr("ST_Area(ST_Intersection(a_geom, b_geom)) > 1.0")))
        .count();
  }

  /**
   * Materialised with its lineage cut: each fallback reads the cells the one before it left, and
   * without the cut the plans nest every earlier step again (Catalyst's analysis grew for minutes).
   *
   * <p>Not {@code Dataset.localCheckpoint}: it caches the partitions deserialized, and on a cluster
   * an executor that reads an empty partition cached by another executor fails with "Empty buffer
   * received for non empty block" (SPARK-59403, open: the block's estimated in-memory size is not
   * zero, its serialized form is); a checkpointed block cannot be recomputed, so the stage fails.
   * Found by the standalone-cluster test (two workers, two shuffle partitions, a tiny city). Cached
   * serialized, a block's size is its bytes, and the local checkpoint keeps that level.
   *
   * <p>The rows are kept in Spark's binary form (copies of the plan's own rows), not as {@code Row}
   * objects: Kryo serialized each {@code Row} field by field, and with the grouping in {@link
   * Dasymetric#allocate} it was about a third of SF 1 population's samples (JFR, session 17). The
   * frame over them comes from {@code SparkSession.internalCreateDataFrame}, Spark's own way from
   * such rows to a frame: Scala-private to the sql package, public in the bytecode.
   */
  private static Kept keep(List<JavaRDD<?>> kept, Dataset<Row> d) {
    JavaRDD<InternalRow> rows =
        d.queryExecution()
            .toRdd()
            .toJavaRDD()
            .map(InternalRow::copy) // a plan may hand out one mutable row over and over
            .persist(StorageLevel.MEMORY_AND_DISK_SER());
    rows.rdd().localCheckpoint();
    long n = rows.count(); // eager, so the checkpoint holds before the next step reads it
    kept.add(rows);
    return new Kept(d.sparkSession().internalCreateDataFrame(rows.rdd(), d.schema(), false), n);
  }

  /** A materialised frame and its row count, which the materialising already counted. */
  private record Kept(Dataset<Row> rows, long count) {}

  void unpersist() {
    kept.forEach(JavaRDD::unpersist);
  }
}
