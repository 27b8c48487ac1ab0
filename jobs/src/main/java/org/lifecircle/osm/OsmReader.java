package org.lifecircle.osm;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.min;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.catalog.OsmTags;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.Contract;
import org.lifecircle.common.CrsTransform;
import org.lifecircle.common.DatasetSource;
import org.lifecircle.common.PipelineException;
import org.lifecircle.io.SourceReader;
import org.lifecircle.io.Tables;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;

/**
 * Stages one input dataset from an OSM extract, in the same row layout the file readers give
 * ({@link SourceReader.Staged}), so OSM rows pass the same validation and quarantine as any source.
 * Tags become contract fields through the tag catalog ({@link OsmTags}); what cannot become a row
 * (no geometry, no area, no mapping) is counted by reason and reported in run_log, not staged.
 *
 * <p>The extract is assembled once and kept (persisted) for the datasets that follow: a city config
 * names the same .osm.pbf for up to five datasets, and reading and joining it is the expensive
 * part. Only the most recent extract is kept, and the ingest releases it when done.
 */
public final class OsmReader {
  static final Pattern LEADING_INT = Pattern.compile("^\\s*(\\d+)");
  static final Pattern LEADING_YEAR = Pattern.compile("^\\s*~?\\s*(\\d{4})");

  /** Contract field to the OSM tag it comes from, for messages that name what to fix. */
  private static final Map<String, String> TAG_OF =
      Map.of(
          "use",
          "building",
          "floors",
          "building:levels",
          "year_built",
          "start_date",
          "height_m",
          "height",
          "name",
          "name",
          "compound_name",
          "name",
          "way_kind",
          "highway");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<Dataset<Row>> KEPT = new ArrayList<>();
  private static Object cacheKey;
  private static OsmExtract cached;

  private OsmReader() {}

  public static SourceReader.Staged read(
      SparkSession spark,
      String dataset,
      DatasetSource src,
      Path path,
      Contract contract,
      CityConfig city,
      OsmTags tags) {
    if (!Files.isRegularFile(path)) {
      throw PipelineException.cannot("read", "dataset " + dataset, "file does not exist", path);
    }
    Geometry clip = src.clip() == null ? null : Clip.read(city.resolve(src.clip()));
    OsmExtract extract = extract(spark, path, city.bounds(), clip, tags.walkNetwork());
    Mapper mapper = new Mapper(dataset, contract, tags, city.metricCrs());
    Dataset<Row> mapped =
        switch (dataset) {
          case Tables.WALK_NETWORK ->
              extract
                  .walkEdges()
                  .flatMap((FlatMapFunction<Row, Row>) mapper::edge, Encoders.row(mapper.schema()))
                  .toDF();
          case Tables.BUILDINGS ->
              buildingsWithLanduse(extract.features())
                  .flatMap(
                      (FlatMapFunction<Row, Row>) mapper::feature, Encoders.row(mapper.schema()))
                  .toDF();
          default ->
              extract
                  .features()
                  .withColumn("landuse", expr("CAST(NULL AS STRING)"))
                  .flatMap(
                      (FlatMapFunction<Row, Row>) mapper::feature, Encoders.row(mapper.schema()))
                  .toDF();
        };
    // Kept until release(): counting the drops and staging the rows would otherwise map (and for
    // buildings spatially join) twice.
    mapped = mapped.persist(StorageLevel.MEMORY_AND_DISK());
    keep(mapped);
    Map<String, Long> dropped = new TreeMap<>();
    for (Row r :
        mapped.where(col("__drop").isNotNull()).groupBy("__drop").count().collectAsList()) {
      dropped.put(r.getString(0), r.getLong(1));
    }
    // Ordered by element id so that source_row numbers are the same on every run.
    Dataset<Row> staged =
        mapped.where(col("__drop").isNull()).orderBy("__id").drop("__drop", "__id");
    List<String> sourceColumns =
        contract.inputFields().stream().map(f -> TAG_OF.getOrDefault(f.name(), f.name())).toList();
    return new SourceReader.Staged(
        staged, sourceColumns, false, dropped, extract.elements(), col("__raw"));
  }

  private static synchronized OsmExtract extract(
      SparkSession spark, Path pbf, CityConfig.Bounds bounds, Geometry clip, OsmTags.Walk walk) {
    Object key;
    try {
      key =
          List.of(
              pbf.toAbsolutePath().normalize().toString(),
              Files.size(pbf),
              Files.getLastModifiedTime(pbf).toMillis(),
              bounds,
              Objects.toString(clip),
              walk,
              spark.sparkContext().applicationId());
    } catch (IOException e) {
      throw PipelineException.cannot("read", "osm extract", "cannot stat the file", pbf, e);
    }
    if (!key.equals(cacheKey)) {
      if (cached != null) {
        cached.unpersist();
      }
      spark.sparkContext().setJobDescription("read osm extract " + pbf.getFileName());
      try {
        cached = OsmExtract.read(spark, pbf, bounds, clip, walk);
      } catch (PipelineException e) {
        throw e;
      } catch (RuntimeException e) {
        throw PipelineException.cannot(
            "read", "osm extract", "file is not readable as osm.pbf: " + e.getMessage(), pbf, e);
      }
      cacheKey = key;
    }
    return cached;
  }

