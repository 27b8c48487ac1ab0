package org.lifecircle.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.Contract;
import org.lifecircle.common.DatasetSource;
import org.lifecircle.common.ParallelWork;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.Stage;
import org.lifecircle.common.StageResult;
import org.lifecircle.common.StageTables;
import org.lifecircle.io.CommitMetrics;
import org.lifecircle.io.DeltaTables;
import org.lifecircle.io.Quarantine;
import org.lifecircle.io.SourceReader;
import org.lifecircle.io.Tables;
import org.lifecircle.osm.OsmReader;

/**
 * Reads every configured input, validates each record against its contract, converts geometry to
 * the city's metric CRS, and writes one silver table per input plus the quarantine. No table is
 * written unless every source passes its limits, so the stage publishes all silver tables for the
 * date or none. After the commits every source must reconcile from independent counts: rows the
 * reader produced = rows its silver commit added + rows the quarantine commit holds for it; a
 * mismatch fails the stage, so nothing downstream runs on the snapshot.
 */
public final class IngestStage implements Stage {
  private static final Logger LOG = LogManager.getLogger(IngestStage.class);
  public static final String NAME = "ingest";

  /**
   * What publishing does to a source's accepted rows just before writing them: nothing, except in
   * the test that breaks it (drops a row) to show the reconciliation failing.
   */
  private final BiFunction<String, Dataset<Row>, Dataset<Row>> beforeSilverWrite;

  public IngestStage() {
    this((dataset, rows) -> rows);
  }

  IngestStage(BiFunction<String, Dataset<Row>, Dataset<Row>> beforeSilverWrite) {
    this.beforeSilverWrite = beforeSilverWrite;
  }

  /**
   * Sources read, and silver tables written, at once: each piece's driver work (planning, Delta's
   * log) overlaps another's tasks. Demo city on 2 cores: see docs/BENCHMARKS.md, session 8.
   */
  static final int PARALLEL = 3;

  @Override
  public String name() {
    return NAME;
  }

  /** Reads the city config's files, no table; writes every silver table the city configures. */
  @Override
  public Doors doors() {
    return Doors.reads()
        .writes(
            Tables.ADMIN_AREAS,
            Tables.COMPOUNDS,
            Tables.PARCELS,
            Tables.BUILDINGS,
            Tables.POPULATION,
            Tables.FACILITIES,
            Tables.WALK_NETWORK,
            Tables.QUARANTINE)
        .checks("reconciliation", "non_empty_source", "quarantine_share");
  }

  /**
   * One validated source: its rows (duplicates marked) over the validated rows {@code held}
   * (persisted) until every source has passed; {@code rawText} makes a quarantined row's source
   * record text from its {@code __raw} column ({@link SourceReader.Staged#rawText}).
   */
  record Checked(
      String dataset,
      Contract contract,
      Dataset<Row> rows,
      StageResult.SourceCount counts,
      Dataset<Row> held,
      Column rawText) {
    Checked(String dataset, Contract contract, Dataset<Row> rows, StageResult.SourceCount counts) {
      this(dataset, contract, rows, counts, rows, to_json(col("__raw")));
    }

    /** The quarantined rows, {@code __raw} as the source record's text. */
    Dataset<Row> rejected() {
      return rows.where(col("__reason").isNotNull()).withColumn("__raw", rawText);
    }
  }

  @Override
  public StageResult run(SparkSession spark, RunContext ctx, StageTables tables) {
    CityConfig city = ctx.city();
    Set<String> categories = ctx.catalogs().facilities().codes();
    List<Checked> checked = new ArrayList<>();
    try {
      List<Callable<Checked>> reads = new ArrayList<>();
      for (Map.Entry<String, DatasetSource> e : city.datasets().entrySet()) {
        reads.add(() -> check(spark, ctx, e.getKey(), e.getValue(), categories));
      }
      List<ParallelWork.Outcome<Checked>> outcomes = ParallelWork.run(PARALLEL, reads);
      outcomes.stream().filter(o -> !o.failed()).forEach(o -> checked.add(o.value()));
      ParallelWork.throwFirstFailure(outcomes);
      for (Checked c : checked) {
        requireWithinLimits(c, city.limits().maxQuarantineShare());
      }
      return publish(spark, ctx, checked);
    } finally {
      checked.forEach(c -> c.held().unpersist());
      OsmReader.release();
    }
  }

