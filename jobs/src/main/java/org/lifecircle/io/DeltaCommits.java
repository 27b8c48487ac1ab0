package org.lifecircle.io;

import io.delta.exceptions.DeltaConcurrentModificationException;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import org.lifecircle.common.PipelineException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one Delta commit (a partition overwrite, an append, a MERGE, a table-property change) and
 * retries it when it loses Delta's optimistic-concurrency check to another writer — in practice
 * another city's run on the same warehouse: its first write records its CRS as a table property, a
 * metadata change that fails every concurrent commit on that table once. Every commit here replaces
 * or merges by (city, date) keys, so running it again is safe.
 */
public final class DeltaCommits {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaCommits.class);
  static final int MAX_ATTEMPTS = 6;

  private static final RetryConfig CONFIG =
      RetryConfig.custom()
          .maxAttempts(MAX_ATTEMPTS)
          // Jittered exponential backoff so two losers do not collide again on the same beat.
          .intervalFunction(
              IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(200), 2.0, 0.5))
          .retryExceptions(DeltaConcurrentModificationException.class)
          .build();

  // Two first runs may create one table at once: the loser sees a _delta_log without a commit
  // ("table doesn't exist") or a create that conflicts. Checked again after a short wait, the table
  // is there; a lasting failure (permissions, a full disk) still surfaces after the last attempt.
  private static final RetryConfig CREATE_CONFIG =
      RetryConfig.from(CONFIG).retryExceptions(Exception.class).build();

  private DeltaCommits() {}

  /** Runs a table creation (which must be a no-op when the table exists), retrying any failure. */
  public static void create(String table, Runnable create) {
    Retry retry = Retry.of("delta-create " + table, CREATE_CONFIG);
    retry
        .getEventPublisher()
        .onRetry(
            e ->
                LOG.warn(
                    "creating {} raced another writer," + " attempt {} of {}: {}",
                    table,
                    e.getNumberOfRetryAttempts() + 1,
                    MAX_ATTEMPTS,
                    firstLine(e.getLastThrowable().getMessage())));
    try {
      // The checked variant: Delta's "doesn't exist" is an AnalysisException, which Scala throws
      // unchecked past Runnable-based retries.
      Retry.decorateCheckedRunnable(retry, create::run).run();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw PipelineException.cannot(
          "create", "table " + table, firstLine(e.getMessage()), null, e);
    }
  }

  /** Runs {@code commit}, again after a concurrent-modification conflict, up to 6 attempts. */
  public static void run(String table, Runnable commit) {
    Retry retry = Retry.of("delta-commit " + table, CONFIG);
    retry
        .getEventPublisher()
        .onRetry(
            e ->
                LOG.warn(
                    "commit to {} lost a concurrency race," + " attempt {} of {}: {}",
                    table,
                    e.getNumberOfRetryAttempts() + 1,
                    MAX_ATTEMPTS,
                    firstLine(e.getLastThrowable().getMessage())));
    Retry.decorateRunnable(retry, commit).run();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl > 0 ? s.substring(0, nl) : s;
  }
}
