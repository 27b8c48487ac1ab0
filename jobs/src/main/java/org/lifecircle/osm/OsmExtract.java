package org.lifecircle.osm;

import static org.apache.spark.sql.functions.arrays_zip;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.upper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.catalog.OsmTags;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.PipelineException;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;

/**
 * One OSM extract read with {@link PbfElements} (every primitive group of every block) and
 * assembled in Spark: tagged elements with WGS84 geometry ({@link #features}) and the walk network
 * split into edges ({@link #walkEdges}). Way geometry comes from a join of way refs to node
 * locations, never a driver-side loop, so it scales with the cluster.
 *
 * <p>The extract is cut to the city bounds and the optional clip polygon by treating nodes outside
 * as absent, the same as nodes a clipped extract does not carry: ways keep the part whose nodes
 * exist (see {@link OsmGeometry}).
 */
public final class OsmExtract {
  /**
   * Tagged elements: id (n/w/r + number), tags, WGS84 WKB (null when none), area flag, problem, and
   * for a closed way the first of its nodes tagged entrance=* (WGS84 WKB point, else null).
   */
  public static final StructType FEATURE =
      StructType.fromDDL(
          "osm_id STRING, tags MAP<STRING, STRING>,"
              + " geometry BINARY, is_area BOOLEAN, problem STRING, entrance BINARY");

  /** Walk edges, and one row with a problem (no edge) per walkable way that yields none. */
  public static final StructType EDGE =
      StructType.fromDDL(
          "edge_id STRING, from_node STRING,"
              + " to_node STRING, way_kind STRING, geometry BINARY, tags MAP<STRING, STRING>, problem STRING");

  private static final StructType WAY =
      StructType.fromDDL(
          "way_id LONG, tags MAP<STRING, STRING>, geometry BINARY, complete_line BINARY, entrance BINARY");

  private final Dataset<Row> features;
  private final Dataset<Row> walkEdges;
  private final Map<String, Long> elements;

  private OsmExtract(Dataset<Row> features, Dataset<Row> walkEdges, Map<String, Long> elements) {
    this.features = features;
    this.walkEdges = walkEdges;
    this.elements = elements;
  }

  /** Nodes, ways and relations the file held (all of them, before bounds, clip or mapping). */
  public Map<String, Long> elements() {
    return elements;
  }

  public Dataset<Row> features() {
    return features;
  }

  public Dataset<Row> walkEdges() {
    return walkEdges;
  }

  void unpersist() {
    features.unpersist();
    walkEdges.unpersist();
  }

  static OsmExtract read(
      SparkSession spark, Path pbf, CityConfig.Bounds bounds, Geometry clip, OsmTags.Walk walk) {
    Dataset<Row> elements =
        PbfElements.read(spark, pbf.toString()).persist(StorageLevel.MEMORY_AND_DISK());
    Map<String, Long> counts = countByKind(elements, pbf);
    Dataset<Row> nodes =
        elements
            .where(lower(col("kind")).equalTo("node"))
            .select(
                col("id").as("node_id"),
                col("location.longitude").as("lon"),
                col("location.latitude").as("lat"),
                col("tags"));
    Dataset<Row> located =
        nodes
            .filter(new Inside(bounds, clip))
            .select(
                col("node_id"),
                col("lon"),
                col("lat"),
                col("tags").getItem("entrance").isNotNull().as("entrance"))
            .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> ways =
        elements
            .where(lower(col("kind")).equalTo("way"))
            .select(col("id").as("way_id"), col("tags"), col("refs"));

    Dataset<Row> wayShapes = wayShapes(ways, located).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> pointFeatures =
        nodes
            .join(located.select("node_id"), "node_id")
            .where(size(col("tags")).gt(0))
            .selectExpr(
                "concat('n', node_id) AS osm_id",
                "tags",
                "ST_AsBinary(ST_Point(lon, lat)) AS geometry",
                "false AS is_area",
                "CAST(NULL AS STRING) AS problem",
                "CAST(NULL AS BINARY) AS entrance");
    Dataset<Row> wayFeatures =
        wayShapes
            .where(size(col("tags")).gt(0))
            .map((MapFunction<Row, Row>) OsmExtract::wayFeature, Encoders.row(FEATURE));
    Dataset<Row> relationFeatures = multipolygons(elements, wayShapes);
    Dataset<Row> features =
        pointFeatures
            .unionByName(wayFeatures)
            .unionByName(relationFeatures)
            .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> edges = WalkEdges.of(ways, located, walk).persist(StorageLevel.MEMORY_AND_DISK());
    features.count();
    edges.count();
    wayShapes.unpersist();
    located.unpersist();
    elements.unpersist();
    return new OsmExtract(features, edges, counts);
  }