  private static synchronized void keep(Dataset<Row> rows) {
    KEPT.add(rows);
  }

  /**
   * Frees the kept extract: the ingest calls this when done, so later stages get the memory back.
   */
  public static synchronized void release() {
    KEPT.forEach(Dataset::unpersist);
    KEPT.clear();
    if (cached != null) {
      cached.unpersist();
      cached = null;
      cacheKey = null;
    }
  }

  /** Features with the land use under each building's interior point (a Sedona spatial join). */
  private static Dataset<Row> buildingsWithLanduse(Dataset<Row> features) {
    Dataset<Row> buildings = features.where(col("tags").getItem("building").isNotNull());
    Dataset<Row> land =
        features
            .where(col("is_area").and(col("tags").getItem("landuse").isNotNull()))
            .select(
                col("tags").getItem("landuse").as("land_value"),
                expr("ST_GeomFromWKB(geometry)").as("land_geom"));
    Dataset<Row> hits =
        buildings
            .where(col("is_area"))
            .select(
                col("osm_id").as("hit_id"),
                expr("ST_PointOnSurface(ST_GeomFromWKB(geometry))").as("inner_point"))
            .join(land, expr("ST_Intersects(land_geom, inner_point)"))
            .groupBy("hit_id")
            .agg(min("land_value").as("landuse"));
    return buildings
        .join(hits, buildings.col("osm_id").equalTo(hits.col("hit_id")), "left")
        .drop("hit_id");
  }

  /** Turns features or edges into staged rows for one dataset, plus __drop and __id columns. */
  static final class Mapper implements Serializable {
    private final String dataset;
    private final Contract contract;
    private final OsmTags tags;
    private final String metricCrs;
    private transient CrsTransform toMetric;
    private transient CrsTransform fromMetric;

    Mapper(String dataset, Contract contract, OsmTags tags, String metricCrs) {
      this.dataset = dataset;
      this.contract = contract;
      this.tags = tags;
      this.metricCrs = metricCrs;
    }

    StructType schema() {
      StructType s =
          new StructType()
              .add("__raw", DataTypes.StringType)
              .add("__corrupt", DataTypes.StringType);
      for (Contract.Field f : contract.inputFields()) {
        s = s.add(f.name(), f.isGeometry() ? DataTypes.BinaryType : DataTypes.StringType);
      }
      return s.add("__lon", DataTypes.StringType)
          .add("__lat", DataTypes.StringType)
          .add("__drop", DataTypes.StringType)
          .add("__id", DataTypes.StringType);
    }

    /** features row: osm_id, tags, geometry, is_area, problem, entrance, landuse. */
    Iterator<Row> feature(Row r) throws Exception {
      String id = r.getString(0);
      Map<String, String> t = r.getJavaMap(1);
      byte[] wkb = r.isNullAt(2) ? null : (byte[]) r.get(2);
      boolean area = r.getBoolean(3);
      String problem = r.isNullAt(4) ? null : r.getString(4);
      Map<String, Object> v = new LinkedHashMap<>();
      String drop = null;
      switch (dataset) {
        case Tables.BUILDINGS -> {
          String building = t.get("building");
          if (building == null || building.equals("no")) {
            return List.<Row>of().iterator();
          }
          drop = area ? null : areaProblem(id, problem);
          OsmTags.Buildings.Use use =
              tags.buildings().use(t, r.isNullAt(6) ? null : r.getString(6));
          v.put("building_id", id);
          v.put("use", use.use());
          v.put("use_evidence", use.evidence());
          v.put("heritage_status", tags.buildings().heritageStatus(t));
          v.put("entrance", r.isNullAt(5) ? null : (byte[]) r.get(5));
          String levels = leading(LEADING_INT, t.get("building:levels"));
          v.put(
              "floors", levels != null ? levels : String.valueOf(tags.buildings().defaultLevels()));
          v.put("year_built", leading(LEADING_YEAR, t.get("start_date")));
          v.put("height_m", number(t.get("height")));
          v.put("geometry", wkb);
        }
        case Tables.FACILITIES -> {
          Geometry g = wkb == null ? null : new WKBReader().read(wkb);
          String category = tags.category(t, area ? metricArea(g) : null);
          if (category == null) {
            if (!tags.facilityCandidate(t)) {
              return List.<Row>of().iterator();
            }
            drop = "unmapped";
          } else if (g == null) {
            drop = problem;
          }
          v.put("facility_id", id);
          v.put("category", category);
          v.put("name", t.get("name"));
          v.put(
              "geometry",
              g == null ? null : new WKBWriter().write(area ? interiorPoint(g) : g.getCentroid()));
        }
        case Tables.COMPOUNDS -> {
          String landuse = t.get("landuse");
          if (landuse == null || !tags.compounds().landuse().contains(landuse)) {
            return List.<Row>of().iterator();
          }
          drop = area ? null : areaProblem(id, problem);
          v.put("compound_id", id);
          v.put("compound_name", t.get("name"));
          v.put("geometry", wkb);
        }
        case Tables.PARCELS -> {
          String landuse = t.get("landuse");
          if (landuse == null) {
            return List.<Row>of().iterator();
          }
          String code = tags.parcels().landuse().get(landuse);
          drop = code == null ? "unmapped" : area ? null : areaProblem(id, problem);
          v.put("parcel_id", id);
          v.put("land_use_code", code);
          v.put("geometry", wkb);
        }
        default -> throw new IllegalStateException(dataset);
      }
      return List.of(row(v, raw(id, t), drop, id)).iterator();
    }

