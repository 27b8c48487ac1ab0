package org.lifecircle.common;

import org.apache.spark.sql.SparkSession;

/** One room of the pipeline: reads tables, writes its own tables, reports counts. */
public interface Stage {
  String name();

  StageResult run(SparkSession spark, RunContext ctx);
}