  static Checked check(
      SparkSession spark,
      RunContext ctx,
      String dataset,
      DatasetSource src,
      Set<String> categories) {
    spark.sparkContext().setJobDescription("ingest " + dataset);
    Contract contract = Contract.of(dataset);
    Path path = ctx.city().resolve(src.path());
    SourceReader.Staged staged =
        src.isOsm()
            ? OsmReader.read(
                spark, dataset, src, path, contract, ctx.city(), ctx.catalogs().osmTags())
            : SourceReader.read(spark, dataset, src, path, contract);
    RecordValidator validator =
        new RecordValidator(
            dataset,
            contract,
            src.crs(),
            ctx.city().metricCrs(),
            ctx.city().bounds(),
            ctx.snapshotDate(),
            categories,
            staged.lonLat(),
            staged.sourceColumns());
    Dataset<Row> held = null;
    Dataset<Row> rows;
    List<Row> verdicts;
    long read;
    try {
      // Counting runs a job at once, and the group-by below runs the validation: a file Spark
      // cannot parse (a truncated Parquet footer, broken JSON) fails here, not when it is opened.
      // The rows per partition number the rows (as zipWithIndex would, in the same one job) and
      // add up to the rows read, counted before validation touches them: free, and independent.
      // A source in one partition (most files of a district) needs no such job: its rows are
      // numbered from 1, and the last number given is the count of rows read.
      JavaRDD<Row> source = staged.rows().javaRDD();
      boolean onePartition = source.getNumPartitions() == 1;
      // A file source is counted on a projection of nothing: its plan is a scan and projections,
      // the scan splits the files alone, so the partitions and the rows in each are the source's,
      // but no row is turned into JSON text or geometry (buildings at SF 1: 56.7 s of task time
      // before, for rows the validation then builds again). An OSM extract's rows come out of a
      // sort, a shuffle whose adaptive coalescing follows the bytes of the columns read, so a
      // narrower projection could be split otherwise: it is counted on the rows themselves.
      JavaRDD<Row> counted = src.isOsm() ? source : staged.rows().select(lit(1)).javaRDD();
      List<Long> sizes =
          onePartition ? List.of(0L) : counted.mapPartitions(IngestStage::size).collect();
      if (sizes.size() != source.getNumPartitions()) {
        throw PipelineException.cannot(
            "read",
            "dataset " + dataset,
            "the row count split the file into other partitions than the validation",
            sizes.size() + " != " + source.getNumPartitions());
      }
      long[] first = new long[sizes.size()];
      long total = 0;
      for (int i = 0; i < first.length; i++) {
        first[i] = total + 1;
        total += sizes.get(i);
      }
      JavaRDD<Row> validated =
          source.mapPartitionsWithIndex((part, it) -> numbered(it, first[part], validator), true);
      // Held: the duplicate marking and every read after it (verdicts, writes) scan these rows.
      DataType rawType = staged.rows().schema().apply("__raw").dataType();
      held =
          spark
              .createDataFrame(validated, RecordValidator.outputSchema(contract, rawType))
              .persist(StorageLevel.MEMORY_AND_DISK());
      StructType rawSchema =
          new StructType()
              .add("__dup_row", DataTypes.LongType, false)
              .add("__dup_raw", rawType, true);
      // Collected: the frame is read by every later action (verdicts, writes, quarantine), and a
      // frame over the source would read the whole file again for each.
      rows =
          markDuplicates(
              held,
              dataset,
              contract,
              wanted ->
                  spark.createDataFrame(
                      source
                          .mapPartitionsWithIndex(
                              (part, it) -> rawOf(it, first[part], wanted), true)
                          .collect(),
                      rawSchema));
      verdicts =
          rows.groupBy(col("__reason").isNull(), col("__repaired"))
              .agg(count(lit(1)), max(col("source_row")))
              .collectAsList();
      read = onePartition ? lastNumbered(verdicts) : total;
    } catch (PipelineException e) {
      if (held != null) {
        held.unpersist();
      }
      throw e;
    } catch (Exception e) { // SparkException is checked, but Scala throws it from any action
      if (held != null) {
        held.unpersist();
      }
      throw SourceReader.unreadable(dataset, src, path, e);
    }
    long judged = 0;
    long quarantined = 0;
    long repaired = 0;
    for (Row r : verdicts) {
      long n = r.getLong(2);
      judged += n;
      if (!r.getBoolean(0)) {
        quarantined += n;
      } else if (r.getBoolean(1)) {
        repaired += n;
      }
    }
    var counts =
        new StageResult.SourceCount(
            dataset,
            read,
            judged - quarantined,
            quarantined,
            repaired,
            staged.dropped(),
            staged.elements());
    return new Checked(dataset, contract, rows, counts, held, staged.rawText());
  }