    /** edges row: edge_id, from_node, to_node, way_kind, geometry, tags, problem. */
    Iterator<Row> edge(Row r) {
      Map<String, Object> v = new LinkedHashMap<>();
      String id = r.getString(0);
      v.put("edge_id", id);
      v.put("from_node", r.getString(1));
      v.put("to_node", r.getString(2));
      v.put("way_kind", r.getString(3));
      v.put("geometry", r.get(4));
      return List.of(row(v, raw(id, r.getJavaMap(5)), r.isNullAt(6) ? null : r.getString(6), id))
          .iterator();
    }

    private Row row(Map<String, Object> values, String raw, String drop, String id) {
      List<Object> out = new ArrayList<>(List.of(raw));
      out.add(null);
      for (Contract.Field f : contract.inputFields()) {
        out.add(values.get(f.name()));
      }
      out.add(null);
      out.add(null);
      out.add(drop);
      out.add(id);
      return RowFactory.create(out.toArray());
    }

    /** A node tagged as an area (landuse=residential on a node) has no area to offer. */
    private static String areaProblem(String id, String problem) {
      return problem != null
          ? problem
          : id.startsWith("n") ? "nodes_not_areas" : OsmGeometry.NOT_CLOSED;
    }

    private double metricArea(Geometry g) {
      toMetric();
      return toMetric.toMetric(g).getArea();
    }

    /**
     * A polygon facility's point: the interior point of its footprint taken in the metric CRS (as
     * building origins are), back in WGS84. A centroid can lie outside (a courtyard, an L shape),
     * and one taken in degrees is not the one a building's origin is.
     */
    private Geometry interiorPoint(Geometry g) {
      toMetric();
      Geometry p = toMetric.toMetric(g).getInteriorPoint();
      double[] ll = fromMetric.lonLat(p.getCoordinate().x, p.getCoordinate().y);
      return OsmGeometry.GF.createPoint(new Coordinate(ll[0], ll[1]));
    }

    private void toMetric() {
      if (toMetric == null) {
        toMetric = new CrsTransform("EPSG:4326", metricCrs);
        // Its lonLat() maps metric coordinates back to WGS84.
        fromMetric = new CrsTransform(metricCrs, metricCrs);
      }
    }

    private static String raw(String id, Map<String, String> tags) {
      StringBuilder b = new StringBuilder("{\"osm_id\":\"").append(id).append("\",\"tags\":{");
      boolean first = true;
      for (Map.Entry<String, String> e : new TreeMap<>(tags).entrySet()) {
        b.append(first ? "" : ",").append(json(e.getKey())).append(':').append(json(e.getValue()));
        first = false;
      }
      return b.append("}}").toString();
    }

    private static String json(String s) {
      try {
        return JSON.writeValueAsString(s);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** The leading number of a tag value ("6", "6;7", "~1990"), or null when there is none. */
  static String leading(Pattern p, String value) {
    if (value == null) {
      return null;
    }
    Matcher m = p.matcher(value);
    return m.find() ? m.group(1) : null;
  }

  /** A height like "12", "12.5" or "12 m" as metres; anything else is left out (null). */
  static String number(String value) {
    if (value == null) {
      return null;
    }
    Matcher m = Pattern.compile("^\\s*(\\d+(\\.\\d+)?)\\s*(m)?\\s*$").matcher(value);
    return m.matches() ? m.group(1) : null;
  }
}
