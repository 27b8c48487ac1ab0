package org.lifecircle.adequacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lifecircle.SilverRows;
import org.lifecircle.TestSpark;
import org.lifecircle.assets.CandidatePairsOracleTest;
import org.lifecircle.assets.CandidatePairsOracleTest.Asset;
import org.lifecircle.assets.CandidatePairsOracleTest.Home;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.Yaml;

/**
 * E2SFCA on random cities with a walk network and homes on both bases, against plain loops: every
 * facility-home walk from JGraphT's Dijkstra (the random grid city of CandidatePairsOracleTest),
 * straight lines by Math.hypot, the three decays written out here, R_j and then each community's
 * sum of A_i x P_i over its homes. Many facilities share a task and reach several communities, and
 * some homes are off the network (straight line), so the walked cells and the joined cells meet in
 * one result.
 *
 * <p>Categories (adequacy test catalog): kindergarten (d0 300 m, no decay), nursery (300 m,
 * gaussian), primary_school (500 m, stepped: 1.0 to 250 m, 0.6 to 500 m). Each asset of the city is
 * a facility of every category it hosts.
 */
class NetworkCellsOracleTest {
  private static final Map<String, String> CATEGORY =
      Map.of(
          "kindergarten", "kindergarten",
          "elderly_care", "nursery",
          "pharmacy", "primary_school");
  private static final Map<String, Double> D0 =
      Map.of("kindergarten", 300.0, "nursery", 300.0, "primary_school", 500.0);
  private static final double E = Math.exp(-0.5);

  private record Facility(String id, Asset at, String category, double capacity) {}

  @ParameterizedTest
  @ValueSource(longs = {11, 12})
  void suppliesAndCommunitySumsEqualPlainLoopsOverDijkstraWalks(long seed) {
    CandidatePairsOracleTest.NetworkCity city = CandidatePairsOracleTest.networkCity(seed);
    SplittableRandom r = new SplittableRandom(seed);
    List<Facility> facilities = new ArrayList<>();
    for (Asset a : city.assets()) {
      for (String hosted : a.hosts()) {
        String category = CATEGORY.get(hosted);
        facilities.add(new Facility(a.id() + "/" + category, a, category, r.nextInt(5, 60)));
      }
    }
    // Homes: a community each of four, every third building off the network.
    Map<String, String> community = new TreeMap<>();
    Map<String, Boolean> walks = new TreeMap<>();
    for (Home h : city.homes()) {
      community.put(h.id(), "C" + Math.floorMod(h.id().hashCode(), 4));
      walks.put(h.id(), Math.floorMod(h.id().hashCode(), 3) != 0);
    }

    // The oracle: pairs, R_j, then per community and category the sum of A_i x P_i.
    Map<String, Double> ratio = new TreeMap<>();
    Map<String, Map<String, Double>> weights = new TreeMap<>(); // facility -> home -> w
    int walkedPairs = 0;
    int droppedByTheWalk = 0;
    for (Facility f : facilities) {
      double served = 0;
      Map<String, Double> w = new TreeMap<>();
      for (Home h : city.homes()) {
        if (!CATEGORY.get(h.category()).equals(f.category())) {
          continue;
        }
        double line = Math.hypot(f.at().x() - h.x(), f.at().y() - h.y());
        double d = walks.get(h.id()) ? city.oracle().getPathWeight(f.at().id(), h.id()) : line;
        if (walks.get(h.id()) && line <= D0.get(f.category())) {
          if (d <= D0.get(f.category())) {
            walkedPairs++;
          } else {
            droppedByTheWalk++;
          }
        }
        if (d <= D0.get(f.category())) {
          w.put(h.id(), weight(f.category(), d));
          served += weight(f.category(), d) * h.residents();
        }
      }
      weights.put(f.id(), w);
      ratio.put(f.id(), served > 0 ? f.capacity() / served : null);
    }
    Map<String, Double> reachable = new TreeMap<>();
    for (Home h : city.homes()) {
      String category = CATEGORY.get(h.category());
      double a = 0;
      for (Facility f : facilities) {
        Double w = weights.get(f.id()).get(h.id());
        if (f.category().equals(category) && w != null && ratio.get(f.id()) != null) {
          a += w * ratio.get(f.id());
        }
      }
      reachable.merge(community.get(h.id()) + " " + category, a * h.residents(), Double::sum);
    }
    assertThat(walkedPairs).isGreaterThan(20);
    assertThat(droppedByTheWalk).isPositive();

    AdequacyStage.Result result = compute(city, facilities, community, walks);
    Map<String, Double> gotRatio = new TreeMap<>();
    for (Row row : result.facilities().select("facility_id", "supply_ratio").collectAsList()) {
      gotRatio.put(row.getString(0), row.isNullAt(1) ? null : row.getDouble(1));
    }
    assertThat(gotRatio.keySet()).isEqualTo(ratio.keySet());
    ratio.forEach(
        (id, v) -> {
          if (v == null) {
            assertThat(gotRatio.get(id)).as(id).isNull();
          } else {
            assertThat(gotRatio.get(id)).as(id).isCloseTo(v, within(1e-12 * v));
          }
        });
    Map<String, Double> got = new TreeMap<>();
    for (Row row :
        result
            .communities()
            .select("community_code", "category", "reachable_places")
            .collectAsList()) {
      got.put(row.getString(0) + " " + row.getString(1), row.getDouble(2));
    }
    assertThat(got.keySet()).isEqualTo(reachable.keySet());
    reachable.forEach((k, v) -> assertThat(got.get(k)).as(k).isCloseTo(v, within(1e-9)));
  }

