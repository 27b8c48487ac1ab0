package org.lifecircle.io;

/**
 * The classes a SparkSession registers to read and write Delta tables. They are named here so that
 * every mention of Delta stays in this package; common/SparkSessions puts them in the session.
 */
public final class DeltaSession {
  public static final String SQL_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
  public static final String CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog";

  private DeltaSession() {}
}
