package org.lifecircle;

import org.lifecircle.catalog.FacilityCatalog;

/** Catalog categories for tests that build their own small catalog. */
public final class TestCategories {
  private TestCategories() {}

  /**
   * A category with a threshold in metres and no capacity or host block; its walker is the one its
   * catalog gives its target group.
   */
  public static FacilityCatalog.Category of(
      String code, int level, double thresholdM, String target, boolean completeCommunity) {
    return new FacilityCatalog.Category(
        code,
        code,
        code,
        level,
        thresholdM,
        target,
        completeCommunity,
        null,
        null,
        "test",
        null,
        null,
        null);
  }
}
