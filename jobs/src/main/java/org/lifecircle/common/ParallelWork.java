package org.lifecircle.common;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Independent pieces of a stage's driver work (one source read, one table written) run side by
 * side, so that one piece's planning and Delta bookkeeping on the driver overlaps another's Spark
 * tasks. Every piece runs to its end, even after another failed: the caller sees each outcome, in
 * the order given, and undoes what succeeded if it must. Threads are new per call and inherit the
 * caller's Spark job group, so the stage's metrics still count their jobs.
 */
public final class ParallelWork {
  private ParallelWork() {}

  /** What one piece gave: its value, or the exception it ended with. */
  public record Outcome<T>(T value, RuntimeException failure) {
    public boolean failed() {
      return failure != null;
    }
  }

  /** Runs {@code pieces} on up to {@code threads} threads and returns their outcomes, in order. */
  public static <T> List<Outcome<T>> run(int threads, List<Callable<T>> pieces) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> piece : pieces) {
        futures.add(pool.submit(piece));
      }
      List<Outcome<T>> outcomes = new ArrayList<>();
      for (Future<T> f : futures) {
        outcomes.add(outcome(f));
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The first piece's failure, in the order given, with the later failures attached as suppressed;
   * nothing when every piece succeeded.
   */
  public static void throwFirstFailure(List<? extends Outcome<?>> outcomes) {
    RuntimeException first = null;
    for (Outcome<?> o : outcomes) {
      if (!o.failed()) {
        continue;
      }
      if (first == null) {
        first = o.failure();
      } else if (o.failure() != first) {
        first.addSuppressed(o.failure());
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static <T> Outcome<T> outcome(Future<T> f) {
    try {
      return new Outcome<>(f.get(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome<>(null, new IllegalStateException("interrupted while waiting", e));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        return new Outcome<>(null, re);
      }
      if (cause instanceof Error err) {
        throw err;
      }
      // Spark's checked exceptions (SparkException) arrive here from Scala code.
      return new Outcome<>(null, new IllegalStateException(cause.getMessage(), cause));
    }
  }
}
