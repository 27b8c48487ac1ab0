package org.lifecircle.catalog;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.Yaml;

/**
 * The facility catalog (catalogs/facility_categories.yaml or the city's own copy): for each
 * category, its life-circle level, threshold (minutes, and metres for the average walker), target
 * age group, complete-community role, capacity norm and what an idle asset needs to host it; and
 * the walkers: the walking speed of each target group, with its source.
 *
 * <p>Coverage is decided by walking minutes: a home is covered when its walk, at the speed of the
 * category's walker, takes at most {@code threshold_min}. The reference walker (60 m/min by
 * default) turns minutes into the catalog's metres, so for the average walker the catalog's {@code
 * threshold_m} decides exactly as before; a slower walker reaches {@code threshold_m x speed /
 * reference speed} ({@link Category#reachM()}), which is what every stage compares distances with.
 */
public record FacilityCatalog(
    Map<Integer, Double> severityWeights, List<Category> categories, List<Walker> walkers)
    implements Serializable {

  public static final String DEFAULT_RESOURCE = "catalogs/facility_categories.yaml";
  private static final Pattern CODE = Pattern.compile("[a-z][a-z0-9_]{1,40}");

  /** Age bands of the population contract that make up each target group. */
  public static final Map<String, List<String>> TARGET_BANDS =
      Map.of(
          "all", AgeBands.COLUMNS,
          "0_2", List.of("pop_0_2"),
          "3_5", List.of("pop_3_5"),
          "6_11", List.of("pop_6_11"),
          "12_14", List.of("pop_12_14"),
          "60_plus", List.of("pop_60_64", "pop_65_79", "pop_80_plus"),
          "65_plus", List.of("pop_65_79", "pop_80_plus"));

  /** The walkers of a catalog that names none: everyone at the reference 60 m/min. */
  public static final List<Walker> DEFAULT_WALKERS =
      List.of(
          new Walker(
              "average",
              60.0,
              true,
              List.of(),
              "GB 50180-2018: the 5-minute life circle is a 300 m walk"));

  /** Largest gap between threshold_min at the reference speed and threshold_m, in metres. */
  static final double MINUTES_METRES_TOLERANCE_M = 0.5;

  public FacilityCatalog {
    if (categories == null || categories.isEmpty()) {
      throw PipelineException.cannot("load", "facility catalog", "no categories", null);
    }
    Map<String, Category> seen = new LinkedHashMap<>();
    for (Category c : categories) {
      if (seen.put(c.code(), c) != null) {
        throw PipelineException.cannot("load", "facility catalog", "duplicate category", c.code());
      }
    }
    severityWeights =
        severityWeights == null ? Map.of(5, 1.0, 10, 0.8, 15, 0.6) : Map.copyOf(severityWeights);
    for (Category c : categories) {
      if (!severityWeights.containsKey(c.level())) {
        throw PipelineException.cannot(
            "load", "facility catalog", "no severity weight for level " + c.level(), c.code());
      }
    }
    walkers = walkers == null || walkers.isEmpty() ? DEFAULT_WALKERS : List.copyOf(walkers);
    Walker reference = reference(walkers);
    Map<String, Walker> byTarget = walkersByTarget(walkers, reference);
    List<Category> resolved = new ArrayList<>();
    for (Category c : categories) {
      resolved.add(c.resolved(walkerOf(c, walkers, byTarget), reference.mPerMin()));
    }
    categories = List.copyOf(resolved);
  }

  /** A catalog with the default walkers (everyone at the reference speed). */
  public FacilityCatalog(Map<Integer, Double> severityWeights, List<Category> categories) {
    this(severityWeights, categories, null);
  }

  private static Walker reference(List<Walker> walkers) {
    List<Walker> refs = walkers.stream().filter(Walker::isReference).toList();
    if (refs.size() != 1) {
      throw PipelineException.cannot(
          "load",
          "facility catalog",
          "exactly one walker must be the reference",
          refs.stream().map(Walker::code).toList());
    }
    Set<String> codes = new LinkedHashSet<>();
    for (Walker w : walkers) {
      if (!codes.add(w.code())) {
        throw PipelineException.cannot("load", "facility catalog", "duplicate walker", w.code());
      }
    }
    return refs.get(0);
  }

  /** Each target group's walker: the one that lists it, else the reference walker. */
  private static Map<String, Walker> walkersByTarget(List<Walker> walkers, Walker reference) {
    Map<String, Walker> out = new LinkedHashMap<>();
    for (Walker w : walkers) {
      for (String t : w.targets()) {
        if (!TARGET_BANDS.containsKey(t)) {
          throw PipelineException.cannot(
              "load", "facility catalog", "unknown target for walker " + w.code(), t);
        }
        Walker before = out.put(t, w);
        if (before != null) {
          throw PipelineException.cannot(
              "load",
              "facility catalog",
              "target " + t + " has two walkers",
              before.code() + ", " + w.code());
        }
      }
    }
    for (String t : TARGET_BANDS.keySet()) {
      out.putIfAbsent(t, reference);
    }
    return out;
  }

  private static Walker walkerOf(Category c, List<Walker> walkers, Map<String, Walker> byTarget) {
    if (c.walker() == null) {
      return byTarget.get(c.target());
    }
    return walkers.stream()
        .filter(w -> w.code().equals(c.walker()))
        .findFirst()
        .orElseThrow(
            () ->
                PipelineException.cannot(
                    "load", "facility catalog", "unknown walker for " + c.code(), c.walker()));
  }

  public static FacilityCatalog load(CityConfig city) {
    String override = city.catalogs().facilities();
    if (override == null) {
      return Yaml.readResource(DEFAULT_RESOURCE, FacilityCatalog.class, "facility catalog");
    }
    Path p = city.resolve(override);
    return Yaml.read(p, FacilityCatalog.class, "facility catalog " + p);
  }

  public Set<String> codes() {
    return categories.stream()
        .map(Category::code)
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  public Category category(String code) {
    return categories.stream()
        .filter(c -> c.code().equals(code))
        .findFirst()
        .orElseThrow(
            () ->
                PipelineException.cannot(
                    "find", "category " + code, "not in the facility catalog", null));
  }

  public double severityWeight(int level) {
    return severityWeights.get(level);
  }

  public record Category(
      String code,
      String nameZh,
      String nameEn,
      int level,
      Double thresholdM,
      String target,
      boolean completeCommunity,
      Capacity capacity,
      Host host,
      String source,
      Double thresholdMin,
      String walker,
      Walk walk)
      implements Serializable {

    /**
     * A category as written: {@code threshold_m}, {@code threshold_min} or both, {@code walker}
     * optional (default: the walker of its target group); {@code walk} is set by the catalog.
     */
    public Category {
      if (code == null || !CODE.matcher(code).matches()) {
        throw PipelineException.cannot(
            "load",
            "facility catalog",
            "category code must be lower-case letters, digits and _",
            code);
      }
      if (level != 5 && level != 10 && level != 15) {
        throw PipelineException.cannot(
            "load", "facility catalog", "level must be 5, 10 or 15 for " + code, level);
      }
      if (thresholdM == null && thresholdMin == null) {
        throw PipelineException.cannot(
            "load", "facility catalog", "threshold_m or threshold_min is needed for " + code, null);
      }
      if (thresholdM != null && !(thresholdM > 0 && thresholdM <= 5000)) {
        throw PipelineException.cannot(
            "load",
            "facility catalog",
            "threshold_m must be within (0, 5000] for " + code,
            thresholdM);
      }
      if (thresholdMin != null && !(thresholdMin > 0 && thresholdMin <= 90)) {
        throw PipelineException.cannot(
            "load",
            "facility catalog",
            "threshold_min must be within (0, 90] for " + code,
            thresholdMin);
      }
      if (!TARGET_BANDS.containsKey(target)) {
        throw PipelineException.cannot(
            "load", "facility catalog", "unknown target for " + code, target);
      }
    }

    public List<String> targetBands() {
      return TARGET_BANDS.get(target);
    }

    /**
     * The distance the category's walker covers in threshold_min: what coverage, catchments and
     * recommendations compare distances with. The catalog's threshold_m for the reference walker.
     */
    public double reachM() {
      return walk == null ? thresholdM : walk.reachM();
    }

    /** The threshold in walking minutes (threshold_m at the reference speed). */
    public double thresholdMinutes() {
      return walk == null ? thresholdM / DEFAULT_WALKERS.get(0).mPerMin() : walk.thresholdMin();
    }

    /** The walker whose speed turns this category's distances into minutes. */
    public String walkerCode() {
      return walk == null ? DEFAULT_WALKERS.get(0).code() : walk.walker();
    }

    /** Walking speed of the category's walker, metres per minute. */
    public double walkSpeedMPerMin() {
      return walk == null ? DEFAULT_WALKERS.get(0).mPerMin() : walk.mPerMin();
    }

    /**
     * This category with its walk resolved. Where both thresholds are written they must agree at
     * the reference speed (to half a metre, so 8.33 min stands for 500 m); the metres then govern,
     * so the average walker's coverage is decided exactly as by threshold_m alone.
     */
    Category resolved(Walker w, double referenceMPerMin) {
      double metres = thresholdM != null ? thresholdM : thresholdMin * referenceMPerMin;
      if (thresholdM != null
          && thresholdMin != null
          && Math.abs(thresholdMin * referenceMPerMin - thresholdM) > MINUTES_METRES_TOLERANCE_M) {
        throw PipelineException.cannot(
            "load",
            "facility catalog",
            "threshold_min and threshold_m disagree at the reference walker's speed for " + code,
            fmt(thresholdMin)
                + " min x "
                + fmt(referenceMPerMin)
                + " m/min = "
                + fmt(thresholdMin * referenceMPerMin)
                + " m, threshold_m "
                + fmt(thresholdM)
                + " m");
      }
      if (!(metres <= 5000)) {
        throw PipelineException.cannot(
            "load", "facility catalog", "threshold_m must be within (0, 5000] for " + code, metres);
      }
      // Same speed: the metres themselves, so no rounding can move a boundary home.
      double reach =
          w.mPerMin() == referenceMPerMin ? metres : metres * w.mPerMin() / referenceMPerMin;
      return new Category(
          code,
          nameZh,
          nameEn,
          level,
          metres,
          target,
          completeCommunity,
          capacity,
          host,
          source,
          thresholdMin,
          walker,
          new Walk(w.code(), w.mPerMin(), metres / referenceMPerMin, reach));
    }

    private static String fmt(double v) {
      return v == Math.rint(v)
          ? String.valueOf((long) v)
          : String.valueOf(Math.round(v * 100) / 100.0);
    }
  }

  /**
   * A category's walk, resolved by the catalog: its walker, the walker's speed, the threshold in
   * minutes and the distance the walker covers in it.
   */
  public record Walk(String walker, double mPerMin, double thresholdMin, double reachM)
      implements Serializable {}

  /**
   * A walking speed and the target groups it applies to (a group no walker lists walks at the
   * reference speed). Exactly one walker is the reference: the average walker whose speed turns
   * threshold_min into threshold_m.
   */
  public record Walker(
      String code, double mPerMin, Boolean reference, List<String> targets, String source)
      implements Serializable {
    public Walker {
      if (code == null || !CODE.matcher(code).matches()) {
        throw PipelineException.cannot(
            "load",
            "facility catalog",
            "walker code must be lower-case letters, digits and _",
            code);
      }
      if (!(mPerMin >= 10 && mPerMin <= 150)) {
        throw PipelineException.cannot(
            "load",
            "facility catalog",
            "m_per_min must be within [10, 150] for walker " + code,
            mPerMin);
      }
      targets = targets == null ? List.of() : List.copyOf(targets);
    }

    public boolean isReference() {
      return reference != null && reference;
    }
  }

  public record Capacity(
      String unit, double norm, String normBasis, String decay, List<List<Double>> steps)
      implements Serializable {
    public Capacity {
      if (!(norm > 0)) {
        throw PipelineException.cannot(
            "load", "facility catalog", "capacity norm must be > 0", norm);
      }
      normBasis = normBasis == null ? "target" : normBasis;
      if (!List.of("target", "all").contains(normBasis)) {
        throw PipelineException.cannot(
            "load", "facility catalog", "norm_basis must be target or all", normBasis);
      }
      decay = decay == null ? "none" : decay;
      if (!List.of("none", "gaussian", "stepped").contains(decay)) {
        throw PipelineException.cannot("load", "facility catalog", "unknown decay", decay);
      }
      if ("stepped".equals(decay) && (steps == null || steps.isEmpty())) {
        throw PipelineException.cannot(
            "load", "facility catalog", "stepped decay needs steps", null);
      }
      steps = steps == null ? List.of() : List.copyOf(steps);
    }
  }

  /**
   * What an idle asset needs to host the category. Optional: {@code shareable} (default false) lets
   * one asset be recommended for this category and another; {@code max_sites} caps the sites
   * recommended for it (default: the idle rules' recommend.sites_per_category).
   */
  public record Host(
      double minFloorAreaM2,
      double minLandAreaM2,
      List<String> uses,
      boolean heritageOk,
      Boolean shareable,
      Integer maxSites)
      implements Serializable {
    public Host {
      uses = uses == null ? List.of("any") : List.copyOf(uses);
      shareable = shareable != null && shareable;
      if (maxSites != null && maxSites < 1) {
        throw PipelineException.cannot(
            "load", "facility catalog", "host.max_sites must be >= 1", maxSites);
      }
    }

    public boolean allowsUse(String use) {
      return uses.contains("any") || uses.contains(use);
    }
  }
}
