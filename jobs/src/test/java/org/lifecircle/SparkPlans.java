package org.lifecircle;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Asserts that spatial joins plan as Sedona join operators, never as cartesian or nested loops. */
public final class SparkPlans {
  private SparkPlans() {}

  public static void assertSedonaSpatialJoin(Dataset<Row> df) {
    String plan = df.queryExecution().executedPlan().toString();
    assertThat(plan).containsAnyOf("RangeJoin", "DistanceJoin", "BroadcastIndexJoin");
    assertThat(plan).doesNotContain("CartesianProduct", "BroadcastNestedLoopJoin");
  }
}
