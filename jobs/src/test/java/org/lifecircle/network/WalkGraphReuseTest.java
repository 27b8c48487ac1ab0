package org.lifecircle.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.locationtech.jts.io.WKBWriter;
import org.locationtech.jts.io.WKTReader;

/**
 * A stage that walks the snapshot another stage of the process walked gets that graph back, built
 * once; edges rewritten (new files) or held in memory are built again.
 */
class WalkGraphReuseTest {
  private static final StructType EDGES =
      new StructType()
          .add("edge_id", "string")
          .add("from_node", "string")
          .add("to_node", "string")
          .add("geometry", "binary");

  private static Dataset<Row> edges(SparkSession spark, List<double[]> lines) throws Exception {
    List<Row> rows = new ArrayList<>();
    WKTReader wkt = new WKTReader();
    for (int k = 0; k < lines.size(); k++) {
      rows.add(
          RowFactory.create(
              String.format("E%04d", k),
              null,
              null,
              new WKBWriter().write(wkt.read(NetworkFixture.wkt(lines.get(k))))));
    }
    return spark.createDataFrame(rows, EDGES);
  }

  @Test
  void theSameFilesGiveTheSameGraphAndNewFilesANewOne() throws Exception {
    SparkSession spark = TestSpark.session();
    Path dir = TestSpark.tempDir("walk-graph-reuse").resolve("edges");
    List<double[]> all = NetworkFixture.lines();
    edges(spark, all).write().parquet(dir.toString());
    WalkGraph first = WalkNetwork.graph("990101", spark.read().parquet(dir.toString()));
    WalkGraph again = WalkNetwork.graph("990101", spark.read().parquet(dir.toString()));
    assertThat(again).isSameAs(first);

    // One edge fewer, written as new files: the graph is built from them.
    edges(spark, all.subList(1, all.size())).write().mode("overwrite").parquet(dir.toString());
    WalkGraph rewritten = WalkNetwork.graph("990101", spark.read().parquet(dir.toString()));
    assertThat(rewritten).isNotSameAs(first);
    assertThat(rewritten.summary().edges()).isEqualTo(first.summary().edges() - 1);

    // Rows in memory have no files to name them: never taken for another snapshot's graph.
    Dataset<Row> inMemory = edges(spark, all);
    assertThat(WalkNetwork.sourceKey(inMemory)).isNull();
    assertThat(WalkNetwork.graph("990101", inMemory)).isNotSameAs(first).isNotSameAs(rewritten);
  }
}
