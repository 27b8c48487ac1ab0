package org.lifecircle.catalog;

import java.io.Serializable;
import java.nio.file.Path;
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
 * category, its life-circle level, threshold distance, target age group, complete-community role,
 * capacity norm and what an idle asset needs to host it.
 */
public record FacilityCatalog(Map<Integer, Double> severityWeights, List<Category> categories)
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
    categories = List.copyOf(categories);
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
      double thresholdM,
      String target,
      boolean completeCommunity,
      Capacity capacity,
      Host host,
      String source)
      implements Serializable {

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
      if (!(thresholdM > 0 && thresholdM <= 5000)) {
        throw PipelineException.cannot(
            "load",
            "facility catalog",
            "threshold_m must be within (0, 5000] for " + code,
            thresholdM);
      }
      if (!TARGET_BANDS.containsKey(target)) {
        throw PipelineException.cannot(
            "load", "facility catalog", "unknown target for " + code, target);
      }
    }

    public List<String> targetBands() {
      return TARGET_BANDS.get(target);
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
