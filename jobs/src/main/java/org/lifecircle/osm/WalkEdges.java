package org.lifecircle.osm;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.lifecircle.catalog.OsmTags;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.io.WKBWriter;

/**
 * The walk network of an extract: walkable ways (tag catalog's walk_network) split into edges
 * between junctions. A junction is a node that walkable ways use more than once in all (a Spark
 * count over exploded refs), so a way excluded from walking (motorway, foot=no) joins nothing. Edge
 * ids are {@code w<way>-<seq>}; node ids {@code n<node>} let the network search join edges by id
 * rather than by coordinates.
 */
final class WalkEdges {
  private WalkEdges() {}

  static Dataset<Row> of(Dataset<Row> ways, Dataset<Row> located, OsmTags.Walk walk) {
    Dataset<Row> walkable = ways.filter((FilterFunction<Row>) r -> walk.walkable(r.getJavaMap(1)));
    Dataset<Row> refs =
        walkable.select(col("way_id"), posexplode(col("refs")).as(new String[] {"pos", "node_id"}));
    Dataset<Row> uses = refs.groupBy("node_id").count().withColumnRenamed("count", "uses");
    Dataset<Row> points =
        refs.join(located, "node_id", "left")
            .join(uses, "node_id")
            .groupBy("way_id")
            .agg(
                sort_array(
                        collect_list(
                            struct(
                                col("pos"), col("node_id"), col("lon"), col("lat"), col("uses"))))
                    .as("pts"));
    return walkable
        .select("way_id", "tags")
        .join(points, "way_id")
        .flatMap((FlatMapFunction<Row, Row>) WalkEdges::edges, Encoders.row(OsmExtract.EDGE))
        .toDF();
  }

  private static Iterator<Row> edges(Row r) {
    long way = r.getLong(0);
    Map<String, String> tags = r.getJavaMap(1);
    List<Row> pts = r.getList(2);
    long[] refs = new long[pts.size()];
    Coordinate[] coords = new Coordinate[pts.size()];
    boolean[] junction = new boolean[pts.size()];
    OsmExtract.fill(pts, refs, coords, 1, 2);
    for (int i = 0; i < pts.size(); i++) {
      junction[i] = pts.get(i).getLong(4) > 1;
    }
    List<Row> out = new ArrayList<>();
    WKBWriter w = new WKBWriter();
    for (OsmGeometry.Edge e : OsmGeometry.split(refs, coords, junction)) {
      out.add(
          RowFactory.create(
              "w" + way + "-" + e.seq(),
              "n" + e.fromNode(),
              "n" + e.toNode(),
              tags.get("highway"),
              w.write(e.line()),
              r.get(1),
              null));
    }
    if (out.isEmpty()) {
      out.add(
          RowFactory.create(
              "w" + way,
              null,
              null,
              tags.get("highway"),
              null,
              r.get(1),
              OsmGeometry.TOO_FEW_NODES));
    }
    return out.iterator();
  }
}
