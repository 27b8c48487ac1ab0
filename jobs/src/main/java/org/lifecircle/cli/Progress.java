package org.lifecircle.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.SparkStatusTracker;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/**
 * A line on stdout every ten seconds while a stage runs (stage, the Spark step running now, tasks
 * and rows done), so a long ingest is never silent. Reads Spark's status tracker and the stage's
 * {@link SparkMetrics}; prints nothing for a stage shorter than one period.
 */
final class Progress implements AutoCloseable {
  static final Duration PERIOD = Duration.ofSeconds(10);
  private final ScheduledExecutorService timer;

  private Progress(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  static Progress start(SparkSession spark, String stage, SparkMetrics metrics, PrintStream out) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "lifecircle-progress");
              t.setDaemon(true);
              return t;
            });
    Instant start = Instant.now();
    SparkStatusTracker tracker = spark.sparkContext().statusTracker();
    timer.scheduleAtFixedRate(
        () -> out.println(line(stage, start, tracker, metrics)),
        PERIOD.toMillis(),
        PERIOD.toMillis(),
        TimeUnit.MILLISECONDS);
    return new Progress(timer);
  }

  static String line(
      String stage, Instant start, SparkStatusTracker tracker, SparkMetrics metrics) {
    String step = "between Spark jobs";
    for (int jobId : tracker.getActiveJobIds()) {
      Option<SparkJobInfo> job = tracker.getJobInfo(jobId);
      if (job.isDefined() && job.get().stageIds().length > 0) {
        int[] stages = job.get().stageIds();
        Option<SparkStageInfo> s = tracker.getStageInfo(stages[stages.length - 1]);
        if (s.isDefined()) {
          step =
              String.format(
                  Locale.ROOT,
                  "%s, tasks %d/%d",
                  s.get().name(),
                  s.get().numCompletedTasks(),
                  s.get().numTasks());
        }
      }
    }
    return String.format(
        Locale.ROOT,
        "  … %s %ds: %s; %,d rows read, %,d written so far",
        stage,
        Duration.between(start, Instant.now()).toSeconds(),
        step,
        metrics.rowsRead(),
        metrics.rowsWritten());
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
