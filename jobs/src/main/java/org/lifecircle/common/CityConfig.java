package org.lifecircle.common;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.lifecircle.io.Tables;

/**
 * One city, as its YAML config describes it: identity, the metric CRS every distance is measured
 * in, bounds (WGS84 lon/lat), and where each input dataset lives and how its columns map onto the
 * input contract. A real city's data is plugged in by writing this file; no code changes.
 */
public record CityConfig(
    String code,
    String name,
    String metricCrs,
    Bounds bounds,
    Map<String, DatasetSource> datasets,
    Catalogs catalogs,
    Limits limits,
    Sample sample,
    @JsonIgnore Path configDir) {

  private static final Pattern CITY_CODE = Pattern.compile("\\d{6}");
  public static final Set<String> INPUT_DATASETS = Set.copyOf(Tables.SILVER);
  public static final Set<String> REQUIRED_DATASETS =
      Set.of(Tables.ADMIN_AREAS, Tables.BUILDINGS, Tables.POPULATION, Tables.FACILITIES);

  /** Datasets an OSM extract can supply; boundaries and population come from their own files. */
  public static final Set<String> OSM_DATASETS =
      Set.of(
          Tables.BUILDINGS,
          Tables.FACILITIES,
          Tables.WALK_NETWORK,
          Tables.COMPOUNDS,
          Tables.PARCELS);

  public CityConfig {
    // The code is interpolated into Delta replaceWhere predicates, so it must be exactly six
    // digits.
    if (code == null || !CITY_CODE.matcher(code).matches()) {
      throw PipelineException.cannot(
          "load", "city config", "code must be a 6-digit administrative code", code);
    }
    if (name == null || name.isBlank()) {
      throw PipelineException.cannot("load", "city config", "name is missing", code);
    }
    CrsRegistry.requireKnown(metricCrs, "city config metric_crs");
    if (!CrsRegistry.isMetric(metricCrs)) {
      throw PipelineException.cannot(
          "load", "city config", "metric_crs must be a projected CRS in metres", metricCrs);
    }
    if (bounds == null) {
      throw PipelineException.cannot("load", "city config", "bounds are missing", code);
    }
    limits = limits == null ? Limits.DEFAULTS : limits;
    ScaleError.require(metricCrs, bounds, limits.maxScaleError());
    datasets = datasets == null ? Map.of() : new TreeMap<>(datasets);
    for (String required : REQUIRED_DATASETS) {
      if (!datasets.containsKey(required)) {
        throw PipelineException.cannot(
            "load", "city config", "dataset '" + required + "' is not configured", code);
      }
    }
    for (String ds : datasets.keySet()) {
      if (!INPUT_DATASETS.contains(ds)) {
        throw PipelineException.cannot(
            "load", "city config", "unknown dataset '" + ds + "'", new TreeSet<>(INPUT_DATASETS));
      }
      if (datasets.get(ds).isOsm() && !OSM_DATASETS.contains(ds)) {
        throw PipelineException.cannot(
            "load",
            "city config",
            "dataset '" + ds + "' cannot come from an osm extract",
            new TreeSet<>(OSM_DATASETS));
      }
    }
    catalogs = catalogs == null ? Catalogs.DEFAULTS : catalogs;
  }

  public static CityConfig load(Path file) {
    Path abs = file.toAbsolutePath().normalize();
    CityConfig raw = Yaml.read(abs, CityConfig.class, "city config " + file);
    return raw.withConfigDir(abs.getParent());
  }

  public CityConfig withConfigDir(Path dir) {
    return new CityConfig(code, name, metricCrs, bounds, datasets, catalogs, limits, sample, dir);
  }

  public boolean has(String dataset) {
    return datasets.containsKey(dataset);
  }

  public DatasetSource dataset(String dataset) {
    DatasetSource s = datasets.get(dataset);
    if (s == null) {
      throw PipelineException.cannot("read", "dataset " + dataset, "not configured for city", code);
    }
    return s;
  }

  /** Resolves a path from the config relative to the config file's folder. */
  public Path resolve(String path) {
    Path p = Path.of(path);
    return (p.isAbsolute() || configDir == null ? p : configDir.resolve(p)).normalize();
  }

  /** WGS84 lon/lat box that every geometry must fall inside. */
  public record Bounds(double minLon, double minLat, double maxLon, double maxLat)
      implements Serializable {
    public Bounds {
      if (!(minLon < maxLon && minLat < maxLat)
          || minLon < -180
          || maxLon > 180
          || minLat < -90
          || maxLat > 90) {
        throw PipelineException.cannot(
            "load",
            "city config",
            "bounds must be a lon/lat box with min < max",
            minLon + "," + minLat + "," + maxLon + "," + maxLat);
      }
    }

    public boolean contains(double lon, double lat) {
      return lon >= minLon && lon <= maxLon && lat >= minLat && lat <= maxLat;
    }
  }

  /** Catalog files a planner edits; null means the built-in default. */
  public record Catalogs(String facilities, String idleRules, String indicators, String osmTags) {
    static final Catalogs DEFAULTS = new Catalogs(null, null, null, null);
  }

  /** Thresholds that are policy, not code. */
  public record Limits(
      Double maxQuarantineShare,
      Double completeCommunityShare,
      Double gapCoverageShare,
      Double maxSnapM,
      Double cutoffMultiple,
      Double detourFactor,
      Double minPlacedShare,
      Double nearbyHomeM,
      Double maxScaleError,
      Double serviceAreaBufferM,
      Boolean serviceAreas) {
    static final Limits DEFAULTS =
        new Limits(null, null, null, null, null, null, null, null, null, null, null);

    /** The limits of the first six knobs; the placement knobs at their defaults. */
    public Limits(
        Double maxQuarantineShare,
        Double completeCommunityShare,
        Double gapCoverageShare,
        Double maxSnapM,
        Double cutoffMultiple,
        Double detourFactor) {
      this(
          maxQuarantineShare,
          completeCommunityShare,
          gapCoverageShare,
          maxSnapM,
          cutoffMultiple,
          detourFactor,
          null,
          null,
          null,
          null,
          null);
    }

    /** The limits of the first eight knobs; the CRS scale limit at its default. */
    public Limits(
        Double maxQuarantineShare,
        Double completeCommunityShare,
        Double gapCoverageShare,
        Double maxSnapM,
        Double cutoffMultiple,
        Double detourFactor,
        Double minPlacedShare,
        Double nearbyHomeM) {
      this(
          maxQuarantineShare,
          completeCommunityShare,
          gapCoverageShare,
          maxSnapM,
          cutoffMultiple,
          detourFactor,
          minPlacedShare,
          nearbyHomeM,
          null,
          null,
          null);
    }

    public Limits {
      maxQuarantineShare = share(maxQuarantineShare, 0.05, "max_quarantine_share");
      completeCommunityShare = share(completeCommunityShare, 0.8, "complete_community_share");
      gapCoverageShare = share(gapCoverageShare, 0.8, "gap_coverage_share");
      maxSnapM = positive(maxSnapM, 150.0, "max_snap_m");
      cutoffMultiple = positive(cutoffMultiple, 2.0, "cutoff_multiple");
      detourFactor = positive(detourFactor, 1.3, "detour_factor");
      // The nightly fails when fewer of the population input's residents than this are placed.
      minPlacedShare = share(minPlacedShare, 0.98, "min_placed_share");
      // How far from a grid cell with residents and no home its residents may be placed.
      nearbyHomeM = positive(nearbyHomeM, 250.0, "nearby_home_m");
      // How far the metric CRS may stretch or shrink lengths anywhere in the city's bounds.
      maxScaleError = share(maxScaleError, 0.001, "max_scale_error");
      // How far off a reached street the map's service areas reach (service-areas stage).
      serviceAreaBufferM = positive(serviceAreaBufferM, 25.0, "service_area_buffer_m");
      // Service areas cost a bounded search and a buffer per facility and walk: off unless the
      // city asks (on OpenStreetMap's dense footways a 15-minute polygon is thousands of pieces).
      serviceAreas = serviceAreas != null && serviceAreas;
      if (detourFactor < 1.0) {
        throw PipelineException.cannot(
            "load", "city config", "detour_factor must be >= 1", detourFactor);
      }
    }

    private static double share(Double v, double dflt, String name) {
      double x = v == null ? dflt : v;
      if (!(x >= 0 && x <= 1)) {
        throw PipelineException.cannot("load", "city config", name + " must be within [0, 1]", v);
      }
      return x;
    }

    private static double positive(Double v, double dflt, String name) {
      double x = v == null ? dflt : v;
      if (!(x > 0)) {
        throw PipelineException.cannot("load", "city config", name + " must be > 0", v);
      }
      return x;
    }
  }

  /**
   * Present when the city's inputs are made by the sample-city generator. The two optional knobs
   * exist for the scale benchmark, whose scale factors fix residents and walk edges per building
   * independently of the demo's layout: {@code residents_factor} scales every household (default
   * 1), {@code walk_segments} splits every walk edge into that many (default 1).
   */
  public record Sample(long seed, double scale, Double residentsFactor, Integer walkSegments) {
    public Sample {
      if (!(scale > 0)) {
        throw PipelineException.cannot("load", "city config", "sample scale must be > 0", scale);
      }
      if (residentsFactor != null && !(residentsFactor > 0)) {
        throw PipelineException.cannot(
            "load", "city config", "sample residents_factor must be > 0", residentsFactor);
      }
      if (walkSegments != null && (walkSegments < 1 || walkSegments > 9)) {
        throw PipelineException.cannot(
            "load", "city config", "sample walk_segments must be 1 to 9", walkSegments);
      }
    }

    public double residentsFactorOrDefault() {
      return residentsFactor == null ? 1.0 : residentsFactor;
    }

    public int walkSegmentsOrDefault() {
      return walkSegments == null ? 1 : walkSegments;
    }
  }
}
