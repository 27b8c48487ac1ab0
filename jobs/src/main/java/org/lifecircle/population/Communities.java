package org.lifecircle.population;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.row_number;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Places building origins in communities (a Sedona spatial join) and climbs to street and district.
 */
final class Communities {
  private Communities() {}

  /**
   * Adds community_code, street_code and district_code (null when the origin lies in no community).
   * A point on a shared boundary touches two communities: the smaller code wins, so every building
   * is counted once.
   */
  static Dataset<Row> place(Dataset<Row> homes, Dataset<Row> areas) {
    Dataset<Row> communities =
        areas
            .where(col("level").equalTo("community"))
            .select(
                col("area_code").as("community_code"),
                col("parent_code").as("street_code"),
                expr("ST_GeomFromWKB(geometry)").as("community_geom"));
    Dataset<Row> hits =
        homes
            .select(col("building_id").as("hit_id"), col("origin").as("hit_origin"))
            .join(communities, expr("ST_Intersects(community_geom, hit_origin)"))
            .withColumn(
                "n", row_number().over(Window.partitionBy("hit_id").orderBy(col("community_code"))))
            .where(col("n").equalTo(1))
            .select(col("hit_id"), col("community_code"), col("street_code"));
    Dataset<Row> streets =
        areas
            .where(col("level").equalTo("street"))
            .select(col("area_code").as("street_key"), col("parent_code").as("district_code"));
    return homes
        .join(hits, homes.col("building_id").equalTo(hits.col("hit_id")), "left")
        .drop("hit_id")
        .join(streets, col("street_code").equalTo(col("street_key")), "left")
        .drop("street_key");
  }
}
