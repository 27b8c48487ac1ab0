package org.lifecircle.assets;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The city's gap-filling plan, on the driver: categories in order of their uncovered target
 * residents (most first, ties by code), each a lazy-greedy maximal covering ({@link MaxCover})
 * over its candidate assets, up to its site budget. An asset picked for a category is not offered
 * to later categories, unless the category is shareable (catalog host.shareable): a shareable
 * category may pick any asset, and its picks stay available to the others.
 *
 * <p>The categories run one after another because the one-asset-one-category rule chains them;
 * only one category's pairs are held at a time, as int indexes.
 */
public final class GapFillPlan {
  private GapFillPlan() {}

  /** A category with uncovered target residents (all of them, reachable by a candidate or not). */
  public record CategoryGap(String category, long uncovered, boolean shareable, int budget,
      double thresholdM, String basis) {}

  /** An asset that would cover an uncovered building holding {@code weight} target residents. */
  public record Pair(String assetId, String buildingId, long weight) {}

  /** One recommended site. */
  public record Recommendation(String category, int rank, String assetId, long newlyCovered,
      int newlyCoveredBuildings, long cumulative, long remaining, double thresholdM, String basis) {}

  public static List<Recommendation> plan(List<CategoryGap> gaps,
      Function<String, List<Pair>> pairsOf) {
    List<CategoryGap> ordered = new ArrayList<>(gaps);
    ordered.sort(Comparator.comparingLong(CategoryGap::uncovered).reversed()
        .thenComparing(CategoryGap::category));
    Set<String> used = new HashSet<>();
    List<Recommendation> out = new ArrayList<>();
    for (CategoryGap g : ordered) {
      List<Pair> pairs = pairsOf.apply(g.category());
      TreeMap<String, Integer> assetIndex = new TreeMap<>();
      TreeMap<String, Long> weightOf = new TreeMap<>();
      for (Pair p : pairs) {
        assetIndex.put(p.assetId(), 0);
        weightOf.put(p.buildingId(), p.weight());
      }
      if (assetIndex.isEmpty()) {
        continue;
      }
      String[] assets = index(assetIndex);
      Map<String, Integer> buildingIndex = new TreeMap<>();
      long[] weights = new long[weightOf.size()];
      for (Map.Entry<String, Long> e : weightOf.entrySet()) {
        weights[buildingIndex.size()] = e.getValue();
        buildingIndex.put(e.getKey(), buildingIndex.size());
      }
      List<Set<Integer>> covers = new ArrayList<>();
      for (int i = 0; i < assets.length; i++) {
        covers.add(new java.util.TreeSet<>());
      }
      for (Pair p : pairs) {
        covers.get(assetIndex.get(p.assetId())).add(buildingIndex.get(p.buildingId()));
      }
      int[][] sets = covers.stream().map(s -> s.stream().mapToInt(Integer::intValue).toArray())
          .toArray(int[][]::new);
      boolean[] excluded = new boolean[assets.length];
      for (int i = 0; i < assets.length; i++) {
        excluded[i] = !g.shareable() && used.contains(assets[i]);
      }
      MaxCover.Result r = MaxCover.lazyGreedy(sets, weights, g.budget(), excluded);
      int rank = 0;
      for (MaxCover.Pick p : r.picks()) {
        String asset = assets[p.candidate()];
        if (!g.shareable()) {
          used.add(asset);
        }
        out.add(new Recommendation(g.category(), ++rank, asset, p.gain(), p.newlyCovered(),
            p.cumulative(), g.uncovered() - p.cumulative(), g.thresholdM(), g.basis()));
      }
    }
    return out;
  }

  /** Numbers the keys in sorted order (ties in the greedy go to the smaller id). */
  private static String[] index(TreeMap<String, Integer> ids) {
    String[] out = ids.keySet().toArray(String[]::new);
    for (int i = 0; i < out.length; i++) {
      ids.put(out[i], i);
    }
    return out;
  }
}
