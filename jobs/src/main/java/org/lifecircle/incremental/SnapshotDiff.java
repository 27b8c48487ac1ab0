package org.lifecircle.incremental;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.lifecircle.common.Contract;
import org.lifecircle.common.PipelineException;
import scala.collection.JavaConverters;

/**
 * What changed in one table between two snapshots of a city: each key that was added, removed or
 * whose row changed, by a content hash of the row. The first piece of the incremental nightly
 * (issue 22), which recomputes only what a change can reach.
 *
 * <p>By key and hash, not Delta's change data feed: a nightly writes each date into its own
 * partition (replaceWhere on city and date), so the feed of a new date lists every row as inserted;
 * the previous date's rows sit in another partition and are compared here key by key.
 *
 * <p>The content is every column but the partition columns (the date differs by definition), hashed
 * twice with independent functions (xxHash64 and Murmur3: 96 bits, so a change goes unseen with a
 * chance of about n² / 2^97 among n keys). Both hash functions skip a null, so a row whose null
 * moved from one column to the next would hash alike: the row's null mask is hashed with it.
 */
public final class SnapshotDiff {
  public static final String CHANGE = "change";
  public static final String ADDED = "added";
  public static final String REMOVED = "removed";
  public static final String CHANGED = "changed";

  private SnapshotDiff() {}

  /**
   * The keys of {@code contract}'s table that differ between the two snapshots, with {@link
   * #CHANGE}: {@link #ADDED} (only in {@code current}), {@link #REMOVED} (only in {@code previous})
   * or {@link #CHANGED}. Unchanged keys are not listed.
   */
  public static Dataset<Row> changes(
      Contract contract, Dataset<Row> previous, Dataset<Row> current) {
    List<String> key = contract.key();
    if (key.isEmpty()) {
      throw PipelineException.cannot(
          "diff", "table " + contract.table(), "its contract names no key", contract.table());
    }
    List<String> content = content(contract, current);
    List<String> previousContent = content(contract, previous);
    if (!content.equals(previousContent)) {
      throw PipelineException.cannot(
          "diff",
          "table " + contract.table(),
          "the snapshots have other columns",
          previousContent + " != " + content);
    }
    // One job per side before the diff: a key repeated in a snapshot would otherwise pair with
    // every row of the other side's key and be reported as changed, hiding a broken table.
    requireUniqueKey(contract.table(), key, previous, "previous");
    requireUniqueKey(contract.table(), key, current, "new");
    Dataset<Row> before = hashed(previous, key, content, "before");
    Dataset<Row> after = hashed(current, key, content, "after");
    Column change =
        when(col("before_h1").isNull(), lit(ADDED))
            .when(col("after_h1").isNull(), lit(REMOVED))
            .when(
                col("before_h1")
                    .notEqual(col("after_h1"))
                    .or(col("before_h2").notEqual(col("after_h2"))),
                lit(CHANGED));
    List<Column> out = new ArrayList<>();
    key.forEach(k -> out.add(col(k)));
    out.add(change.as(CHANGE));
    return before
        .join(after, JavaConverters.asScalaBuffer(key).toSeq(), "full_outer")
        .select(out.toArray(Column[]::new))
        .where(col(CHANGE).isNotNull());
  }

  /**
   * Whether the two snapshots hold the same rows, in any order: per side the row count and the sums
   * of both row hashes (a multiset fingerprint, one job per side and no shuffle), the fast way to
   * learn that nothing changed before paying for {@link #changes}, which joins the sides by key. A
   * key repeated in a snapshot is not looked for here.
   */
  public static boolean same(Contract contract, Dataset<Row> previous, Dataset<Row> current) {
    List<String> content = content(contract, current);
    if (!content.equals(content(contract, previous))) {
      return false;
    }
    return fingerprint(previous, content).equals(fingerprint(current, content));
  }

  /**
   * A snapshot's content in a line, whatever order its rows are in: the row count and the sums of
   * both row hashes over every non-partition column, as {@link #same} compares them.
   */
  public static String fingerprint(Contract contract, Dataset<Row> rows) {
    Row f = fingerprint(rows, content(contract, rows));
    return f.get(0) + " rows, " + f.get(1) + ", " + f.get(2);
  }

  private static Row fingerprint(Dataset<Row> rows, List<String> content) {
    Dataset<Row> h = hashed(rows, List.of(), content, "row");
    // Summed as decimals: exact, with no overflow (a long sum would wrap, or fail in ANSI mode).
    return h.agg(
            count(lit(1)),
            sum(col("row_h1").cast("decimal(20,0)")),
            sum(col("row_h2").cast("decimal(20,0)")))
        .first();
  }

  /** The columns a row's content hash covers: all but the table's partition columns. */
  static List<String> content(Contract contract, Dataset<Row> rows) {
    List<String> content = new ArrayList<>();
    for (String c : rows.columns()) {
      if (!contract.partitionBy().contains(c)) {
        content.add(c);
      }
    }
    return content;
  }

  private static Dataset<Row> hashed(
      Dataset<Row> rows, List<String> key, List<String> content, String side) {
    List<Column> values = new ArrayList<>();
    List<Column> nulls = new ArrayList<>();
    for (String c : content) {
      values.add(col(c));
      nulls.add(col(c).isNull());
    }
    values.add(array(nulls.toArray(Column[]::new)));
    Column[] all = values.toArray(Column[]::new);
    List<Column> out = new ArrayList<>();
    key.forEach(k -> out.add(col(k)));
    out.add(xxhash64(all).as(side + "_h1"));
    out.add(hash(all).as(side + "_h2"));
    return rows.select(out.toArray(Column[]::new));
  }

  private static void requireUniqueKey(
      String table, List<String> key, Dataset<Row> rows, String side) {
    Column[] keyColumns = key.stream().map(k -> col(k)).toArray(Column[]::new);
    List<Row> repeated =
        rows.groupBy(keyColumns)
            .agg(count(lit(1)).as("n"))
            .where(col("n").gt(1))
            .limit(1)
            .collectAsList();
    if (!repeated.isEmpty()) {
      Row r = repeated.get(0);
      List<Object> value = new ArrayList<>();
      for (int i = 0; i < key.size(); i++) {
        value.add(r.get(i));
      }
      throw PipelineException.cannot(
          "diff",
          "table " + table,
          "key " + String.join(", ", key) + " repeats in the " + side + " snapshot",
          value.size() == 1 ? value.get(0) : value);
    }
  }
}
