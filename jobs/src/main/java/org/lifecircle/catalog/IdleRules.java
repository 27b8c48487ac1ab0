package org.lifecircle.catalog;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.Yaml;

/**
 * The idle-asset rules (catalogs/idle_rules.yaml or the city's own copy): thresholds of the five
 * rules, the flags every asset carries, the land-use-class to building-use mapping, and the default
 * number of sites recommended per category. Validated on load, so a planner's typo stops the stage
 * with a message naming the key.
 */
public record IdleRules(
    VacantBuilding vacantBuilding,
    IdleLand idleLand,
    LowEfficiencyLand lowEfficiencyLand,
    OldFactory oldFactory,
    LowEfficiencyCommercial lowEfficiencyCommercial,
    Flags flags,
    Map<String, String> landUseClasses,
    Recommend recommend)
    implements Serializable {

  public static final String DEFAULT_RESOURCE = "catalogs/idle_rules.yaml";
  public static final String VACANT_BUILDING = "VACANT_BUILDING";
  public static final String IDLE_LAND = "IDLE_LAND";
  public static final String LOW_EFFICIENCY_LAND = "LOW_EFFICIENCY_LAND";
  public static final String OLD_FACTORY = "OLD_FACTORY";
  public static final String LOW_EFFICIENCY_COMMERCIAL = "LOW_EFFICIENCY_COMMERCIAL";
  public static final List<String> BUILDING_USES =
      List.of("residential", "commercial", "office", "industrial", "public", "mixed", "warehouse");

  public IdleRules {
    require(vacantBuilding, "vacant_building");
    require(idleLand, "idle_land");
    require(lowEfficiencyLand, "low_efficiency_land");
    require(oldFactory, "old_factory");
    require(lowEfficiencyCommercial, "low_efficiency_commercial");
    require(flags, "flags");
    landUseClasses = landUseClasses == null ? Map.of() : new TreeMap<>(landUseClasses);
    for (Map.Entry<String, String> e : landUseClasses.entrySet()) {
      if (!e.getKey().matches("\\d{2}")) {
        throw invalid("land_use_classes keys must be two-digit classes", e.getKey());
      }
      if (!BUILDING_USES.contains(e.getValue())) {
        throw invalid(
            "land_use_classes values must be building uses " + BUILDING_USES, e.getValue());
      }
    }
    recommend = recommend == null ? new Recommend(null) : recommend;
  }

  public static IdleRules load(CityConfig city) {
    String override = city.catalogs().idleRules();
    if (override == null) {
      return Yaml.readResource(DEFAULT_RESOURCE, IdleRules.class, "idle rules");
    }
    Path p = city.resolve(override);
    return Yaml.read(p, IdleRules.class, "idle rules " + p);
  }

  /** VACANT_BUILDING: annual_kwh below the threshold, or vacant_flag when use_vacant_flag. */
  public record VacantBuilding(Boolean enabled, Double maxAnnualKwh, Boolean useVacantFlag)
      implements Serializable {
    public VacantBuilding {
      enabled = enabled == null || enabled;
      maxAnnualKwh = nonNegative(maxAnnualKwh, 20.0, "vacant_building.max_annual_kwh");
      useVacantFlag = useVacantFlag == null || useVacantFlag;
    }
  }

  /** IDLE_LAND (order No. 53): not started, or started and stopped with little done, for years. */
  public record IdleLand(
      Boolean enabled, Integer years, Double maxShareDeveloped, Double maxShareInvested)
      implements Serializable {
    public IdleLand {
      enabled = enabled == null || enabled;
      years = years == null ? 1 : years;
      if (years < 1 || years > 50) {
        throw invalid("idle_land.years must be within [1, 50]", years);
      }
      maxShareDeveloped = share(maxShareDeveloped, 1.0 / 3, "idle_land.max_share_developed");
      maxShareInvested = share(maxShareInvested, 0.25, "idle_land.max_share_invested");
    }
  }

  /** LOW_EFFICIENCY_LAND: FAR below a share of plan, or tax per mu below a threshold. */
  public record LowEfficiencyLand(
      Boolean enabled, Double farShare, Double maxTaxPerMu, List<String> statuses)
      implements Serializable {
    public LowEfficiencyLand {
      enabled = enabled == null || enabled;
      farShare = share(farShare, 0.5, "low_efficiency_land.far_share");
      if (maxTaxPerMu != null && maxTaxPerMu < 0) {
        throw invalid("low_efficiency_land.max_tax_per_mu must be >= 0", maxTaxPerMu);
      }
      statuses = statuses == null ? List.of("completed") : List.copyOf(statuses);
      for (String s : statuses) {
        if (!List.of("not_started", "under_construction", "stopped", "completed").contains(s)) {
          throw invalid("low_efficiency_land.statuses holds an unknown development status", s);
        }
      }
    }
  }

  /** OLD_FACTORY: industrial building, old, mostly empty. */
  public record OldFactory(
      Boolean enabled, List<String> uses, Integer builtBefore, Double maxOccupancyRate)
      implements Serializable {
    public OldFactory {
      enabled = enabled == null || enabled;
      uses = checkUses(uses, List.of("industrial"), "old_factory.uses");
      builtBefore = builtBefore == null ? 1995 : builtBefore;
      if (builtBefore < 1800 || builtBefore > 2100) {
        throw invalid("old_factory.built_before must be a year", builtBefore);
      }
      maxOccupancyRate = share(maxOccupancyRate, 0.3, "old_factory.max_occupancy_rate");
    }
  }

  /** LOW_EFFICIENCY_COMMERCIAL: commercial or office building with low occupancy. */
  public record LowEfficiencyCommercial(Boolean enabled, List<String> uses, Double maxOccupancyRate)
      implements Serializable {
    public LowEfficiencyCommercial {
      enabled = enabled == null || enabled;
      uses = checkUses(uses, List.of("commercial", "office"), "low_efficiency_commercial.uses");
      maxOccupancyRate =
          share(maxOccupancyRate, 0.4, "low_efficiency_commercial.max_occupancy_rate");
    }
  }

  /** Flags carried by assets: dangerous ratings and the old-compound year. */
  public record Flags(List<String> dangerousRatings, Integer oldCompoundBuiltBefore)
      implements Serializable {
    public Flags {
      dangerousRatings =
          dangerousRatings == null ? List.of("C", "D") : List.copyOf(dangerousRatings);
      for (String r : dangerousRatings) {
        if (!List.of("A", "B", "C", "D").contains(r)) {
          throw invalid("flags.dangerous_ratings must be safety ratings A-D", r);
        }
      }
      oldCompoundBuiltBefore = oldCompoundBuiltBefore == null ? 2000 : oldCompoundBuiltBefore;
    }
  }

  /** Default site budget per category for the recommend stage. */
  public record Recommend(Integer sitesPerCategory) implements Serializable {
    public Recommend {
      sitesPerCategory = sitesPerCategory == null ? 5 : sitesPerCategory;
      if (sitesPerCategory < 1 || sitesPerCategory > 1000) {
        throw invalid("recommend.sites_per_category must be within [1, 1000]", sitesPerCategory);
      }
    }
  }

  private static void require(Object section, String name) {
    if (section == null) {
      throw invalid("section '" + name + "' is missing", null);
    }
  }

  private static List<String> checkUses(List<String> given, List<String> dflt, String name) {
    List<String> u = given == null ? dflt : List.copyOf(given);
    for (String s : u) {
      if (!BUILDING_USES.contains(s)) {
        throw invalid(name + " must be building uses " + BUILDING_USES, s);
      }
    }
    return u;
  }

  private static double share(Double v, double dflt, String name) {
    double x = v == null ? dflt : v;
    if (!(x >= 0 && x <= 1)) {
      throw invalid(name + " must be within [0, 1]", v);
    }
    return x;
  }

  private static double nonNegative(Double v, double dflt, String name) {
    double x = v == null ? dflt : v;
    if (!(x >= 0)) {
      throw invalid(name + " must be >= 0", v);
    }
    return x;
  }

  private static PipelineException invalid(String reason, Object value) {
    return PipelineException.cannot("load", "idle rules", reason, value);
  }
}
