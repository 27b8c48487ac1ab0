package org.lifecircle.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lifecircle.common.PipelineException;

/** The arrays the access pass reads each home's walk from, and the check of each home's index. */
class NetworkDistancesTest {
  private static final String[] HOMES = {"B1", "B2", "B3"};

  private static NetworkDistances distances() {
    EdgeSnapper.Snaps snaps = new EdgeSnapper.Snaps(3);
    snaps.set(0, new EdgeSnapper.Snap(4, 1.0, 2.0));
    snaps.set(2, new EdgeSnapper.Snap(7, 0.5, 0.0));
    int[] idHash = new int[HOMES.length];
    for (int i = 0; i < HOMES.length; i++) {
      idHash[i] = HOMES[i].hashCode();
    }
    return new NetworkDistances(
        List.<String[]>of(new String[] {"F1", "F2"}, new String[] {}),
        List.of(
            new BuildingDistances.Result(
                new double[] {120.5, Double.NaN, 900.0}, new int[] {1, -1, 0}),
            new BuildingDistances.Result(
                new double[] {Double.NaN, Double.NaN, Double.NaN}, new int[] {-1, -1, -1})),
        snaps,
        idHash);
  }

  @Test
  void eachHomeReadsItsOwnWalk() {
    NetworkDistances d = distances();
    assertThat(d.home(2, "B3")).isEqualTo(2);
    assertThat(d.distance(0, 0)).isEqualTo(120.5);
    assertThat(d.facilityId(0, 0)).isEqualTo("F2");
    assertThat(d.distance(0, 2)).isEqualTo(900.0);
    assertThat(d.facilityId(0, 2)).isEqualTo("F1");
    assertThat(d.snapped(0)).isTrue();
    assertThat(d.snapped(1)).isFalse();
  }

  @Test
  void unreachedPairsAndEmptyCategoriesAreNull() {
    NetworkDistances d = distances();
    assertThat(d.distance(0, 1)).isNull();
    assertThat(d.facilityId(0, 1)).isNull();
    assertThat(d.distance(1, 0)).isNull();
    assertThat(d.facilityId(1, 2)).isNull();
  }

  @Test
  void aHomeAtAnotherIndexFailsLoudly() {
    NetworkDistances d = distances();
    assertThatThrownBy(() -> d.home(1, "B3"))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot route walk network: the homes were read in another order than they were"
                + " indexed in (B3 at 1)");
    assertThatThrownBy(() -> d.home(3, "B1"))
        .hasMessage(
            "Cannot route walk network: the homes were read in another order than they were"
                + " indexed in (B1 at 3)");
  }

  @Test
  void theFillFollowsTheWalkersThreshold() {
    NetworkDistances d = distances();
    // 120.5 m within 240 m that a walker covers in 5 min: covered, 120.5 * 5 / 240 minutes.
    assertThat(NetworkAccess.fill(d, 0, 0, 240, 5))
        .containsExactly(120.5, "F2", true, true, "network", true, 120.5 * 5 / 240);
    assertThat(NetworkAccess.fill(d, 2, 0, 500, 10))
        .containsExactly(900.0, "F1", false, true, "network", false, 900.0 * 10 / 500);
    assertThat(NetworkAccess.fill(d, 1, 0, 500, 10))
        .containsExactly(null, null, false, false, "network", false, null);
  }
}
