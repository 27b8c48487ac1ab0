package org.lifecircle.network;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.ExpandingRows;
import org.lifecircle.common.PipelineException;
import org.lifecircle.io.Tables;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.util.PolygonExtracter;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;
import org.locationtech.jts.operation.overlayng.OverlayNG;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;
import org.roaringbitmap.RoaringBitmap;
import scala.Tuple2;

/**
 * The community rows of {@code service_areas}: per community, category and minutes, the part of the
 * community inside the union of the category's facility areas at those minutes, its area and share,
 * and how many facilities' areas reach it.
 *
 * <p>The union is taken on the city's grid ({@link ServiceAreaRaster.CityGrid}): every facility
 * area is exactly the outline of its cells, so the union of the areas is the outline of the union
 * of the cells, an OR of integer sets that no order of the rows can change. Each community then
 * takes the union's cells over its envelope, outlines them, and intersects that with its boundary:
 * one overlay per community, category and minutes. Measured on the demo (docs/BENCHMARKS.md): the
 * community rows and the write took 3 s so, against 13.8 s when each facility polygon was clipped
 * to every community it met and the pieces unioned by Sedona's ST_Union.
 *
 * <p>{@code facilities_reaching} counts the facility areas that meet the community, from a Sedona
 * spatial join (ST_Intersects) of the facility polygons with the community boundaries.
 */
final class CommunityServiceAreas {
  private CommunityServiceAreas() {}

  private static final StructType DRAWN =
      StructType.fromDDL(
          "community_code STRING, category STRING, minutes INT, walker STRING, reach_m DOUBLE,"
              + " geometry BINARY, area_m2 DOUBLE, community_share DOUBLE");

  /**
   * The community rows, and the broadcast of the cells' unions they read: release it once the rows
   * are written.
   */
  record Drawn(Dataset<Row> rows, Broadcast<Map<String, byte[]>> unions) {
    void release() {
      unions.unpersist(false);
    }
  }

  /**
   * The community rows (the table's columns) of {@code byFacility} (the facility rows with their
   * {@code cells}) over {@code communities} (area_code, geometry).
   */
  static Drawn of(
      SparkSession spark,
      Dataset<Row> byFacility,
      Dataset<Row> communities,
      FacilityCatalog catalog,
      ServiceAreaRaster.CityGrid city) {
    Broadcast<Map<String, byte[]>> unions =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(unions(byFacility));
    List<String> categories = new ArrayList<>();
    List<String> walkers = new ArrayList<>();
    List<Double> speeds = new ArrayList<>();
    for (FacilityCatalog.Category c : catalog.categories()) {
      categories.add(c.code());
      walkers.add(c.walkerCode());
      speeds.add(c.walkSpeedMPerMin());
    }
    // An overlay per community, category and minutes is CPU work: spread it over every core (the
    // silver admin_areas of a city is one file, one partition; SF 0.1 drew its 4,233 communities in
    // one task).
    int parallelism = spark.sparkContext().defaultParallelism();
    Dataset<Row> rows =
        communities
            .select("area_code", "geometry")
            .repartition(Math.max(parallelism, communities.rdd().getNumPartitions()))
            .mapPartitions(
                (MapPartitionsFunction<Row, Row>)
                    it -> new CommunityRows(it, unions.value(), city, categories, walkers, speeds),
                Encoders.row(DRAWN));
    Dataset<Row> areas =
        byFacility
            .where(col("geometry").isNotNull())
            .select(
                col("category").as("a_category"),
                col("minutes").as("a_minutes"),
                expr("ST_GeomFromWKB(geometry)").as("a_geom"));
    Dataset<Row> reaching =
        communities
            .select(
                col("area_code").as("r_community"), expr("ST_GeomFromWKB(geometry)").as("c_geom"))
            .join(areas, expr("ST_Intersects(c_geom, a_geom)"))
            .groupBy(col("r_community"), col("a_category"), col("a_minutes"))
            .agg(count(lit(1)).as("facilities_reaching"));
    Dataset<Row> drawn =
        rows.join(
                reaching,
                col("community_code")
                    .equalTo(col("r_community"))
                    .and(col("category").equalTo(col("a_category")))
                    .and(col("minutes").equalTo(col("a_minutes"))),
                "left")
            .select(
                lit("community").as("level"),
                col("category"),
                col("minutes"),
                lit(null).cast("string").as("facility_id"),
                col("community_code"),
                col("walker"),
                col("reach_m"),
                col("geometry"),
                col("area_m2"),
                lit(null).cast("boolean").as("snapped"),
                col("community_share"),
                coalesce(col("facilities_reaching"), lit(0L)).as("facilities_reaching"));
    return new Drawn(drawn, unions);
  }

