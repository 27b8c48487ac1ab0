package org.lifecircle.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;

/** A stage's own Spark settings hold for that stage only, and never over the deployment's. */
class StageSparkSettingsTest {
  private static final String SET = "spark.sql.adaptive.enabled";
  private static final String UNSET = "spark.sql.test.lifecircle.unset";
  private static final String DEPLOYED = "spark.sql.test.lifecircle.deployed";

  @Test
  void settingsAreReplacedForTheStageAndPutBackAfter() {
    SparkSession spark = TestSpark.session();
    String before = spark.conf().get(SET);
    assertThat(spark.conf().getOption(UNSET).isDefined()).isFalse();
    System.setProperty(DEPLOYED, "mine");
    spark.conf().set(DEPLOYED, "mine");
    try {
      Map<String, String> replaced =
          SparkSessions.override(
              spark,
              Map.of(
                  SET,
                  String.valueOf(!Boolean.parseBoolean(before)),
                  UNSET,
                  "2MB",
                  DEPLOYED,
                  "stage's"));
      assertThat(spark.conf().get(SET)).isEqualTo(String.valueOf(!Boolean.parseBoolean(before)));
      assertThat(spark.conf().get(UNSET)).isEqualTo("2MB");
      assertThat(spark.conf().get(DEPLOYED)).isEqualTo("mine");

      SparkSessions.restore(spark, replaced);
      assertThat(spark.conf().get(SET)).isEqualTo(before);
      assertThat(spark.conf().getOption(UNSET).isDefined()).isFalse();
      assertThat(spark.conf().get(DEPLOYED)).isEqualTo("mine");
    } finally {
      System.clearProperty(DEPLOYED);
      spark.conf().unset(DEPLOYED);
    }
  }
}
