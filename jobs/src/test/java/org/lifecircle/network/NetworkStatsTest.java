package org.lifecircle.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lifecircle.common.PipelineException;

/**
 * The access pass's tally of detour ratios, snaps and coverage flips on hand-written rows where
 * rounded ratios repeat (a percentile that forgot how often each value occurs would answer
 * otherwise), against the sorted ratios interpolated at rank p * (n - 1); tallies merged as Spark
 * merges task results; and the check that every home was tallied once.
 */
class NetworkStatsTest {

  // (home, district, straight line, network): D1's ratios 1, 1, 1, 1, 2, 3 (h1, h2 twice each,
  // h3); D2's 1.5, 1.5, 4; a pair under a metre and one without a network distance are left out,
  // as is a row with no facility by straight line.
  private static final Object[][] ROWS = {
    {"h1", "D1", 100.0, 100.0},
    {"h1", "D1", 200.0, 200.0},
    {"h2", "D1", 50.0, 50.0},
    {"h2", "D1", 10.0, 10.0},
    {"h3", "D1", 100.0, 200.0},
    {"h3", "D1", 100.0, 300.0},
    {"h4", "D2", 100.0, 150.0},
    {"h4", "D2", 20.0, 30.0},
    {"h5", "D2", 10.0, 40.0},
    {"h5", "D2", 0.5, 40.0},
    {"h5", "D2", 100.0, null},
    {"h6", null, null, 25.0},
  };

  /** The rows tallied in two halves, as two tasks would, then merged. */
  private static AccessTally tally() {
    AccessTally first = new AccessTally(1);
    AccessTally second = new AccessTally(1);
    String previous = null;
    for (int i = 0; i < ROWS.length; i++) {
      Object[] r = ROWS[i];
      AccessTally t = i < 6 ? first : second;
      if (!r[0].equals(previous)) {
        t.home((String) r[1], !"h5".equals(r[0])); // h5 left unsnapped
        previous = (String) r[0];
      }
      Double straight = (Double) r[2];
      Double network = (Double) r[3];
      t.row(
          (String) r[1],
          0,
          straight,
          network,
          straight != null && straight <= 120,
          network != null && network <= 120,
          10);
    }
    AccessTally merged = first.copy();
    merged.merge(second);
    return merged;
  }

  @Test
  void detourPercentilesCountEveryPairOfTheDistrict() {
    AccessTally t = tally();
    Map<String, AccessTally.District> districts = t.districts();
    assertThat(districts).containsOnlyKeys(null, "D1", "D2");
    assertDistrict(districts.get("D1"), new double[] {1, 1, 1, 1, 2, 3});
    assertDistrict(districts.get("D2"), new double[] {1.5, 1.5, 4});
    assertDistrict(t.city(), new double[] {1, 1, 1, 1, 1.5, 1.5, 2, 3, 4});
    assertThat(districts.get("D1").snapped).isEqualTo(3);
    assertThat(districts.get("D2").snapped).isEqualTo(1);
    assertThat(districts.get("D2").unsnapped).isEqualTo(1);
    assertThat(t.homes()).isEqualTo(6);
  }

  @Test
  void flipsCountTargetResidentsWhoseCoverageDiffers() {
    // Within 120 m by straight line and not on the network: h3 (100 / 200, 100 / 300), h4 (100 /
    // 150), h5 (100 / none); the other way: h6 (none / 25). 10 target residents per row.
    assertThat(tally().flips(0)).containsExactly(10L * ROWS.length, 50L, 40L);
  }

  @Test
  void aHomeTalliedTwiceStopsTheStats() {
    WalkGraph.Summary graph = new WalkGraph.Summary(2, 1, 10.0, 1, 0, 0, 0.0, 1, 0);
    assertThatThrownBy(() -> NetworkStats.compute(graph, List.of(), tally(), 5, 25.0))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot compute network_stats: the access pass tallied another number of homes than"
                + " building_population holds (6 of 5)");
    assertThat(NetworkStats.compute(graph, List.of(), tally(), 6, 25.0).stats()).isNotEmpty();
  }

  private static void assertDistrict(AccessTally.District d, double[] sortedRatios) {
    int n = sortedRatios.length;
    assertThat(d.pairs).as("pairs").isEqualTo(n);
    double sum = 0;
    for (double v : sortedRatios) {
      sum += v;
    }
    assertThat(d.mean()).as("mean").isCloseTo(sum / n, within(1e-12));
    List<Double> expected = new ArrayList<>();
    for (double p : new double[] {0.1, 0.5, 0.9}) {
      double rank = p * (n - 1);
      int lo = (int) Math.floor(rank);
      int hi = (int) Math.ceil(rank);
      expected.add(sortedRatios[lo] + (rank - lo) * (sortedRatios[hi] - sortedRatios[lo]));
    }
    List<Double> actual = d.percentiles(0.1, 0.5, 0.9);
    for (int i = 0; i < 3; i++) {
      assertThat(actual.get(i)).as("percentile %d", i).isCloseTo(expected.get(i), within(1e-12));
    }
  }
}
