package org.lifecircle.adequacy;

import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.PipelineException;

/**
 * The catalog categories that have a capacity block, as a small DataFrame to join on, and the
 * distance-decay weight w(d) of E2SFCA as a Column. Codes, norms and steps travel as literal
 * values, never as SQL text.
 *
 * <p>Weights, with d0 the category threshold and d <= d0 the basis distance of a pair: none: 1;
 * gaussian: (exp(-d²/(2 d0²)) - exp(-1/2)) / (1 - exp(-1/2)), 1 at d = 0 and 0 at d0; stepped: the
 * weight of the first step (in ascending share order) whose share x d0 >= d, 0 when no step reaches
 * d.
 */
public final class CapacityFrame {
  static final double E_HALF = Math.exp(-0.5);

  private CapacityFrame() {}

  /** The categories with a capacity block, in catalog order; stepped steps are validated. */
  public static List<FacilityCatalog.Category> categories(FacilityCatalog catalog) {
    List<FacilityCatalog.Category> out = new ArrayList<>();
    for (FacilityCatalog.Category c : catalog.categories()) {
      if (c.capacity() != null) {
        steps(c);
        out.add(c);
      }
    }
    return out;
  }

  /**
   * cap_code, cap_threshold_m, cap_norm, cap_norm_basis, cap_unit, cap_decay, cap_level_weight for
   * every category with a capacity block.
   */
  public static Dataset<Row> of(SparkSession spark, FacilityCatalog catalog) {
    StructType schema =
        new StructType()
            .add("cap_code", DataTypes.StringType, false)
            .add("cap_threshold_m", DataTypes.DoubleType, false)
            .add("cap_norm", DataTypes.DoubleType, false)
            .add("cap_norm_basis", DataTypes.StringType, false)
            .add("cap_unit", DataTypes.StringType, true)
            .add("cap_decay", DataTypes.StringType, false)
            .add("cap_level_weight", DataTypes.DoubleType, false);
    List<Row> rows = new ArrayList<>();
    for (FacilityCatalog.Category c : categories(catalog)) {
      FacilityCatalog.Capacity cap = c.capacity();
      rows.add(
          RowFactory.create(
              c.code(),
              c.reachM(),
              cap.norm(),
              cap.normBasis(),
              cap.unit(),
              cap.decay(),
              catalog.severityWeight(c.level())));
    }
    return spark.createDataFrame(rows, schema);
  }

  /**
   * w(d) for the row's category: {@code category} names the category, {@code d} the basis distance
   * and {@code d0} the threshold. Categories without a capacity block get 0.
   */
  public static Column weight(FacilityCatalog catalog, Column category, Column d, Column d0) {
    Column out = null;
    for (FacilityCatalog.Category c : categories(catalog)) {
      Column w = weight(c, d, d0);
      Column is = category.equalTo(lit(c.code()));
      out = out == null ? when(is, w) : out.when(is, w);
    }
    return out == null ? lit(0.0) : out.otherwise(lit(0.0));
  }

  static Column weight(FacilityCatalog.Category c, Column d, Column d0) {
    switch (c.capacity().decay()) {
      case "gaussian":
        // Clamped at 0: at d = d0 the two exponentials may differ in the last bit.
        return greatest(
            lit(0.0), exp(pow(d.divide(d0), 2).multiply(-0.5)).minus(E_HALF).divide(1 - E_HALF));
      case "stepped":
        {
          Column out = null;
          for (double[] s : steps(c)) {
            Column reached = d.leq(d0.multiply(s[0]));
            out = out == null ? when(reached, lit(s[1])) : out.when(reached, lit(s[1]));
          }
          return out.otherwise(lit(0.0));
        }
      default:
        return lit(1.0);
    }
  }

  /** The steps of a stepped decay as (share, weight), ascending by share. */
  static List<double[]> steps(FacilityCatalog.Category c) {
    List<double[]> out = new ArrayList<>();
    if (!"stepped".equals(c.capacity().decay())) {
      return out;
    }
    for (List<Double> s : c.capacity().steps()) {
      if (s == null
          || s.size() != 2
          || s.get(0) == null
          || s.get(1) == null
          || !(s.get(0) > 0)
          || !(s.get(1) >= 0 && s.get(1) <= 1)) {
        throw PipelineException.cannot(
            "load",
            "facility catalog",
            "a step of " + c.code() + " must be [share of threshold > 0, weight in [0, 1]]",
            s);
      }
      out.add(new double[] {s.get(0), s.get(1)});
    }
    out.sort(Comparator.comparingDouble(s -> s[0]));
    return out;
  }
}
