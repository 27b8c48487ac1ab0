package org.lifecircle.adequacy;

import java.io.Serializable;
import java.util.List;
import org.lifecircle.catalog.FacilityCatalog;

/**
 * The distance-decay weight w(d) of one category, in Java, for the searches that weigh pairs as
 * they find them ({@link NetworkCatchments}); {@link CapacityFrame#weight} is the same weight as a
 * Column. Both compute the same operations in the same order, with StrictMath as Spark's EXP and
 * POWER do, so a pair weighs the same bits on either basis (AdequacyStageTest compares them).
 */
final class Decay implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int NONE = 0;
  private static final int GAUSSIAN = 1;
  private static final int STEPPED = 2;

  private final int kind;
  private final double[] shares;
  private final double[] weights;

  private Decay(int kind, List<double[]> steps) {
    this.kind = kind;
    shares = new double[steps.size()];
    weights = new double[steps.size()];
    for (int i = 0; i < steps.size(); i++) {
      shares[i] = steps.get(i)[0];
      weights[i] = steps.get(i)[1];
    }
  }

  /** The decay of a category with a capacity block. */
  static Decay of(FacilityCatalog.Category c) {
    return switch (c.capacity().decay()) {
      case "gaussian" -> new Decay(GAUSSIAN, List.of());
      case "stepped" -> new Decay(STEPPED, CapacityFrame.steps(c));
      default -> new Decay(NONE, List.of());
    };
  }

  /** w(d) for a basis distance {@code d} within the threshold {@code d0}. */
  double weight(double d, double d0) {
    switch (kind) {
      case GAUSSIAN:
        {
          double w =
              (StrictMath.exp(StrictMath.pow(d / d0, 2) * -0.5) - CapacityFrame.E_HALF)
                  / (1 - CapacityFrame.E_HALF);
          // greatest(0, w) in Spark: NaN is larger than any number there.
          return Double.isNaN(w) ? w : Math.max(0.0, w);
        }
      case STEPPED:
        for (int i = 0; i < shares.length; i++) {
          if (d <= d0 * shares[i]) {
            return weights[i];
          }
        }
        return 0.0;
      default:
        return 1.0;
    }
  }
}
