package org.lifecircle.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;

/**
 * Registers path-based Delta tables in the session catalog so SQL users can say {@code SELECT *
 * FROM lifecircle.coverage_gaps}. The tables stay path-based: dropping the registration never drops
 * data.
 */
final class MetastoreRegistration {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private MetastoreRegistration() {}

  static void register(
      SparkSession spark, RunContext ctx, String database, List<String> tables, PrintStream out) {
    // Identifiers cannot be bound as parameters, so they are validated before any SQL is built.
    if (!IDENTIFIER.matcher(database).matches()) {
      throw PipelineException.cannot(
          "register",
          "tables in the metastore",
          "database name must be letters, digits and _",
          database);
    }
    spark.sql("CREATE DATABASE IF NOT EXISTS `" + database + "`");
    for (String table : tables) {
      if (!IDENTIFIER.matcher(table).matches()) {
        continue;
      }
      String location = ctx.tablePath(table).replace("'", "\\\\'");
      spark.sql(
          "CREATE TABLE IF NOT EXISTS `"
              + database
              + "`.`"
              + table
              + "` USING DELTA LOCATION '"
              + location
              + "'");
      out.printf("registered %s.%s -> %s%n", database, table, ctx.tablePath(table));
    }
  }
}
