package org.lifecircle.assets;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Greedy maximal covering: repeatedly pick the candidate that newly covers the most uncovered
 * weight, until the budget is spent or no candidate adds anything. Ties go to the smaller candidate
 * index (callers index candidates in id order, so ties go to the smaller id).
 *
 * <p>{@link #lazyGreedy} is CELF (Leskovec et al. 2007): coverage gain is submodular, so a gain
 * computed in an earlier round is an upper bound on the gain now. A priority queue holds these
 * bounds; the top is re-evaluated, and picked only when its bound is fresh (computed in this
 * round), since then no other candidate can do better. It picks exactly what {@link #plainGreedy}
 * picks, usually with far fewer gain evaluations.
 */
public final class MaxCover {
  private MaxCover() {}

  /** One pick: candidate index, weight newly covered, elements newly covered, running total. */
  public record Pick(int candidate, long gain, int newlyCovered, long cumulative) {}

  /** The picks in order and how many gain evaluations they took. */
  public record Result(List<Pick> picks, long evaluations) {}

  /**
   * @param covers covers[c] = indexes of the elements candidate c covers
   * @param weights weight of each element (target residents), all >= 0
   * @param budget most candidates to pick
   * @param excluded candidates that may not be picked (null: none)
   */
  public static Result lazyGreedy(int[][] covers, long[] weights, int budget, boolean[] excluded) {
    boolean[] covered = new boolean[weights.length];
    // Entries: {bound, candidate, round the bound was computed in}. Largest bound first, then
    // index.
    PriorityQueue<long[]> queue =
        new PriorityQueue<>(
            (a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0]) : Long.compare(a[1], b[1]));
    long evaluations = 0;
    for (int c = 0; c < covers.length; c++) {
      if (excluded == null || !excluded[c]) {
        queue.add(new long[] {gain(covers[c], weights, covered), c, 0});
        evaluations++;
      }
    }
    List<Pick> picks = new ArrayList<>();
    long total = 0;
    while (picks.size() < budget && !queue.isEmpty()) {
      long[] top = queue.poll();
      int round = picks.size();
      if (top[2] != round) {
        top[0] = gain(covers[(int) top[1]], weights, covered);
        top[2] = round;
        evaluations++;
        queue.add(top);
        continue;
      }
      if (top[0] <= 0) {
        break;
      }
      int c = (int) top[1];
      total += top[0];
      picks.add(new Pick(c, top[0], cover(covers[c], covered), total));
    }
    return new Result(picks, evaluations);
  }

  /** The textbook greedy: every round evaluates every remaining candidate. */
  public static Result plainGreedy(int[][] covers, long[] weights, int budget, boolean[] excluded) {
    boolean[] covered = new boolean[weights.length];
    boolean[] used = new boolean[covers.length];
    List<Pick> picks = new ArrayList<>();
    long evaluations = 0;
    long total = 0;
    while (picks.size() < budget) {
      int best = -1;
      long bestGain = 0;
      for (int c = 0; c < covers.length; c++) {
        if (used[c] || (excluded != null && excluded[c])) {
          continue;
        }
        long g = gain(covers[c], weights, covered);
        evaluations++;
        if (g > bestGain) {
          best = c;
          bestGain = g;
        }
      }
      if (best < 0) {
        break;
      }
      used[best] = true;
      total += bestGain;
      picks.add(new Pick(best, bestGain, cover(covers[best], covered), total));
    }
    return new Result(picks, evaluations);
  }

  private static long gain(int[] elements, long[] weights, boolean[] covered) {
    long g = 0;
    for (int e : elements) {
      if (!covered[e]) {
        g += weights[e];
      }
    }
    return g;
  }

  private static int cover(int[] elements, boolean[] covered) {
    int n = 0;
    for (int e : elements) {
      if (!covered[e]) {
        covered[e] = true;
        n++;
      }
    }
    return n;
  }
}