  /**
   * nodes, ways, relations: the file's elements by kind. A file with nodes and no ways is refused:
   * no city extract is like that, and it is what a reader that skips primitive groups would give.
   */
  static Map<String, Long> countByKind(Dataset<Row> elements, Path pbf) {
    Map<String, Long> counts = new TreeMap<>(Map.of("nodes", 0L, "ways", 0L, "relations", 0L));
    for (Row r : elements.groupBy("kind").count().collectAsList()) {
      counts.put(r.getString(0) + "s", r.getLong(1));
    }
    if (counts.get("ways") == 0) {
      throw PipelineException.cannot(
          "read",
          "osm extract",
          "it has "
              + counts.get("nodes")
              + " nodes but no ways, so no buildings, land use or walk"
              + " network (is it a nodes-only cut?)",
          pbf);
    }
    return counts;
  }

  /** (way_id, tags, geometry or null, line when every node is present): one row per way. */
  private static Dataset<Row> wayShapes(Dataset<Row> ways, Dataset<Row> located) {
    Dataset<Row> points =
        ways.select(col("way_id"), posexplode(col("refs")).as(new String[] {"pos", "node_id"}))
            .join(located, "node_id", "left")
            .groupBy("way_id")
            .agg(
                sort_array(
                        collect_list(
                            struct(
                                col("pos"),
                                col("node_id"),
                                col("lon"),
                                col("lat"),
                                col("entrance"))))
                    .as("pts"));
    Dataset<Row> joined = ways.select("way_id", "tags").join(points, "way_id", "left");
    return joined
        .map(
            (MapFunction<Row, Row>)
                r -> {
                  long id = r.getLong(0);
                  Object tags = r.get(1);
                  List<Row> pts = r.isNullAt(2) ? List.of() : r.getList(2);
                  long[] refs = new long[pts.size()];
                  Coordinate[] coords = new Coordinate[pts.size()];
                  fill(pts, refs, coords, 1, 2);
                  OsmGeometry.WayShape shape = OsmGeometry.way(refs, coords);
                  WKBWriter w = new WKBWriter();
                  byte[] geom = shape.geometry() == null ? null : w.write(shape.geometry());
                  byte[] completeLine = null;
                  if (shape.geometry() != null
                      && !OsmGeometry.TOO_FEW_NODES.equals(shape.problem())) {
                    completeLine = w.write(OsmGeometry.GF.createLineString(coords));
                  }
                  byte[] entrance = null;
                  for (int i = 0; i < pts.size() && entrance == null; i++) {
                    Row p = pts.get(i);
                    if (coords[i] != null && !p.isNullAt(4) && p.getBoolean(4)) {
                      entrance = w.write(OsmGeometry.GF.createPoint(coords[i]));
                    }
                  }
                  return RowFactory.create(id, tags, geom, completeLine, entrance);
                },
            Encoders.row(WAY))
        .toDF();
  }

  /**
   * Fills refs and coordinates (null where the node is absent) from sorted (pos, id, lon, lat)
   * rows.
   */
  static void fill(List<Row> pts, long[] refs, Coordinate[] coords, int idAt, int lonAt) {
    for (int i = 0; i < pts.size(); i++) {
      Row p = pts.get(i);
      refs[i] = p.getLong(idAt);
      coords[i] =
          p.isNullAt(lonAt) ? null : new Coordinate(p.getDouble(lonAt), p.getDouble(lonAt + 1));
    }
  }

