package org.lifecircle.cli;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.lifecircle.access.AccessStage;
import org.lifecircle.adequacy.AdequacyStage;
import org.lifecircle.assets.AssetsStage;
import org.lifecircle.assets.RecommendStage;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.Stage;
import org.lifecircle.coverage.CoverageStage;
import org.lifecircle.indicators.IndicatorsStage;
import org.lifecircle.ingest.IngestStage;
import org.lifecircle.network.ServiceAreasStage;
import org.lifecircle.population.PopulationStage;
import org.lifecircle.report.ReportStage;
import picocli.CommandLine;

/** The stages in nightly order, with the one-line description their subcommand shows. */
final class Stages {
  private record Entry(Supplier<Stage> factory, String description) {}

  private static final Map<String, Entry> ORDERED = new LinkedHashMap<>();

  /**
   * The stage a nightly run checks with the quality gate ({@code quality-gate}) right after, so the
   * stages after it do not publish a bad snapshot; Airflow's DAG runs it at the same place
   * (airflow/dags/lifecircle_stages.json, key {@code quality_gate}).
   */
  static final String QUALITY_GATE_AFTER = "coverage";

  static final String QUALITY_GATE_DESCRIPTION =
      "Fail the run when a source's quarantine share or"
          + " a city-level coverage drop against the previous snapshot exceeds its threshold;"
          + " writes only its run_log row.";

  static {
    register(
        "ingest",
        IngestStage::new,
        "Validate every input against its contract, convert to the metric CRS, write silver tables and quarantine.");
    register(
        "population",
        PopulationStage::new,
        "Residents per residential building by age band (dasymetric from grid cells), placed in communities.");
    register(
        "access",
        AccessStage::new,
        "Nearest facility per building and catalog category, by straight line (broadcast 2-d tree per category) and, where the city has a walk network, along it (snapped, bounded multi-source Dijkstra); writes building_access once and network_stats.");
    register(
        ServiceAreasStage.NAME,
        ServiceAreasStage::new,
        "Service areas where the city has a walk network: per facility the network reachable in 5, 10 and 15 minutes at its category's walking speed (buffered reached edges), and per community and category the part inside their union.");
    register(
        "adequacy",
        AdequacyStage::new,
        "Supply versus demand per capacity category (E2SFCA): facility ratios and community shortfalls, on walking distance where the city has a walk network.");
    register(
        "coverage",
        CoverageStage::new,
        "Coverage per community/street/district/city and category, complete-community flag, one gap ledger (distance gaps, capacity gaps from the shortfalls).");
    register(
        "assets",
        AssetsStage::new,
        "Idle and low-efficiency buildings and parcels (catalogs/idle_rules.yaml) merged into the idle_assets history.");
    register(
        "recommend",
        RecommendStage::new,
        "Greedy maximal-covering picks of open idle assets per distance-gap category (gap_fill_candidates); an asset covers the homes within walking distance where the city has a walk network.");
    register(
        "indicators",
        IndicatorsStage::new,
        "City health-check (城市体检) indicators from the indicator catalog, per area level.");
    register(
        "report",
        ReportStage::new,
        "Self-contained HTML report with map, coverage, gaps, indicators and data quality.");
  }

  private Stages() {}

  private static void register(String name, Supplier<Stage> factory, String description) {
    ORDERED.put(name, new Entry(factory, description));
  }

  static List<Stage> all() {
    return ORDERED.values().stream().map(e -> e.factory().get()).toList();
  }

  static List<String> names() {
    return List.copyOf(ORDERED.keySet());
  }

  static Stage byName(String name) {
    Entry e = ORDERED.get(name);
    if (e == null) {
      throw PipelineException.cannot("run", "stage " + name, "unknown stage", names());
    }
    return e.factory().get();
  }

  /** The one stage that writes {@code table} (StagesTest holds every table to one writer). */
  static String writerOf(String table) {
    return all().stream()
        .filter(s -> s.outputs().contains(table))
        .map(Stage::name)
        .findFirst()
        .orElseThrow(
            () -> PipelineException.cannot("find", "table " + table, "no stage writes it", null));
  }

  static String description(String name) {
    return ORDERED.get(name).description();
  }

  /** The stage names, for picocli's ${COMPLETION-CANDIDATES} in option help. */
  static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return names().iterator();
    }
  }

  /** A stage name option: an unknown name is bad usage (exit 2), naming the known ones. */
  static final class NameConverter implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (!ORDERED.containsKey(value)) {
        throw new CommandLine.TypeConversionException(
            "unknown stage '" + value + "' (one of: " + String.join(", ", names()) + ")");
      }
      return value;
    }
  }
}
