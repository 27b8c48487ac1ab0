package org.lifecircle.network;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.util.AccumulatorV2;

/**
 * What network_stats counts over building_access, tallied while the access pass makes the rows: per
 * district the homes snapped and not, and the detour ratios (network over straight-line distance)
 * as a histogram in ten-thousandths with their sum in millionths; per category the target residents
 * whose coverage flips between the two distances.
 *
 * <p>Why an accumulator rather than queries over the table once written: those read the 30.6 M rows
 * of SF 1 back, joined them with the homes' districts and aggregated them, 36-70 s of the access
 * stage and seven Spark jobs at any size (session 18). Spark applies a result task's accumulator
 * updates once per partition, from its successful attempt only; the pass that writes
 * building_access is such a task, and {@link NetworkStats} checks that every home was tallied
 * exactly once.
 *
 * <p>The numbers are those Spark SQL gave over the table: ratios rounded by {@code floor(ratio *
 * scale + 0.5)} in double arithmetic, as the SQL expression evaluated, and the exact percentile of
 * Spark's {@code percentile} (linear interpolation at rank p x (n - 1)), see {@link #percentile}.
 */
public final class AccessTally extends AccumulatorV2<AccessTally, AccessTally> {
  static final double MEAN_SCALE = 1e6;
  static final double PERCENTILE_SCALE = 1e4;

  /** One district's counts; the city's are the sum over every district and homes without one. */
  static final class District implements Serializable {
    long snapped;
    long unsnapped;
    long pairs;
    long ratioE6Sum;

    /** Rounded ratio in ten-thousandths to the number of pairs with it. */
    final HashMap<Long, Long> ratioE4 = new HashMap<>();

    void add(District o) {
      snapped += o.snapped;
      unsnapped += o.unsnapped;
      pairs += o.pairs;
      ratioE6Sum += o.ratioE6Sum;
      o.ratioE4.forEach((k, v) -> ratioE4.merge(k, v, Long::sum));
    }

    /** The exact percentiles of the rounded ratios, in ratio units (not ten-thousandths). */
    List<Double> percentiles(double... ps) {
      TreeMap<Long, Long> sorted = new TreeMap<>(ratioE4);
      List<Double> out = new ArrayList<>();
      for (double p : ps) {
        out.add(percentile(sorted, pairs, p) / PERCENTILE_SCALE);
      }
      return out;
    }

    double mean() {
      return ratioE6Sum / (double) pairs / MEAN_SCALE;
    }
  }

  // Keyed by district_code; null for homes without one (counted in the city only).
  private final HashMap<String, District> districts = new HashMap<>();
  private final long[] flipTarget;
  private final long[] flipped;
  private final long[] flipLost;
  private long homes;

  /** A tally for a catalog of {@code categories} categories. */
  public AccessTally(int categories) {
    this.flipTarget = new long[categories];
    this.flipped = new long[categories];
    this.flipLost = new long[categories];
  }

  /** One home, once: its district (null: none) and whether it snapped to the network. */
  public void home(String district, boolean snapped) {
    District d = districts.computeIfAbsent(district, k -> new District());
    if (snapped) {
      d.snapped++;
    } else {
      d.unsnapped++;
    }
    homes++;
  }

  /**
   * One building_access row of a home in {@code district}: the straight-line distance (null: no
   * facility), the network distance (null: none reached) and both coverage flags.
   */
  public void row(
      String district,
      int category,
      Double distance,
      Double network,
      boolean within,
      boolean withinNetwork,
      long targetResidents) {
    flipTarget[category] += targetResidents;
    if (within != withinNetwork) {
      flipped[category] += targetResidents;
      if (within) {
        flipLost[category] += targetResidents;
      }
    }
    if (network != null && distance != null && distance >= NetworkStats.MIN_DETOUR_PAIR_M) {
      double ratio = network / distance;
      District d = districts.computeIfAbsent(district, k -> new District());
      d.pairs++;
      d.ratioE6Sum += (long) Math.floor(ratio * MEAN_SCALE + 0.5);
      d.ratioE4.merge((long) Math.floor(ratio * PERCENTILE_SCALE + 0.5), 1L, Long::sum);
    }
  }

  long homes() {
    return homes;
  }

  /** Districts by code (null: homes without one), sorted, the null key first. */
  Map<String, District> districts() {
    TreeMap<String, District> out = new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
    out.putAll(districts);
    return out;
  }

  /** The city: every district's counts and the homes without a district. */
  District city() {
    District c = new District();
    districts.values().forEach(c::add);
    return c;
  }

  /**
   * Per category (catalog order): target residents, those whose coverage flips, those who lose it.
   */
  long[] flips(int category) {
    return new long[] {flipTarget[category], flipped[category], flipLost[category]};
  }

  /**
   * Spark's exact {@code percentile} over a histogram (value to count, sorted): the values at ranks
   * floor and ceil of p x (n - 1) in the sorted multiset, interpolated linearly, in the same double
   * arithmetic as Spark's {@code Percentile.getPercentile}.
   */
  static double percentile(TreeMap<Long, Long> sorted, long n, double p) {
    double position = (n - 1) * p;
    long lower = (long) Math.floor(position);
    long higher = (long) Math.ceil(position);
    long lowerKey = at(sorted, lower);
    if (higher == lower) {
      return lowerKey;
    }
    long higherKey = at(sorted, higher);
    if (higherKey == lowerKey) {
      return lowerKey;
    }
    return (higher - position) * lowerKey + (position - lower) * higherKey;
  }

  // The value at 0-based rank r of the multiset.
  private static long at(TreeMap<Long, Long> sorted, long rank) {
    long seen = 0;
    for (Map.Entry<Long, Long> e : sorted.entrySet()) {
      seen += e.getValue();
      if (seen > rank) {
        return e.getKey();
      }
    }
    throw new IllegalArgumentException("rank " + rank + " beyond " + seen + " values");
  }

  @Override
  public boolean isZero() {
    return homes == 0 && districts.isEmpty() && Arrays.stream(flipTarget).allMatch(v -> v == 0);
  }

  @Override
  public AccessTally copy() {
    AccessTally c = new AccessTally(flipTarget.length);
    c.merge(this);
    return c;
  }

  @Override
  public void reset() {
    districts.clear();
    Arrays.fill(flipTarget, 0);
    Arrays.fill(flipped, 0);
    Arrays.fill(flipLost, 0);
    homes = 0;
  }

  @Override
  public void add(AccessTally v) {
    merge(v);
  }

  @Override
  public void merge(AccumulatorV2<AccessTally, AccessTally> other) {
    AccessTally o = (AccessTally) other;
    o.districts.forEach((k, v) -> districts.computeIfAbsent(k, x -> new District()).add(v));
    for (int i = 0; i < flipTarget.length; i++) {
      flipTarget[i] += o.flipTarget[i];
      flipped[i] += o.flipped[i];
      flipLost[i] += o.flipLost[i];
    }
    homes += o.homes;
  }

  @Override
  public AccessTally value() {
    return this;
  }

  // AccumulatorV2's own prints the value, which is this tally.
  @Override
  public String toString() {
    return "AccessTally(" + homes + " homes, " + districts.size() + " districts)";
  }
}