  private static Row wayFeature(Row r) {
    String problem = null;
    boolean area = false;
    byte[] geom = r.isNullAt(2) ? null : (byte[]) r.get(2);
    if (geom == null) {
      problem = OsmGeometry.TOO_FEW_NODES;
    } else {
      try {
        Geometry g = new WKBReader().read(geom);
        area = g.getDimension() == 2;
        if (!area) {
          problem = r.isNullAt(3) ? OsmGeometry.TOO_FEW_NODES : OsmGeometry.NOT_CLOSED;
        }
      } catch (ParseException e) {
        throw new IllegalStateException(e);
      }
    }
    // Tags pass through as Spark's own map: the row encoder takes no java.util.Map wrapper.
    return RowFactory.create(
        "w" + r.getLong(0),
        r.get(1),
        geom,
        area,
        problem,
        area && !r.isNullAt(4) ? r.get(4) : null);
  }

  /**
   * Multipolygon relations assembled from their member ways (a Spark join of members to way lines,
   * then {@link OsmGeometry#multipolygon} per relation); a relation whose members are missing or do
   * not close gets no geometry and the problem {@link OsmGeometry#UNASSEMBLED}.
   */
  private static Dataset<Row> multipolygons(Dataset<Row> elements, Dataset<Row> wayShapes) {
    Dataset<Row> relations =
        elements.where(
            lower(col("kind"))
                .equalTo("relation")
                .and(col("tags").getItem("type").equalTo("multipolygon")));
    Dataset<Row> members =
        relations
            .select(
                col("id").as("rel_id"),
                posexplode(arrays_zip(col("refs"), col("ref_roles"), col("ref_types")))
                    .as(new String[] {"mpos", "m"}))
            .where(upper(col("m.ref_types")).equalTo("WAY"))
            .select(
                col("rel_id"),
                col("mpos"),
                col("m.refs").as("way_id"),
                col("m.ref_roles").as("role"))
            .join(wayShapes.select("way_id", "complete_line"), "way_id", "left")
            .groupBy("rel_id")
            .agg(
                collect_list(struct(col("mpos"), col("role"), col("complete_line"))).as("members"));
    Dataset<Row> joined =
        relations.select(col("id").as("rel_id"), col("tags")).join(members, "rel_id", "left");
    return joined
        .map(
            (MapFunction<Row, Row>)
                r -> {
                  List<LineString> outers = new ArrayList<>();
                  List<LineString> inners = new ArrayList<>();
                  List<Row> ms = r.isNullAt(2) ? List.of() : r.getList(2);
                  WKBReader reader = new WKBReader();
                  for (Row m : ms) {
                    LineString line =
                        m.isNullAt(2) ? null : (LineString) reader.read((byte[]) m.get(2));
                    ("inner".equals(m.getString(1)) ? inners : outers).add(line);
                  }
                  Geometry g = OsmGeometry.multipolygon(outers, inners);
                  return RowFactory.create(
                      "r" + r.getLong(0),
                      r.get(1),
                      g == null ? null : new WKBWriter().write(g),
                      g != null,
                      g == null ? OsmGeometry.UNASSEMBLED : null,
                      null);
                },
            Encoders.row(FEATURE))
        .toDF();
  }

  /** Keeps nodes inside the city bounds and the clip polygon (prepared once per task). */
  static final class Inside implements FilterFunction<Row> {
    private final CityConfig.Bounds bounds;
    private final Geometry clip;
    private transient PreparedGeometry prepared;

    Inside(CityConfig.Bounds bounds, Geometry clip) {
      this.bounds = bounds;
      this.clip = clip;
    }

    @Override
    public boolean call(Row r) {
      if (r.isNullAt(1) || r.isNullAt(2)) {
        return false;
      }
      double lon = r.getDouble(1);
      double lat = r.getDouble(2);
      if (!bounds.contains(lon, lat)) {
        return false;
      }
      if (clip == null) {
        return true;
      }
      if (prepared == null) {
        prepared = PreparedGeometryFactory.prepare(clip);
      }
      return prepared.covers(OsmGeometry.GF.createPoint(new Coordinate(lon, lat)));
    }
  }
}
