package org.lifecircle.catalog;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.Contract;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.Yaml;
import org.lifecircle.io.Tables;

/**
 * The OpenStreetMap tag catalog (catalogs/osm_tags.yaml or the city's own copy): which tags make a
 * facility of which catalog category, a building of which use, a walkable way, a compound or a
 * parcel of which land-use code. Validated when it loads against the input contracts, and by {@link
 * Catalogs#load} against the facility catalog, so a typo stops the run before Spark starts reading.
 */
public record OsmTags(
    List<String> facilityKeys,
    List<FacilityRule> facilities,
    Buildings buildings,
    Walk walkNetwork,
    Compounds compounds,
    Parcels parcels)
    implements Serializable {

  public static final String DEFAULT_RESOURCE = "catalogs/osm_tags.yaml";
  private static final String WHAT = "OSM tag catalog";

  public OsmTags {
    facilityKeys = facilityKeys == null ? List.of() : List.copyOf(facilityKeys);
    if (facilities == null || facilities.isEmpty()) {
      throw PipelineException.cannot("load", WHAT, "no facility rules", null);
    }
    facilities = List.copyOf(facilities);
    for (String part :
        List.of(Tables.BUILDINGS, Tables.WALK_NETWORK, Tables.COMPOUNDS, Tables.PARCELS)) {
      Object v =
          switch (part) {
            case Tables.BUILDINGS -> buildings;
            case Tables.WALK_NETWORK -> walkNetwork;
            case Tables.COMPOUNDS -> compounds;
            default -> parcels;
          };
      if (v == null) {
        throw PipelineException.cannot("load", WHAT, "section '" + part + "' is missing", null);
      }
    }
  }

  public static OsmTags load(CityConfig city) {
    String override = city.catalogs().osmTags();
    OsmTags tags;
    if (override == null) {
      tags = Yaml.readResource(DEFAULT_RESOURCE, OsmTags.class, WHAT);
    } else {
      Path p = city.resolve(override);
      tags = Yaml.read(p, OsmTags.class, WHAT + " " + p);
    }
    tags.requireContractValues();
    return tags;
  }

  /**
   * Every category is in the facility catalog (checked by {@link Catalogs#load} for a city that
   * reads an OSM extract).
   */
  void requireKnownCodes(Set<String> categories) {
    for (FacilityRule r : facilities) {
      if (!categories.contains(r.category())) {
        throw PipelineException.cannot(
            "load", WHAT, "category is not in the facility catalog", r.category());
      }
    }
  }

  /** Uses, heritage statuses and land-use codes are values the input contracts allow. */
  void requireContractValues() {
    List<String> uses = Contract.of(Tables.BUILDINGS).field("use").allowed();
    for (String use : buildings.uses().keySet()) {
      requireAllowed(uses, use, "building use");
    }
    buildings.landuseUses().values().forEach(u -> requireAllowed(uses, u, "building use"));
    buildings.notHousing().forEach(r -> requireAllowed(uses, r.use(), "building use"));
    buildings.ownTags().forEach(r -> requireAllowed(uses, r.use(), "building use"));
    List<String> statuses = Contract.of(Tables.BUILDINGS).field("heritage_status").allowed();
    buildings.heritage().forEach(r -> requireAllowed(statuses, r.status(), "heritage status"));
    requireAllowed(uses, buildings.fallbackUse(), "building use");
    List<String> codes = Contract.of(Tables.PARCELS).field("land_use_code").allowed();
    parcels.landuse().values().forEach(c -> requireAllowed(codes, c, "land-use code"));
  }

  private static void requireAllowed(List<String> allowed, String value, String what) {
    if (!allowed.contains(value)) {
      throw PipelineException.cannot("load", WHAT, what + " is not in the contract", value);
    }
  }

  /** The first facility rule that matches, or null. */
  public String category(Map<String, String> tags, Double areaM2) {
    for (FacilityRule r : facilities) {
      if (r.matches(tags, areaM2)) {
        return r.category();
      }
    }
    return null;
  }

  /**
   * The element carries a key the facility rules look at (counted as unmapped when none matches).
   */
  public boolean facilityCandidate(Map<String, String> tags) {
    return facilityKeys.stream().anyMatch(tags::containsKey);
  }

  /** Whether a tag value ("a" or "a;b") is one of the accepted values ("*" accepts any). */
  static boolean valueMatches(String value, List<String> accepted) {
    if (value == null) {
      return false;
    }
    if (accepted.contains("*")) {
      return true;
    }
    for (String part : value.split(";")) {
      if (accepted.contains(part.trim())) {
        return true;
      }
    }
    return false;
  }

  public record FacilityRule(
      String category,
      Map<String, List<String>> tags,
      List<String> without,
      Double minAreaM2,
      Double maxAreaM2)
      implements Serializable {
    public FacilityRule {
      if (category == null || tags == null || tags.isEmpty()) {
        throw PipelineException.cannot(
            "load", WHAT, "a facility rule needs a category and tags", category);
      }
      tags = new LinkedHashMap<>(tags);
      without = without == null ? List.of() : List.copyOf(without);
    }

    boolean matches(Map<String, String> element, Double areaM2) {
      if (!matchesAll(tags, element)) {
        return false;
      }
      if (without.stream().anyMatch(element::containsKey)) {
        return false;
      }
      if (minAreaM2 != null || maxAreaM2 != null) {
        if (areaM2 == null) {
          return false;
        }
        return (minAreaM2 == null || areaM2 >= minAreaM2)
            && (maxAreaM2 == null || areaM2 < maxAreaM2);
      }
      return true;
    }
  }

  /**
   * How an OSM building gets its use, in this order (first that applies wins): its own tags that
   * say it is not housing ({@code not_housing}: a school, hospital, temple...), its building value
   * ({@code uses}), for other values (yes, ...) its own tags ({@code own_tags}: shops, offices,
   * flats...), the land use under it ({@code landuse_uses}), else {@code fallback_use} with no
   * evidence (the population stage may still place grid residents there: see docs/TABLES.md).
   */
  public record Buildings(
      List<UseRule> notHousing,
      Map<String, List<String>> uses,
      List<UseRule> ownTags,
      Map<String, String> landuseUses,
      String fallbackUse,
      int defaultLevels,
      List<HeritageRule> heritage)
      implements Serializable {
    /** use_evidence values: what decided a building's use. */
    public static final String OWN_TAGS = "own_tags";

    public static final String BUILDING_TAG = "building_tag";
    public static final String LAND_USE = "land_use";
    public static final String NONE = "none";

    public Buildings {
      notHousing = notHousing == null ? List.of() : List.copyOf(notHousing);
      ownTags = ownTags == null ? List.of() : List.copyOf(ownTags);
      heritage = heritage == null ? List.of() : List.copyOf(heritage);
      uses = uses == null ? Map.of() : new LinkedHashMap<>(uses);
      landuseUses = landuseUses == null ? Map.of() : new LinkedHashMap<>(landuseUses);
      Set<String> seen = new HashSet<>();
      for (Map.Entry<String, List<String>> e : uses.entrySet()) {
        for (String v : e.getValue()) {
          if (!seen.add(v)) {
            throw PipelineException.cannot(
                "load", WHAT, "building value is listed under two uses", v);
          }
        }
      }
      for (UseRule r : notHousing) {
        if (AgeBands.RESIDENTIAL_USES.contains(r.use())) {
          throw PipelineException.cannot(
              "load", WHAT, "a not_housing rule gives a housing use", r.use());
        }
      }
      if (defaultLevels < 1) {
        throw PipelineException.cannot("load", WHAT, "default_levels must be >= 1", defaultLevels);
      }
    }

    /** A building's use and what decided it. */
    public record Use(String use, String evidence) {}

    /** Use from the evidence, in the order of the class comment. */
    public Use use(Map<String, String> tags, String landuse) {
      UseRule notAHome = first(notHousing, tags);
      if (notAHome != null) {
        return new Use(notAHome.use(), OWN_TAGS);
      }
      String building = tags.get("building");
      for (Map.Entry<String, List<String>> e : uses.entrySet()) {
        if (e.getValue().contains(building)) {
          return new Use(e.getKey(), BUILDING_TAG);
        }
      }
      UseRule own = first(ownTags, tags);
      if (own != null) {
        return new Use(own.use(), OWN_TAGS);
      }
      String byLand = landuse == null ? null : landuseUses.get(landuse);
      return byLand != null ? new Use(byLand, LAND_USE) : new Use(fallbackUse, NONE);
    }

    /** heritage_status from the first heritage rule that matches, else null (not known). */
    public String heritageStatus(Map<String, String> tags) {
      for (HeritageRule r : heritage) {
        if (matchesAll(r.tags(), tags)) {
          return r.status();
        }
      }
      return null;
    }

    private static UseRule first(List<UseRule> rules, Map<String, String> tags) {
      for (UseRule r : rules) {
        if (matchesAll(r.tags(), tags)) {
          return r;
        }
      }
      return null;
    }
  }

  /** Every key of {@code rule} is present in {@code tags} with an accepted value. */
  static boolean matchesAll(Map<String, List<String>> rule, Map<String, String> tags) {
    for (Map.Entry<String, List<String>> t : rule.entrySet()) {
      if (!valueMatches(tags.get(t.getKey()), t.getValue())) {
        return false;
      }
    }
    return true;
  }

  /** Tags (all must match) that give a building this use. */
  public record UseRule(String use, Map<String, List<String>> tags) implements Serializable {
    public UseRule {
      if (use == null || tags == null || tags.isEmpty()) {
        throw PipelineException.cannot(
            "load", WHAT, "a building use rule needs a use and tags", use);
      }
      tags = new LinkedHashMap<>(tags);
    }
  }

  /** Tags (all must match) that give a building this heritage_status. */
  public record HeritageRule(String status, Map<String, List<String>> tags)
      implements Serializable {
    public HeritageRule {
      if (status == null || tags == null || tags.isEmpty()) {
        throw PipelineException.cannot(
            "load", WHAT, "a heritage rule needs a status and tags", status);
      }
      tags = new LinkedHashMap<>(tags);
    }
  }

  public record Walk(List<String> highway, Map<String, List<String>> exclude)
      implements Serializable {
    public Walk {
      if (highway == null || highway.isEmpty()) {
        throw PipelineException.cannot("load", WHAT, "walk_network.highway lists no values", null);
      }
      highway = List.copyOf(highway);
      exclude = exclude == null ? Map.of() : new LinkedHashMap<>(exclude);
    }

    public boolean walkable(Map<String, String> tags) {
      String kind = tags.get("highway");
      // List.copyOf lists reject contains(null): look a missing tag up as absent, not as a value.
      if (kind == null || !highway.contains(kind)) {
        return false;
      }
      return exclude.entrySet().stream()
          .noneMatch(e -> valueMatches(tags.get(e.getKey()), e.getValue()));
    }
  }

  public record Compounds(List<String> landuse) implements Serializable {
    public Compounds {
      landuse = landuse == null ? List.of() : List.copyOf(landuse);
    }
  }

  public record Parcels(Map<String, String> landuse) implements Serializable {
    public Parcels {
      landuse = landuse == null ? Map.of() : new LinkedHashMap<>(landuse);
    }
  }
}
