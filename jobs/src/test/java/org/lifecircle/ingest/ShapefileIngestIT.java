package org.lifecircle.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.lifecircle.common.RunContext;
import org.lifecircle.io.DeltaStageTables;
import org.lifecircle.io.DeltaTables;

/**
 * A land-survey Shapefile (GBK attributes, CGCS2000 geographic, made with pyshp) read through
 * Sedona's shapefile source, its dBase numbers coerced to the contract's integers.
 */
class ShapefileIngestIT {
  @Test
  void gbkShapefileIngestsWithItsChineseNamesAndNumbers() throws IOException {
    SparkSession spark = TestSpark.session();
    RunContext ctx =
        IngestFixture.context(
            c ->
                c.replace(
                    "datasets:\n",
                    """
        datasets:
          compounds:
            path: shapefile/compounds.shp
            format: shapefile
            crs: EPSG:4490
            encoding: GBK
            columns: {compound_id: CMP_ID, compound_name: NAME, year_built: YEAR, households: HH}
        """));
    Path target = ctx.city().configDir().resolve("shapefile");
    Files.createDirectories(target);
    try (Stream<Path> s = Files.list(Path.of("src/test/resources/shapefile"))) {
      for (Path f : s.toList()) {
        Files.copy(f, target.resolve(f.getFileName()));
      }
    }
    new IngestStage().run(spark, ctx, DeltaStageTables.of(spark, ctx));
    List<Row> rows =
        DeltaTables.readSnapshot(spark, ctx, "compounds")
            .select("compound_id", "compound_name", "year_built", "households", "source_row")
            .orderBy("compound_id")
            .collectAsList();
    assertThat(rows)
        .extracting(Row::toString)
        .containsExactly("[CP01,幸福小区,1988,420,1]", "[CP02,和平里,2005,800,2]");
  }
}
