package org.lifecircle.coverage;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.lifecircle.catalog.FacilityCatalog;

/**
 * The catalog as a small DataFrame to join on: category codes and thresholds travel as data, never
 * as SQL text, so a code with a quote in it cannot alter a query.
 */
public final class CatalogFrame {
  private CatalogFrame() {}

  public static Dataset<Row> of(SparkSession spark, FacilityCatalog catalog) {
    StructType schema =
        new StructType()
            .add("cat_code", DataTypes.StringType, false)
            .add("cat_name_zh", DataTypes.StringType, true)
            .add("cat_name_en", DataTypes.StringType, true)
            .add("cat_level", DataTypes.IntegerType, false)
            .add("cat_threshold_m", DataTypes.DoubleType, false)
            .add("cat_complete_community", DataTypes.BooleanType, false)
            .add("cat_severity_weight", DataTypes.DoubleType, false);
    List<Row> rows = new ArrayList<>();
    for (FacilityCatalog.Category c : catalog.categories()) {
      rows.add(
          RowFactory.create(
              c.code(),
              c.nameZh(),
              c.nameEn(),
              c.level(),
              c.reachM(),
              c.completeCommunity(),
              catalog.severityWeight(c.level())));
    }
    return spark.createDataFrame(rows, schema);
  }
}
