package org.lifecircle.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lifecircle.TestSpark;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.DatasetSource;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.StageResult;
import org.lifecircle.io.MemoryStageTables;
import org.lifecircle.io.Tables;
import org.lifecircle.network.NetworkFixture;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBWriter;
import org.locationtech.jts.io.WKTReader;

/**
 * An incremental access run against the full run of the same date (the oracle: the same stage with
 * nothing reused), on the hand-built walk network of {@code NetworkFixture} with random homes and
 * facilities, over random drifts chained date after date (each incremental run reuses the one
 * before), and on the changes that must fall back to a full run.
 */
class IncrementalAccessTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final LocalDate FIRST = LocalDate.of(2026, 7, 1);
  private static final GeometryFactory GF = new GeometryFactory();
  private static final List<String> CATEGORIES =
      List.of("kindergarten", "primary_school", "pharmacy", "elderly_day_care");
  private static SparkSession spark;

  @BeforeAll
  static void session() {
    spark = TestSpark.session();
  }

  @Test
  void reachesHomesWhoseNearestIsGoneOrBeatenAndNoOthers() {
    FacilityReach.CategoryChange change =
        new FacilityReach.CategoryChange(
            Set.of("GONE"),
            new FacilityIndex(new String[] {"NEW"}, new double[] {100}, new double[] {0}),
            600);
    // Nearest facility closed (straight line, or along the network only).
    assertThat(FacilityReach.reaches(change, 0, 0, "GONE", 500.0, "F", 800.0, true)).isTrue();
    assertThat(FacilityReach.reaches(change, 0, 0, "F", 50.0, "GONE", 80.0, true)).isTrue();
    // The new facility is 100 m away: it beats a nearest 150 m away by straight line ...
    assertThat(FacilityReach.reaches(change, 0, 0, "F", 150.0, "F", 90.0, true)).isTrue();
    // ... may beat a walk of 120 m when the straight-line nearest is 60 m away ...
    assertThat(FacilityReach.reaches(change, 0, 0, "F", 60.0, "F", 120.0, true)).isTrue();
    // ... cannot beat a nearest 60 m away whose walk is 90 m: its walk is at least 100 m.
    assertThat(FacilityReach.reaches(change, 0, 0, "F", 60.0, "F", 90.0, true)).isFalse();
    // No walk reached within the cutoff (600 m): the new one may be reached now.
    assertThat(FacilityReach.reaches(change, 0, 0, "F", 60.0, null, null, true)).isTrue();
    assertThat(FacilityReach.reaches(change, 701, 0, "F", 60.0, null, null, true)).isFalse();
    // Unsnapped: no walk, only the straight line to beat.
    assertThat(FacilityReach.reaches(change, 0, 0, "F", 60.0, null, null, false)).isFalse();
    // The category had no facility: any arrival is the nearest.
    assertThat(FacilityReach.reaches(change, 5000, 0, null, null, null, null, true)).isTrue();
    // Without a walk network (cutoff NaN) only the straight line counts.
    FacilityReach.CategoryChange plain =
        new FacilityReach.CategoryChange(Set.of(), change.arrived(), Double.NaN);
    assertThat(FacilityReach.reaches(plain, 0, 0, "F", 60.0, null, null, false)).isFalse();
    assertThat(FacilityReach.reaches(plain, 0, 0, "F", 100.0, null, null, false)).isTrue();
  }

  @Test
  void chainedRandomDriftsGiveTheFullRunsTables() {
    RunContext first = context(true, FIRST, RunContext.Mode.FULL);
    MemoryStageTables tables = MemoryStageTables.of(spark, first);
    City city = City.random(new Random(7), 80, 60);
    city.write(tables, true);
    runLogged(tables, first);
    for (int seed = 1; seed <= 2; seed++) {
      RunContext next = first.atDate(FIRST.plusDays(seed));
      city = city.drift(new Random(seed));
      Map<String, Object> plan = compareWithFull(tables, next, city, true);
      assertThat(plan).containsEntry("mode", "incremental");
      assertThat(((Number) plan.get("homes_copied")).longValue()).isPositive();
      assertThat(((Number) plan.get("facilities_changed")).longValue()).isPositive();
    }
  }

  @Test
  void aCityWithoutWalkNetworkIsIncrementalOnTheStraightLine() {
    RunContext first = context(false, FIRST, RunContext.Mode.FULL);
    MemoryStageTables tables = MemoryStageTables.of(spark, first);
    City city = City.random(new Random(11), 60, 60);
    city.write(tables, false);
    runLogged(tables, first);
    city = city.drift(new Random(12));
    Map<String, Object> plan =
        compareWithFull(tables, first.atDate(FIRST.plusDays(1)), city, false);
    assertThat(plan).containsEntry("mode", "incremental");

    // The date reused next has a failed access run after its last good one: not reused.
    log(tables, first.atDate(FIRST.plusDays(1)), AccessStage.NAME, "failed", null);
    assertThat(compareWithFull(tables, first.atDate(FIRST.plusDays(2)), city, false))
        .containsEntry("mode", "full")
        .containsEntry(
            "why", "a failed access run of 2026-07-02 ended after its last successful one");
    // Its last good run had another catalog or limits: not reused either.
    log(
        tables,
        first.atDate(FIRST.plusDays(2)),
        AccessStage.NAME,
        "succeeded",
        "{\"fingerprint\": \"another catalog\"}");
    assertThat(compareWithFull(tables, first.atDate(FIRST.plusDays(3)), city, false))
        .containsEntry("mode", "full")
        .containsEntry(
            "why",
            "the catalog, limits or distance basis differ from the access run of 2026-07-03");
  }

  @Test
  void walkEdgesChangedReachTheHomesAroundThemAndIslandsThatFlip() {
    RunContext first = context(true, FIRST, RunContext.Mode.FULL);
    MemoryStageTables tables = MemoryStageTables.of(spark, first);
    City city = City.grid(new Random(31), 40, 160, 120);
    city.write(tables, true);
    runLogged(tables, first);

    // Nothing else changes: only the edge rule can reach a home whose street is gone (a home on
    // the grid that walked to a facility).
    Set<Object> walkers =
        Set.copyOf(
            tables
                .snapshot(Tables.BUILDING_ACCESS)
                .where("network_distance_m IS NOT NULL")
                .select("building_id")
                .as(Encoders.STRING())
                .collectAsList());
    // No facility near that street either (it would snap elsewhere and reach the home that way).
    City cut =
        city.withoutLine(
            city.homes().stream()
                .filter(h -> walkers.contains(h.id()) && h.x() <= 4000)
                .map(city::nearestLine)
                .filter(k -> city.facilitiesWithin(k, 100) == 0)
                .findFirst()
                .orElseThrow());
    Map<String, Object> removed =
        compareWithFull(tables, first.atDate(FIRST.plusDays(1)), cut, true);
    assertThat(removed)
        .containsEntry("mode", "incremental")
        .containsEntry("edges_changed", 1L)
        .containsEntry("edges_island_flips", 0L);
    assertThat(((Number) removed.get("homes_copied")).longValue()).isPositive();

    // 141 m more network: the comb drops under 1 % of the length and becomes an island, so the
    // homes and facilities beside it, 3 km from the new diagonal, lose their snaps.
    City flipped = cut.withDiagonal(new Random(34), 40);
    Map<String, Object> island =
        compareWithFull(tables, first.atDate(FIRST.plusDays(2)), flipped, true);
    assertThat(island)
        .containsEntry("mode", "incremental")
        .containsEntry("edges_changed", 11L)
        .containsEntry("edges_island_flips", 10L);
    assertThat(((Number) island.get("homes_copied")).longValue()).isPositive();

    City everywhere = flipped.moveEveryFacility(new Random(35));
    Map<String, Object> all =
        compareWithFull(tables, first.atDate(FIRST.plusDays(3)), everywhere, true);
    assertThat(all).containsEntry("mode", "full");
    assertThat((String) all.get("why"))
        .endsWith(" homes reached by the changes since 2026-07-03: recomputing all is cheaper");
  }

  /**
   * Writes {@code city} as {@code ctx}'s inputs, runs access incrementally and then in full for the
   * same date, and asserts both wrote the same building_access and network_stats rows; returns the
   * incremental run's plan (run_log's "incremental" metrics). The full run is logged last, so the
   * next date reuses a snapshot that a full run wrote and the incremental one matched.
   */
  private static Map<String, Object> compareWithFull(
      MemoryStageTables any, RunContext ctx, City city, boolean network) {
    MemoryStageTables tables = any.as(ctx.withMode(RunContext.Mode.INCREMENTAL));
    city.write(tables, network);
    StageResult incremental =
        new AccessStage().run(spark, ctx.withMode(RunContext.Mode.INCREMENTAL), tables);
    List<Row> access = sorted(tables, Tables.BUILDING_ACCESS);
    List<Row> stats = network ? sorted(tables, Tables.NETWORK_STATS) : List.of();
    runLogged(tables.as(ctx), ctx);
    assertThat(access).isEqualTo(sorted(tables, Tables.BUILDING_ACCESS));
    assertThat(stats).isEqualTo(network ? sorted(tables, Tables.NETWORK_STATS) : List.of());
    assertThat(access)
        .hasSize(city.homes().size() * ctx.catalogs().facilities().categories().size());
    @SuppressWarnings("unchecked")
    Map<String, Object> plan = (Map<String, Object>) incremental.metrics().get("incremental");
    return plan;
  }

  /** Runs access in full for {@code ctx} and logs it in run_log as the stage runner would. */
  private static void runLogged(MemoryStageTables tables, RunContext ctx) {
    StageResult r = new AccessStage().run(spark, ctx.withMode(RunContext.Mode.FULL), tables);
    try {
      log(tables, ctx, AccessStage.NAME, "succeeded", JSON.writeValueAsString(r.metrics()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Appends a stage row to run_log for {@code ctx}'s date, ended now. */
  private static void log(
      MemoryStageTables tables, RunContext ctx, String stage, String status, String metrics) {
    MemoryStageTables at = tables.as(ctx);
    List<Row> log = new ArrayList<>();
    if (at.exists(Tables.RUN_LOG)) {
      // run_log is partitioned by city only: snapshot_date is one of its columns.
      log.addAll(at.snapshot(Tables.RUN_LOG).drop("city_code").collectAsList());
    }
    Timestamp now = Timestamp.from(Instant.now());
    log.add(
        RowFactory.create(
            Date.valueOf(ctx.snapshotDate()),
            ctx.runId(),
            stage,
            null,
            status,
            now,
            now,
            0L,
            0L,
            0L,
            null,
            metrics));
    at.put(Tables.RUN_LOG, log);
  }

  private static List<Row> sorted(MemoryStageTables tables, String table) {
    List<Row> rows = new ArrayList<>(tables.snapshot(table).drop("snapshot_date").collectAsList());
    // By the key columns (a row's text holds its WKB as an object address).
    rows.sort(Comparator.comparing(r -> r.get(1) + "/" + r.get(2) + "/" + r.get(4)));
    return rows;
  }

  private static RunContext context(boolean network, LocalDate date, RunContext.Mode mode) {
    Map<String, DatasetSource> ds = new TreeMap<>();
    List<String> inputs =
        new ArrayList<>(List.of("admin_areas", "buildings", "population", "facilities"));
    if (network) {
      inputs.add("walk_network");
    }
    for (String d : inputs) {
      ds.put(
          d,
          new DatasetSource(d + ".csv", "csv", "EPSG:4547", null, "wkt", null, null, null, null));
    }
    CityConfig city =
        new CityConfig(
            "990122",
            "Incremental fixture",
            "EPSG:4547",
            new CityConfig.Bounds(114.2, 30.5, 114.4, 30.7),
            ds,
            null,
            null,
            null,
            null);
    return new RunContext(
            "test-incremental",
            city,
            date,
            TestSpark.tempDir("incremental-unused-warehouse").resolve("warehouse"))
        .withMode(mode);
  }

  /**
   * A city's homes, facilities and walk lines (x0, y0, x1, y1, ...), as the access stage reads
   * them; drifts return new cities.
   */
  record City(List<Home> homes, List<Facility> facilities, List<double[]> lines, int nextId) {
    record Home(String id, String district, double x, double y, long[] bands) {}

    record Facility(String id, String category, double x, double y) {}

    static City random(Random rnd, int homes, int facilities) {
      List<Home> h = new ArrayList<>();
      for (int i = 0; i < homes; i++) {
        h.add(home("H" + i, rnd));
      }
      List<Facility> f = new ArrayList<>();
      for (int i = 0; i < facilities; i++) {
        f.add(facility("F" + i, rnd));
      }
      return new City(h, f, NetworkFixture.lines(), Math.max(homes, facilities));
    }

    /** Blocks of a grid {@code size} blocks of 100 m wide, and the comb ({@link #comb}). */
    static City grid(Random rnd, int size, int homes, int facilities) {
      List<double[]> lines = new ArrayList<>();
      for (int j = 0; j <= size; j++) {
        for (int i = 0; i < size; i++) {
          lines.add(new double[] {i * 100, j * 100, (i + 1) * 100, j * 100});
          lines.add(new double[] {j * 100, i * 100, j * 100, (i + 1) * 100});
        }
      }
      lines.addAll(comb(size));
      List<Home> h = new ArrayList<>();
      List<Facility> f = new ArrayList<>();
      for (int i = 0; i < homes; i++) {
        Home x = home("H" + i, rnd);
        // One home in eight beside the comb, the rest on the grid.
        boolean byComb = i % 8 == 0;
        h.add(
            new Home(
                x.id(),
                x.district(),
                byComb ? combX(size) + rnd.nextInt(1800) : rnd.nextInt(size * 100 + 1),
                byComb ? 20 : rnd.nextInt(size * 100 + 1),
                x.bands()));
      }
      for (int i = 0; i < facilities; i++) {
        Facility x = facility("F" + i, rnd);
        boolean byComb = i % 10 == 0;
        f.add(
            new Facility(
                x.id(),
                x.category(),
                byComb ? combX(size) + rnd.nextInt(1800) : rnd.nextInt(size * 100 + 1),
                byComb ? -15 : rnd.nextInt(size * 100 + 1)));
      }
      return new City(h, f, lines, Math.max(homes, facilities));
    }

    /**
     * Ten edges in a row east of the grid, apart from it, together just over 1 % of the whole
     * network's length, so the island rule keeps them until the network grows by a block's diagonal
     * (141 m).
     */
    static List<double[]> comb(int size) {
      double grid = 2.0 * (size + 1) * size * 100;
      double each = Math.ceil(0.01 * grid / 0.99 / 10 * 100) / 100;
      if (!(10 * each >= 0.01 * (grid + 10 * each)
          && 10 * each < 0.01 * (grid + 10 * each + 141))) {
        throw new IllegalStateException("the comb needs another length for a grid of " + size);
      }
      List<double[]> out = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        out.add(new double[] {combX(size) + i * each, 0, combX(size) + (i + 1) * each, 0});
      }
      return out;
    }

    private static double combX(int size) {
      return size * 100 + 3000;
    }

    /** The city with one grid block's diagonal added (141 m: the comb becomes an island). */
    City withDiagonal(Random rnd, int size) {
      List<double[]> l = new ArrayList<>(lines);
      double x = rnd.nextInt(size) * 100;
      double y = rnd.nextInt(size) * 100;
      l.add(new double[] {x, y, x + 100, y + 100});
      return new City(homes, facilities, l, nextId);
    }

    /** The line nearest to {@code home} (its street: it walks from there). */
    int nearestLine(Home home) {
      int nearest = 0;
      double best = Double.MAX_VALUE;
      for (int k = 0; k < lines.size(); k++) {
        double d = line(k).distance(GF.createPoint(new Coordinate(home.x(), home.y())));
        if (d < best) {
          best = d;
          nearest = k;
        }
      }
      return nearest;
    }

    long facilitiesWithin(int line, double metres) {
      return facilities.stream()
          .filter(f -> line(line).distance(GF.createPoint(new Coordinate(f.x(), f.y()))) <= metres)
          .count();
    }

    private LineString line(int k) {
      double[] xy = lines.get(k);
      return GF.createLineString(
          new Coordinate[] {new Coordinate(xy[0], xy[1]), new Coordinate(xy[2], xy[3])});
    }

    City withoutLine(int k) {
      List<double[]> l = new ArrayList<>(lines);
      l.remove(k);
      return new City(homes, facilities, l, nextId);
    }

    private static Home home(String id, Random rnd) {
      long[] bands = new long[8];
      for (int b = 0; b < bands.length; b++) {
        bands[b] = rnd.nextInt(6);
      }
      return new Home(id, "D" + rnd.nextInt(3), coordinate(rnd), coordinate(rnd), bands);
    }

    private static Facility facility(String id, Random rnd) {
      return new Facility(
          id, CATEGORIES.get(rnd.nextInt(CATEGORIES.size())), coordinate(rnd), coordinate(rnd));
    }

    /** Beyond the grid's 0..700 now and then, so some homes stay unsnapped. */
    private static double coordinate(Random rnd) {
      return Math.round(rnd.nextDouble() * 820 - 60);
    }

    /**
     * Random picks: one facility closed, one moved, one opened (category at random); two homes with
     * other residents, one moved, one gone, two new.
     */
    City drift(Random rnd) {
      int next = nextId;
      List<Facility> f = new ArrayList<>(facilities);
      f.remove(rnd.nextInt(f.size()));
      int moved = rnd.nextInt(f.size());
      Facility m = f.get(moved);
      f.set(moved, new Facility(m.id(), m.category(), coordinate(rnd), coordinate(rnd)));
      f.add(facility("F" + next++, rnd));
      List<Home> h = new ArrayList<>(homes);
      h.remove(rnd.nextInt(h.size()));
      int at = rnd.nextInt(h.size());
      Home x = h.get(at);
      h.set(at, new Home(x.id(), x.district(), coordinate(rnd), coordinate(rnd), x.bands()));
      for (int i = 0; i < 2; i++) {
        at = rnd.nextInt(h.size());
        h.set(at, home(h.get(at).id(), rnd));
      }
      h.add(home("H" + next++, rnd));
      h.add(home("H" + next++, rnd));
      return new City(h, f, lines, next);
    }

    City moveEveryFacility(Random rnd) {
      List<Facility> f = new ArrayList<>();
      for (Facility x : facilities) {
        f.add(new Facility(x.id(), x.category(), coordinate(rnd), coordinate(rnd)));
      }
      return new City(homes, f, lines, nextId);
    }

    void write(MemoryStageTables tables, boolean network) {
      List<Row> homeRows = new ArrayList<>();
      for (Home x : homes) {
        long residents = 0;
        for (long b : x.bands()) {
          residents += b;
        }
        List<Object> v =
            new ArrayList<>(List.of(x.id(), "C" + x.district(), "S" + x.district(), x.district()));
        v.add(null);
        v.add(point(x.x(), x.y()));
        v.add(1000.0);
        v.add("building");
        for (long b : x.bands()) {
          v.add(b);
        }
        v.add(residents);
        homeRows.add(RowFactory.create(v.toArray()));
      }
      tables.put(Tables.BUILDING_POPULATION, homeRows);
      List<Row> facilityRows = new ArrayList<>();
      long row = 1;
      for (Facility x : facilities) {
        facilityRows.add(
            RowFactory.create(
                row++, x.id(), x.category(), x.id(), null, null, "public", point(x.x(), x.y())));
      }
      tables.put(Tables.FACILITIES, facilityRows);
      if (network) {
        List<Row> edges = new ArrayList<>();
        WKTReader wkt = new WKTReader();
        for (int k = 0; k < lines.size(); k++) {
          try {
            edges.add(
                RowFactory.create(
                    (long) k + 1,
                    // Named by where it runs, so that an edge keeps its id when another goes.
                    Arrays.toString(lines.get(k)),
                    null,
                    null,
                    "street",
                    new WKBWriter().write(wkt.read(NetworkFixture.wkt(lines.get(k))))));
          } catch (ParseException e) {
            throw new IllegalStateException(e);
          }
        }
        tables.put(Tables.WALK_NETWORK, edges);
      }
    }

    private static byte[] point(double x, double y) {
      return new WKBWriter().write(GF.createPoint(new Coordinate(x, y)));
    }
  }
}
