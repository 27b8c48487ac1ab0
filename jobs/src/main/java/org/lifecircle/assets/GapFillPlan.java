package org.lifecircle.assets;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The city's gap-filling plan, on the driver: categories in order of their uncovered target
 * residents (most first, ties by code), each a lazy-greedy maximal covering ({@link MaxCover}) over
 * its candidate assets, up to its site budget. An asset picked for a category is not offered to
 * later categories, unless the category is shareable (catalog host.shareable): a shareable category
 * may pick any asset, and its picks stay available to the others.
 *
 * <p>The categories run one after another because the one-asset-one-category rule chains them; only
 * one category's pairs are held at a time, as int indexes, and only those of its most promising
 * candidates (see {@link #plan(List, CandidateSource)}).
 */
public final class GapFillPlan {
  private GapFillPlan() {}

  /** A category with uncovered target residents (all of them, reachable by a candidate or not). */
  public record CategoryGap(
      String category,
      long uncovered,
      boolean shareable,
      int budget,
      double thresholdM,
      String basis) {}

  /** An asset that would cover an uncovered building holding {@code weight} target residents. */
  public record Pair(String assetId, String buildingId, long weight) {}

  /** One recommended site. */
  public record Recommendation(
      String category,
      int rank,
      String assetId,
      long newlyCovered,
      int newlyCoveredBuildings,
      long cumulative,
      long remaining,
      double thresholdM,
      String basis) {}

  /**
   * Where a category's candidates come from: every candidate asset's gain before any pick (the
   * target residents it alone would cover), and the pairs of chosen assets.
   */
  public interface CandidateSource {
    Map<String, Long> gains(String category);

    List<Pair> pairs(String category, Set<String> assets);
  }

  /**
   * Candidates by first gain, most first, ties by id. On the entries, not a comparator that looks
   * each gain up: at SF 1 a category has up to 365 k candidates, and the lookups took seconds.
   */
  static final Comparator<Map.Entry<String, Long>> BY_GAIN =
      Map.Entry.<String, Long>comparingByValue()
          .reversed()
          .thenComparing(Map.Entry.comparingByKey());

  /** The candidates of the first round: a multiple of the budget, at least this many. */
  static final int FIRST_CANDIDATES = 64;

  /** A plan from pairs held in memory (tests, small cities). */
  public static List<Recommendation> plan(
      List<CategoryGap> gaps, Function<String, List<Pair>> pairsOf) {
    return plan(
        gaps,
        new CandidateSource() {
          @Override
          public Map<String, Long> gains(String category) {
            Map<String, Long> out = new TreeMap<>();
            pairsOf.apply(category).forEach(p -> out.merge(p.assetId(), p.weight(), Long::sum));
            return out;
          }

          @Override
          public List<Pair> pairs(String category, Set<String> assets) {
            return pairsOf.apply(category).stream()
                .filter(p -> assets.contains(p.assetId()))
                .toList();
          }
        });
  }

  /**
   * The plan, holding the pairs of only the most promising candidates. A gain only shrinks as
   * buildings get covered (submodularity), so an asset outside the chosen set never gains more than
   * its first gain; when every pick from the chosen set gains strictly more than the best first
   * gain left outside (and the budget is spent, or nothing outside gains anything), the greedy over
   * all candidates would have made the same picks. Otherwise the set grows fourfold and the
   * category is planned again. At scale factor 1 a category has hundreds of thousands of candidates
   * and tens of millions of pairs, of which the budget needs a few hundred.
   */
  public static List<Recommendation> plan(List<CategoryGap> gaps, CandidateSource source) {
    return plan(gaps, source, FIRST_CANDIDATES);
  }

  static List<Recommendation> plan(
      List<CategoryGap> gaps, CandidateSource source, int firstCandidates) {
    List<CategoryGap> ordered = new ArrayList<>(gaps);
    ordered.sort(
        Comparator.comparingLong(CategoryGap::uncovered)
            .reversed()
            .thenComparing(CategoryGap::category));
    Set<String> used = new HashSet<>();
    List<Recommendation> out = new ArrayList<>();
    for (CategoryGap g : ordered) {
      Map<String, Long> gains = source.gains(g.category());
      Predicate<String> isOpen = a -> g.shareable() || !used.contains(a);
      int openCount = (int) gains.keySet().stream().filter(isOpen).count();
      int k = Math.min(openCount, Math.max(firstCandidates, 4 * g.budget()));
      List<String> picks;
      List<MaxCover.Pick> result;
      while (true) {
        // The first k open candidates by gain and the one after them, the best left outside.
        List<String> open = best(gains, isOpen, k + 1);
        Set<String> chosen = new TreeSet<>(open.subList(0, k));
        String[] assets = chosen.toArray(String[]::new);
        result = greedy(assets, source.pairs(g.category(), chosen), g.budget());
        long outside = k < openCount ? gains.get(open.get(k)) : 0;
        boolean exact =
            k == openCount
                || (result.stream().allMatch(p -> p.gain() > outside)
                    && (result.size() == g.budget() || outside <= 0));
        if (exact) {
          picks = result.stream().map(p -> assets[p.candidate()]).toList();
          break;
        }
        k = (int) Math.min(openCount, 4L * k);
      }
      for (int i = 0; i < result.size(); i++) {
        MaxCover.Pick p = result.get(i);
        if (!g.shareable()) {
          used.add(picks.get(i));
        }
        out.add(
            new Recommendation(
                g.category(),
                i + 1,
                picks.get(i),
                p.gain(),
                p.newlyCovered(),
                p.cumulative(),
                g.uncovered() - p.cumulative(),
                g.thresholdM(),
                g.basis()));
      }
    }
    return out;
  }

  /**
   * The first {@code n} candidates kept by {@code keep} in {@link #BY_GAIN} order (fewer when fewer
   * are kept). A bounded heap, not a sort of all: at SF 1 a category has up to 365 k candidates of
   * which the plan reads a few hundred, and sorting them all took seconds of the driver's time
   * (JFR, session 15).
   */
  static List<String> best(Map<String, Long> gains, Predicate<String> keep, int n) {
    PriorityQueue<Map.Entry<String, Long>> worstFirst = new PriorityQueue<>(BY_GAIN.reversed());
    for (Map.Entry<String, Long> e : gains.entrySet()) {
      if (!keep.test(e.getKey())) {
        continue;
      }
      if (worstFirst.size() < n) {
        worstFirst.add(e);
      } else if (n > 0 && BY_GAIN.compare(e, worstFirst.peek()) < 0) {
        worstFirst.poll();
        worstFirst.add(e);
      }
    }
    List<Map.Entry<String, Long>> kept = new ArrayList<>(worstFirst);
    kept.sort(BY_GAIN);
    return kept.stream().map(Map.Entry::getKey).toList();
  }

  /** Lazy greedy over the given assets (sorted ids: ties go to the smaller id). */
  private static List<MaxCover.Pick> greedy(String[] assets, List<Pair> pairs, int budget) {
    Map<String, Integer> assetIndex = new HashMap<>();
    for (String a : assets) {
      assetIndex.put(a, assetIndex.size());
    }
    Map<String, Integer> buildingIndex = new HashMap<>();
    List<Long> weights = new ArrayList<>();
    int[] count = new int[assets.length];
    int[] building = new int[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      Pair p = pairs.get(i);
      Integer b = buildingIndex.get(p.buildingId());
      if (b == null) {
        b = buildingIndex.size();
        buildingIndex.put(p.buildingId(), b);
        weights.add(p.weight());
      }
      building[i] = b;
      count[assetIndex.get(p.assetId())]++;
    }
    int[][] covers = new int[assets.length][];
    for (int a = 0; a < assets.length; a++) {
      covers[a] = new int[count[a]];
      count[a] = 0;
    }
    for (int i = 0; i < pairs.size(); i++) {
      int a = assetIndex.get(pairs.get(i).assetId());
      covers[a][count[a]++] = building[i];
    }
    long[] w = weights.stream().mapToLong(Long::longValue).toArray();
    return MaxCover.lazyGreedy(covers, w, budget, null).picks();
  }
}
