package org.lifecircle.network;

import java.io.Serializable;
import java.util.List;
import org.lifecircle.common.PipelineException;

/**
 * The walk from every home to its nearest facility of every category, as arrays indexed by category
 * (catalog order) and by home (the index the access stage gave each building_population row):
 * shipped to the executors by broadcast, so each home's building_access rows get their network
 * columns in the same pass that finds the straight-line nearest, with no join on (building_id,
 * category).
 *
 * <p>Why not a join: at SF 1 the join of the 30.6 M straight-line rows with the 25 M walked pairs
 * shuffled 4.8 GB and took 230 s of CPU of the access stage's 284 s (Spark event log,
 * docs/BENCHMARKS.md, session 14). These arrays are 12 bytes per home and category (368 MB at SF
 * 1); they come back to the driver as task results, within Spark's default 1 GB
 * spark.driver.maxResultSize up to about 2.7 times SF 1 with 21 categories.
 *
 * <p>Each home's index is checked against a hash of its building_id, so rows read in another order
 * than the one the homes were indexed in fail loudly instead of taking another home's walk.
 */
public final class NetworkDistances implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String[][] facilityIds;
  private final double[][] distance;
  private final int[][] facility;
  private final boolean[] snapped;
  private final int[] idHash;

  /**
   * @param facilityIds per category, the facility ids in index order
   * @param found per category, the distances (NaN when none) and facility indexes (-1 when none)
   * @param buildings the homes' snaps, by home index
   * @param idHash per home index, {@code building_id.hashCode()}
   */
  public NetworkDistances(
      List<String[]> facilityIds,
      List<BuildingDistances.Result> found,
      EdgeSnapper.Snaps buildings,
      int[] idHash) {
    if (facilityIds.size() != found.size() || buildings.size() != idHash.length) {
      throw new IllegalArgumentException("categories or homes differ in number");
    }
    int n = found.size();
    this.facilityIds = facilityIds.toArray(String[][]::new);
    this.distance = new double[n][];
    this.facility = new int[n][];
    for (int c = 0; c < n; c++) {
      distance[c] = found.get(c).distance();
      facility[c] = found.get(c).facility();
      if (distance[c].length != idHash.length) {
        throw new IllegalArgumentException("category " + c + " has another number of homes");
      }
    }
    this.snapped = new boolean[buildings.size()];
    for (int i = 0; i < snapped.length; i++) {
      snapped[i] = buildings.snapped(i);
    }
    this.idHash = idHash;
  }

  /**
   * The home's index, checked: fails when {@code home} is out of range or {@code buildingId} is not
   * the building that index was given to.
   */
  public int home(long home, String buildingId) {
    if (home < 0 || home >= idHash.length || idHash[(int) home] != buildingId.hashCode()) {
      throw PipelineException.cannot(
          "route",
          "walk network",
          "the homes were read in another order than they were indexed in",
          buildingId + " at " + home);
    }
    return (int) home;
  }

  public boolean snapped(int home) {
    return snapped[home];
  }

  /** Walking metres to the category's nearest facility, or null when none is within the cutoff. */
  public Double distance(int category, int home) {
    return facility[category][home] < 0 ? null : distance[category][home];
  }

  /** That facility's id, or null. */
  public String facilityId(int category, int home) {
    int f = facility[category][home];
    return f < 0 ? null : facilityIds[category][f];
  }
}
