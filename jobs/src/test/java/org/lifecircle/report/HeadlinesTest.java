package org.lifecircle.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestCategories;
import org.lifecircle.TestSpark;
import org.lifecircle.catalog.AgeBands;
import org.lifecircle.catalog.FacilityCatalog;

/**
 * Residents with at least one unmet category, counted as people, by hand. Categories: kindergarten
 * (3-5), elderly care (60+), pharmacy (everyone).
 *
 * <ul>
 *   <li>h1: 10 children of 3-5, 100 adults 15-59, 20 aged 65-79. Kindergarten and elderly care
 *       uncovered, pharmacy covered: the 10 children and the 20 elderly are unmet, 30.
 *   <li>h2: 5 children of 3-5, 50 adults. Kindergarten and pharmacy uncovered: everyone (55) once,
 *       not 5 + 55.
 *   <li>h3: 40 adults, everything covered: 0.
 * </ul>
 *
 * Expected 85; summing category gaps instead would give 10 + 20 + 5 + 55 = 90.
 */
class HeadlinesTest {
  @Test
  void unmetResidentsAreDistinctPeople() {
    SparkSession spark = TestSpark.session();
    StructType homesSchema = new StructType().add("building_id", DataTypes.StringType);
    for (String b : AgeBands.COLUMNS) {
      homesSchema = homesSchema.add(b, DataTypes.LongType);
    }
    Dataset<Row> homes =
        spark.createDataFrame(
            List.of(
                home("h1", Map.of("pop_3_5", 10L, "pop_15_59", 100L, "pop_65_79", 20L)),
                home("h2", Map.of("pop_3_5", 5L, "pop_15_59", 50L)),
                home("h3", Map.of("pop_15_59", 40L))),
            homesSchema);
    Dataset<Row> access =
        spark.createDataFrame(
            List.of(
                RowFactory.create("h1", "kindergarten", false),
                RowFactory.create("h1", "elderly_care", false),
                RowFactory.create("h1", "pharmacy", true),
                RowFactory.create("h2", "kindergarten", false),
                RowFactory.create("h2", "elderly_care", true),
                RowFactory.create("h2", "pharmacy", false),
                RowFactory.create("h3", "kindergarten", true),
                RowFactory.create("h3", "elderly_care", true),
                RowFactory.create("h3", "pharmacy", true)),
            new StructType()
                .add("building_id", DataTypes.StringType)
                .add("category", DataTypes.StringType)
                .add("covered", DataTypes.BooleanType));
    FacilityCatalog catalog =
        new FacilityCatalog(
            Map.of(5, 1.0, 10, 0.8, 15, 0.6),
            List.of(
                TestCategories.of("kindergarten", 5, 300.0, "3_5", true),
                TestCategories.of("elderly_care", 5, 300.0, "60_plus", true),
                TestCategories.of("pharmacy", 10, 500.0, "all", false)));
    assertThat(Headlines.unmetResidents(spark, homes, access, catalog)).isEqualTo(85L);
  }

  private static Row home(String id, Map<String, Long> bands) {
    List<Object> values = new ArrayList<>(List.of(id));
    AgeBands.COLUMNS.forEach(b -> values.add(bands.getOrDefault(b, 0L)));
    return RowFactory.create(values.toArray());
  }
}