  /** The highest row number the validation gave (0 when the source had no rows). */
  private static long lastNumbered(List<Row> verdicts) {
    return verdicts.stream().mapToLong(r -> r.getLong(3)).max().orElse(0L);
  }

  /** One partition's row count, reading nothing but the rows themselves. */
  private static Iterator<Long> size(Iterator<Row> rows) {
    long n = 0;
    for (; rows.hasNext(); n++) {
      rows.next();
    }
    return List.of(n).iterator();
  }

  /**
   * The source rows numbered as {@link #numbered} numbers them, those in {@code wanted}: their
   * number and {@code __raw} record.
   */
  private static Iterator<Row> rawOf(Iterator<Row> rows, long first, Set<Long> wanted) {
    List<Row> out = new ArrayList<>();
    for (long n = first; rows.hasNext(); n++) {
      Row r = rows.next();
      if (wanted.contains(n)) {
        out.add(RowFactory.create(n, r.get(0)));
      }
    }
    return out.iterator();
  }

  /** Validates a partition's rows, numbering them from {@code first} in source order. */
  private static Iterator<Row> numbered(Iterator<Row> rows, long first, RecordValidator validator) {
    return new Iterator<>() {
      private long next = first;

      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        return validator.validate(rows.next(), next++);
      }
    };
  }

  /**
   * Duplicate ids: the row first seen in the source (lowest row number) wins; every later one is
   * quarantined with a message naming the winner's row.
   *
   * <p>The keys that more than one accepted row holds are found by one aggregation of the key alone
   * and collected (they are few: every one of them quarantines rows), then joined back by
   * broadcast, so the rows never move. A window over the key, as before, shuffled every row with
   * its raw record: 495 MB for SF 1's buildings (event log, session 15). Runs that aggregation at
   * once: {@code rows} should be persisted.
   *
   * <p>Validation kept the source record ({@code __raw}) of the rows it rejected only; the rows
   * quarantined here get theirs from {@code rawOf}: given source row numbers, their records ({@code
   * __dup_row}, {@code __dup_raw}), read again from the source.
   */
  static Dataset<Row> markDuplicates(
      Dataset<Row> rows,
      String dataset,
      Contract contract,
      Function<Set<Long>, Dataset<Row>> rawOf) {
    if (contract.key().isEmpty()) {
      return rows;
    }
    String key = contract.key().get(0);
    Column ok = col("__reason").isNull();
    Dataset<Row> repeated =
        rows.where(ok.and(col(key).isNotNull()))
            .groupBy(col(key).as("__dup_key"))
            .agg(min(col("source_row")).as("__first"), count(lit(1)).as("__n"))
            .where(col("__n").gt(1))
            .select("__dup_key", "__first");
    List<Row> firsts = repeated.collectAsList();
    if (firsts.isEmpty()) {
      return rows;
    }
    Dataset<Row> winners = rows.sparkSession().createDataFrame(firsts, repeated.schema());
    Dataset<Row> marked =
        rows.join(broadcast(winners), ok.and(col(key).equalTo(col("__dup_key"))), "left");
    Column dup = col("__first").isNotNull().and(col("__first").notEqual(col("source_row")));
    Set<Long> later = new HashSet<>();
    marked.where(dup).select("source_row").collectAsList().forEach(r -> later.add(r.getLong(0)));
    Dataset<Row> raws = rawOf.apply(later);
    return marked
        .join(broadcast(raws), col("source_row").equalTo(col("__dup_row")), "left")
        .withColumn("__raw", when(dup, col("__dup_raw")).otherwise(col("__raw")))
        .withColumn("__reason", when(dup, lit("DUPLICATE_ID")).otherwise(col("__reason")))
        .withColumn(
            "__message",
            when(
                    dup,
                    format_string(
                        "Cannot accept row %d of dataset "
                            + dataset
                            + ": duplicate "
                            + key
                            + ", first seen at row %d (%s)",
                        col("source_row"),
                        col("__first"),
                        col(key)))
                .otherwise(col("__message")))
        .drop("__first", "__dup_key", "__dup_row", "__dup_raw");
  }

  /** The first quarantined row's own message, so the one line of a stopped run says what to fix. */
  private static String firstRejection(Checked c) {
    Row first =
        c.rows()
            .where(col("__reason").isNotNull())
            .orderBy("source_row")
            .select("__message")
            .first();
    return first == null || first.isNullAt(0) ? "?" : first.getString(0);
  }

  /**
   * Before writing: the limits, and that validation kept every row read (its verdicts are counted
   * apart from the reader's own count, so a row lost between the two shows here).
   */
  static void requireWithinLimits(Checked c, double maxShare) {
    StageResult.SourceCount s = c.counts();
    if (!s.reconciles()) {
      throw PipelineException.cannot(
          "ingest",
          "dataset " + s.source(),
          "read != accepted + quarantined",
          s.read() + " != " + s.accepted() + " + " + s.quarantined());
    }
    if (s.read() == 0) {
      throw PipelineException.cannot("ingest", "dataset " + s.source(), "it has no rows", null);
    }
    double share = (double) s.quarantined() / s.read();
    if (share > maxShare) {
      throw PipelineException.cannot(
          "ingest",
          "dataset " + s.source(),
          String.format(
              "quarantine share %.2f%% exceeds the limit %.2f%%", 100 * share, 100 * maxShare),
          s.quarantined() + " of " + s.read() + " rows; the first: " + firstRejection(c));
    }
  }

  /**
   * Writes each silver table and then the quarantine, one commit each, and reconciles every source
   * from what the commits hold; the numbers reported (run_log) are those committed ones. A source
   * that does not reconcile undoes every commit of this stage before the failure propagates: the
   * snapshot's silver tables and quarantine are as they were before the run (a rerun's previous
   * good snapshot, or nothing), never half published.
   */
  private StageResult publish(SparkSession spark, RunContext ctx, List<Checked> checked) {
    Map<String, CommitMetrics.Commit> commits = new LinkedHashMap<>();
    try {
      return reconcile(spark, ctx, checked, commits);
    } catch (RuntimeException e) {
      // Rethrown whatever happens; a failed undo is attached to it, not swallowed.
      try {
        undo(spark, ctx, checked, commits);
      } catch (RuntimeException undoFailure) {
        e.addSuppressed(undoFailure);
      }
      throw e;
    }
  }

  private static void undo(
      SparkSession spark,
      RunContext ctx,
      List<Checked> checked,
      Map<String, CommitMetrics.Commit> commits) {
    CommitMetrics.Commit q = commits.get(Tables.QUARANTINE);
    if (q != null) {
      Quarantine.undo(spark, ctx, NAME, q);
    }
    for (Checked c : checked) {
      CommitMetrics.Commit commit = commits.get(c.dataset());
      if (commit != null) {
        DeltaTables.undoSnapshot(spark, ctx, c.contract(), commit);
      }
    }
    LOG.warn("ingest undid its commits ({}) after a failed check", commits.keySet());
  }

  private StageResult reconcile(
      SparkSession spark,
      RunContext ctx,
      List<Checked> checked,
      Map<String, CommitMetrics.Commit> commits) {
    Map<String, Long> counts = new LinkedHashMap<>();
    Map<String, Long> committed = new LinkedHashMap<>();
    List<Callable<CommitMetrics.Commit>> writes = new ArrayList<>();
    for (Checked c : checked) {
      writes.add(
          () -> {
            spark.sparkContext().setJobDescription("ingest write " + c.dataset());
            Dataset<Row> ok =
                beforeSilverWrite.apply(c.dataset(), c.rows().where(col("__reason").isNull()));
            return DeltaTables.replaceSnapshotCommit(spark, ctx, c.contract(), ok);
          });
    }
    List<ParallelWork.Outcome<CommitMetrics.Commit>> written = ParallelWork.run(PARALLEL, writes);
    for (int i = 0; i < checked.size(); i++) {
      if (!written.get(i).failed()) {
        commits.put(checked.get(i).dataset(), written.get(i).value());
      }
    }
    ParallelWork.throwFirstFailure(written);
    Dataset<Row> quarantine = null;
    for (Checked c : checked) {
      long added = commits.get(c.dataset()).rowsAdded();
      counts.put(c.dataset(), added);
      committed.put(c.dataset(), added);
      Dataset<Row> bad =
          Quarantine.fromRejected(
              c.rejected(),
              c.dataset(),
              c.contract().key().isEmpty() ? null : c.contract().key().get(0));
      quarantine = quarantine == null ? bad : quarantine.unionByName(bad);
    }
    spark.sparkContext().setJobDescription("ingest write " + Tables.QUARANTINE);
    CommitMetrics.Commit q = Quarantine.replaceCommit(spark, ctx, NAME, quarantine);
    commits.put(Tables.QUARANTINE, q);
    counts.put(Tables.QUARANTINE, q.rowsAdded());
    Map<String, Long> quarantinedBySource = Quarantine.committedBySource(spark, ctx, NAME, q);
    Reconciliation.requireQuarantineTotal(quarantinedBySource, q.rowsAdded());

    List<StageResult.SourceCount> sources = new ArrayList<>();
    List<String> headlines = new ArrayList<>();
    long read = 0;
    long accepted = 0;
    long quarantined = 0;
    for (Checked c : checked) {
      StageResult.SourceCount v = c.counts();
      long silver = committed.get(c.dataset());
      long held = quarantinedBySource.getOrDefault(c.dataset(), 0L);
      Reconciliation.require(c.dataset(), c.contract().table(), v.read(), silver, held);
      var s =
          new StageResult.SourceCount(
              c.dataset(), v.read(), silver, held, v.repaired(), v.dropped(), v.elements());
      sources.add(s);
      read += s.read();
      accepted += s.accepted();
      quarantined += s.quarantined();
      headlines.add(
          String.format(
              "  %-14s read %8d  accepted %8d  quarantined %6d  repaired %4d%s",
              s.source(),
              s.read(),
              s.accepted(),
              s.quarantined(),
              s.repaired(),
              s.dropped().isEmpty() ? "" : "  not read " + s.dropped()));
    }
    return new StageResult(read, accepted, quarantined, counts, sources, Map.of(), headlines);
  }
}