  private static double weight(String category, double d) {
    double d0 = D0.get(category);
    return switch (category) {
      case "nursery" -> Math.max(0, (Math.exp(-0.5 * (d / d0) * (d / d0)) - E) / (1 - E));
      case "primary_school" -> d <= 250 ? 1.0 : 0.6;
      default -> 1.0;
    };
  }

  private static AdequacyStage.Result compute(
      CandidatePairsOracleTest.NetworkCity city,
      List<Facility> facilities,
      Map<String, String> community,
      Map<String, Boolean> walks) {
    SparkSession spark = TestSpark.session();
    FacilityCatalog catalog =
        Yaml.read(
            Path.of("src/test/resources/adequacy/catalog.yaml"),
            FacilityCatalog.class,
            "test catalog");
    List<Row> f = new ArrayList<>();
    for (Facility x : facilities) {
      f.add(
          RowFactory.create(
              x.id(),
              x.category(),
              x.capacity(),
              SilverRows.wkb(SilverRows.point(x.at().x(), x.at().y()))));
    }
    List<Row> homes = new ArrayList<>();
    List<Row> access = new ArrayList<>();
    TreeSet<String> seen = new TreeSet<>();
    for (Home h : city.homes()) {
      byte[] origin = SilverRows.wkb(SilverRows.point(h.x(), h.y()));
      if (seen.add(h.id())) {
        homes.add(RowFactory.create(h.id(), origin));
      }
      access.add(
          RowFactory.create(
              h.id(),
              community.get(h.id()),
              CATEGORY.get(h.category()),
              10 * h.residents(),
              h.residents(),
              walks.get(h.id()) ? "network" : "straight_line",
              origin));
    }
    return AdequacyStage.compute(
        spark,
        catalog,
        spark.createDataFrame(
            f,
            StructType.fromDDL(
                "facility_id STRING, category STRING, capacity DOUBLE, geometry BINARY")),
        spark.createDataFrame(homes, StructType.fromDDL("building_id STRING, origin BINARY")),
        spark.createDataFrame(
            access,
            StructType.fromDDL(
                "building_id STRING, community_code STRING, category STRING, residents LONG,"
                    + " target_residents LONG, distance_basis STRING, origin BINARY")),
        1.3,
        city.network());
  }
}