  /** Per "category/minutes", the OR of its facilities' cells (serialized bitmaps). */
  private static Map<String, byte[]> unions(Dataset<Row> byFacility) {
    Map<String, byte[]> out = new HashMap<>();
    byFacility
        .where(col("cells").isNotNull())
        .select("category", "minutes", "cells")
        .javaRDD()
        // One bitmap per key and partition first: OR-ing bytes row by row would serialize the
        // growing union once per facility.
        .mapPartitionsToPair(
            it -> {
              Map<String, RoaringBitmap> partial = new HashMap<>();
              while (it.hasNext()) {
                Row r = it.next();
                partial
                    .computeIfAbsent(r.getString(0) + "/" + r.getInt(1), k -> new RoaringBitmap())
                    .or(deserialize((byte[]) r.get(2)));
              }
              List<Tuple2<String, byte[]>> pairs = new ArrayList<>();
              partial.forEach((k, v) -> pairs.add(new Tuple2<>(k, serialize(v))));
              return pairs.iterator();
            })
        .reduceByKey(CommunityServiceAreas::or)
        .collectAsMap()
        .forEach(out::put);
    return out;
  }

  static byte[] serialize(RoaringBitmap cells) {
    ByteBuffer buffer = ByteBuffer.allocate(cells.serializedSizeInBytes());
    cells.serialize(buffer);
    return buffer.array();
  }

  static RoaringBitmap deserialize(byte[] bytes) {
    RoaringBitmap cells = new RoaringBitmap();
    try {
      cells.deserialize(ByteBuffer.wrap(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return cells;
  }

  private static byte[] or(byte[] a, byte[] b) {
    RoaringBitmap union = deserialize(a);
    union.or(deserialize(b));
    return serialize(union);
  }

  /** A partition's communities, each expanded to a row per category and minutes. */
  private static final class CommunityRows extends ExpandingRows<Row> {
    private final Map<String, byte[]> unions;
    private final Map<String, RoaringBitmap> read = new HashMap<>();
    private final ServiceAreaRaster.CityGrid city;
    private final List<String> categories;
    private final List<String> walkers;
    private final List<Double> speeds;
    private final GeometryFactory factory = new GeometryFactory();
    private final ServiceAreaRaster raster = new ServiceAreaRaster(factory);
    private final WKBReader reader = new WKBReader(factory);
    private final WKBWriter writer = new WKBWriter();

    CommunityRows(
        Iterator<Row> in,
        Map<String, byte[]> unions,
        ServiceAreaRaster.CityGrid city,
        List<String> categories,
        List<String> walkers,
        List<Double> speeds) {
      super(in);
      this.unions = unions;
      this.city = city;
      this.categories = categories;
      this.walkers = walkers;
      this.speeds = speeds;
    }

    @Override
    protected void expand(Row community) {
      String code = community.getString(0);
      Geometry bound;
      try {
        bound = reader.read((byte[]) community.get(1));
      } catch (ParseException e) {
        throw PipelineException.cannot(
            "read", "table " + Tables.ADMIN_AREAS, "invalid WKB for community", code, e);
      }
      double boundArea = bound.getArea();
      for (int c = 0; c < categories.size(); c++) {
        for (int minutes : ServiceAreasStage.MINUTES) {
          Geometry served = served(bound, categories.get(c) + "/" + minutes);
          double area = served == null ? 0.0 : served.getArea();
          emit(
              RowFactory.create(
                  code,
                  categories.get(c),
                  minutes,
                  walkers.get(c),
                  minutes * speeds.get(c),
                  served == null ? null : writer.write(served),
                  area,
                  area / boundArea));
        }
      }
    }

    /** The community's part of the union's cells, or null when it has no area. */
    private Geometry served(Geometry bound, String key) {
      byte[] bytes = unions.get(key);
      if (bytes == null) {
        return null;
      }
      RoaringBitmap cells = read.computeIfAbsent(key, k -> deserialize(bytes));
      ServiceAreaRaster.Grid window = city.window(cells, bound.getEnvelopeInternal());
      int marked = window.marked().cardinality();
      if (marked == 0) {
        return null;
      }
      // Every cell over the community's envelope is served: the community is, whole.
      Geometry part =
          marked == window.nx() * window.ny()
              ? bound
              : OverlayNGRobust.overlay(bound, raster.outline(window), OverlayNG.INTERSECTION);
      // Polygons only: where the union merely touches the community they meet in a line.
      Geometry polygons = factory.buildGeometry(PolygonExtracter.getPolygons(part));
      if (polygons.isEmpty()) {
        return null;
      }
      // The overlay's ring order and starting vertices vary from run to run in one JVM (the same
      // cells gave two WKBs of one polygon in ServiceAreasStageTest); normal form is one WKB.
      polygons.normalize();
      return polygons;
    }
  }
}
