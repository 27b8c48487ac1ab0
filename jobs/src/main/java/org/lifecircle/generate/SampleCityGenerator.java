package org.lifecircle.generate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.lifecircle.access.FacilityCatalog;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.DatasetSource;
import org.lifecircle.common.PipelineException;
import org.lifecircle.generate.CityLayout.Use;
import org.lifecircle.generate.SampleWriter.Feature;
import org.lifecircle.generate.SampleWriter.Plan;
import org.locationtech.jts.geom.Coordinate;

/**
 * Writes a deterministic sample city into the input files a city config names, in each source's
 * declared format, CRS, encoding and column names, so the demo runs through the same ingest code
 * a real city's data does. Every value is derived from a hash of (seed, entity index), never from
 * task order, and entities are generated in Spark tasks over block / community / cell indices, so
 * the output is identical for a seed and scale however the work is split.
 */
public final class SampleCityGenerator {
  static final StructType ADMIN_FIELDS =
      StructType.fromDDL("area_code STRING, area_name STRING, level STRING, parent_code STRING");
  static final StructType WALK_FIELDS =
      StructType.fromDDL("edge_id STRING, from_node STRING, to_node STRING, way_kind STRING");
  static final StructType FACILITY_FIELDS = StructType.fromDDL("facility_id STRING, category STRING,"
      + " name STRING, capacity DOUBLE, capacity_unit STRING, operator_type STRING");
  static final double CELL_M = 200;
  // Cells are offset from the block grid so a cell mixes parts of several blocks, as real ones do.
  static final double CELL_DX = -70;
  static final double CELL_DY = -40;
  private static final int BLOCKS_PER_TASK = 2_500;
  private static final int MAX_PER_KIND = 8;
  private static final long SALT_FACILITY = 6;
  private static final String[] ORDINAL = {"", "第二", "第三", "第四", "第五", "第六", "第七", "第八"};

  /** Expected facilities per community: sparse enough that coverage gaps exist. */
  private static final Map<String, Double> RATES = Map.ofEntries(
      Map.entry("convenience_store", 1.5), Map.entry("bus_stop", 2.0), Map.entry("kindergarten", 0.6),
      Map.entry("nursery", 0.4), Map.entry("primary_school", 0.35), Map.entry("middle_school", 0.15),
      Map.entry("health_station", 0.5), Map.entry("health_centre", 0.1),
      Map.entry("elderly_day_care", 0.45), Map.entry("elderly_home", 0.12),
      Map.entry("community_service", 0.7), Map.entry("food_market", 0.5), Map.entry("pharmacy", 0.6),
      Map.entry("post_parcel", 0.6), Map.entry("fitness_ground", 0.6), Map.entry("sports_field", 0.2),
      Map.entry("pocket_park", 0.5), Map.entry("park", 0.1), Map.entry("cultural_centre", 0.15),
      Map.entry("ev_charging", 0.5), Map.entry("public_toilet", 0.6));
  /** Capacity range (places, beds, visits per day) where a category has one. */
  private static final Map<String, int[]> CAPACITY = Map.of(
      "kindergarten", new int[] {180, 360}, "nursery", new int[] {40, 100},
      "elderly_home", new int[] {50, 300}, "elderly_day_care", new int[] {20, 60},
      "primary_school", new int[] {1000, 2000}, "middle_school", new int[] {1200, 2400},
      "health_centre", new int[] {100, 400});
  private static final Map<String, String[]> OPERATORS = Map.ofEntries(
      Map.entry("kindergarten", new String[] {"public", "public", "private", "nonprofit"}),
      Map.entry("nursery", new String[] {"private", "community", "nonprofit"}),
      Map.entry("elderly_home", new String[] {"public", "private", "nonprofit"}),
      Map.entry("elderly_day_care", new String[] {"community", "nonprofit"}),
      Map.entry("community_service", new String[] {"community"}),
      Map.entry("fitness_ground", new String[] {"community", "public"}),
      Map.entry("health_station", new String[] {"public", "community"}),
      Map.entry("convenience_store", new String[] {"private"}), Map.entry("food_market", new String[] {"private"}),
      Map.entry("pharmacy", new String[] {"private"}), Map.entry("post_parcel", new String[] {"private"}),
      Map.entry("ev_charging", new String[] {"private", "public"}));

  /** A catalog category with what the generator needs to place it. */
  record Kind(String code, String name, String unit, double rate, int[] capacity, String[] operators)
      implements Serializable {}

  private SampleCityGenerator() {}

  /**
   * Writes every dataset configured for the city (overwriting) and returns the rows written per
   * dataset, in the config's dataset order.
   */
  public static Map<String, Long> generate(SparkSession spark, CityConfig city, long seed, double scale) {
    CityLayout layout = CityLayout.of(city, seed, scale);
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String dataset : city.datasets().keySet()) {
      counts.put(dataset, SampleWriter.write(spark, city, layout, plan(city, layout, dataset)));
    }
    return counts;
  }

  /**
   * Residents by age band of every residential building the generator writes for this seed and
   * scale ([unit_id = building_id, unit_kind, pop_*]), whatever form the population source takes.
   */
  public static Dataset<Row> buildingPopulation(SparkSession spark, CityConfig city, long seed, double scale) {
    CityLayout layout = CityLayout.of(city, seed, scale);
    return SampleWriter.rows(spark, layout, new Plan("population", BlockContents.POPULATION_FIELDS,
        layout.blocks(), BLOCKS_PER_TASK, SampleCityGenerator::populationByBuilding));
  }

  private static Plan plan(CityConfig city, CityLayout l, String dataset) {
    return switch (dataset) {
      case "admin_areas" -> new Plan(dataset, ADMIN_FIELDS, adminCount(l), 50_000, SampleCityGenerator::adminAreas);
      case "compounds" -> new Plan(dataset, BlockContents.COMPOUND_FIELDS, l.blocks(), BLOCKS_PER_TASK,
          SampleCityGenerator::compounds);
      case "parcels" -> new Plan(dataset, BlockContents.PARCEL_FIELDS, l.blocks(), BLOCKS_PER_TASK,
          (lay, block, out) -> out.addAll(BlockContents.of(lay, block).parcels));
      case "buildings" -> new Plan(dataset, BlockContents.BUILDING_FIELDS, l.blocks(), BLOCKS_PER_TASK,
          SampleCityGenerator::buildings);
      case "population" -> populationPlan(city.dataset(dataset), l);
      case "facilities" -> facilityPlan(city, l);
      case "walk_network" -> new Plan(dataset, WALK_FIELDS, l.blocks(), BLOCKS_PER_TASK,
          SampleCityGenerator::walkEdges);
      default -> throw PipelineException.cannot("generate", "dataset " + dataset, "unknown dataset", city.code());
    };
  }

  // ------------------------------------------------------------------ administrative areas

  private static long adminCount(CityLayout l) {
    return l.districts + (long) l.streetCols * l.streetRows + (long) l.communityCols() * l.communityRows();
  }

  private static void adminAreas(CityLayout l, long i, List<Feature> out) {
    int per = CityLayout.STREET_BLOCKS;
    long streets = (long) l.streetCols * l.streetRows;
    if (i < l.districts) {
      int d = (int) i;
      int x1 = Math.min(l.w, l.districtStart[d + 1] * per);
      out.add(new Feature(new Object[] {l.districtCode(d), CityLayout.districtName(d), "district", null},
          l.blockRect(l.districtStart[d] * per, 0, x1, l.h)));
    } else if (i < l.districts + streets) {
      long s = i - l.districts;
      int sx = (int) (s % l.streetCols);
      int sy = (int) (s / l.streetCols);
      out.add(new Feature(new Object[] {l.streetCode(sx, sy), CityLayout.streetName(s), "street",
        l.districtCode(l.district(sx))},
          l.blockRect(sx * per, sy * per, Math.min(l.w, sx * per + per), Math.min(l.h, sy * per + per))));
    } else {
      long c = i - l.districts - streets;
      int cx = (int) (c % l.communityCols());
      int cy = (int) (c / l.communityCols());
      int size = CityLayout.COMMUNITY_BLOCKS;
      int inStreet = per / size;
      out.add(new Feature(new Object[] {l.communityCode(cx, cy), CityLayout.communityName(c), "community",
        l.streetCode(cx / inStreet, cy / inStreet)},
          l.blockRect(cx * size, cy * size, Math.min(l.w, cx * size + size), Math.min(l.h, cy * size + size))));
    }
  }

  // ------------------------------------------------------------------ blocks

  private static void compounds(CityLayout l, long block, List<Feature> out) {
    BlockContents b = BlockContents.of(l, block);
    if (b.compoundId != null) {
      out.add(b.compound());
    }
  }

  private static void buildings(CityLayout l, long block, List<Feature> out) {
    for (BlockContents.Building b : BlockContents.of(l, block).buildings) {
      out.add(new Feature(b.values(), b.footprint()));
    }
  }

  private static Plan populationPlan(DatasetSource src, CityLayout l) {
    // A source that carries a polygon (WKT column or a geo format) gets grid cells, as a
    // statistics bureau delivers them; otherwise counts per building.
    boolean cells = src.wktColumn() != null || !"csv".equals(src.format());
    if (!cells) {
      return new Plan("population", BlockContents.POPULATION_FIELDS, l.blocks(), BLOCKS_PER_TASK,
          SampleCityGenerator::populationByBuilding);
    }
    return new Plan("population", BlockContents.POPULATION_FIELDS, (long) cellCols(l) * cellRows(l),
        BLOCKS_PER_TASK, SampleCityGenerator::populationCell);
  }

  private static void populationByBuilding(CityLayout l, long block, List<Feature> out) {
    BlockContents contents = BlockContents.of(l, block);
    for (BlockContents.Building b : contents.buildings) {
      if (b.use() == Use.RESIDENTIAL) {
        out.add(new Feature(populationValues((String) b.values()[0], "building", contents.residents(b)), null));
      }
    }
  }

  static int cellCols(CityLayout l) {
    return (int) Math.ceil((l.w * CityLayout.BLOCK_M - CELL_DX) / CELL_M);
  }

  static int cellRows(CityLayout l) {
    return (int) Math.ceil((l.h * CityLayout.BLOCK_M - CELL_DY) / CELL_M);
  }

  // Each cell recomputes the (at most 2 x 2) blocks it overlaps and sums the buildings whose
  // centre falls in it: no shuffle, and every building lands in exactly one cell.
  private static void populationCell(CityLayout l, long cell, List<Feature> out) {
    int cx = (int) (cell % cellCols(l));
    int cy = (int) (cell / cellCols(l));
    double x0 = l.ox + CELL_DX + cx * CELL_M;
    double y0 = l.oy + CELL_DY + cy * CELL_M;
    long[] sum = new long[8];
    long total = 0;
    for (int by = blockIndex(y0 - l.oy, l.h); by <= blockIndex(y0 + CELL_M - l.oy, l.h); by++) {
      for (int bx = blockIndex(x0 - l.ox, l.w); bx <= blockIndex(x0 + CELL_M - l.ox, l.w); bx++) {
        BlockContents contents = BlockContents.of(l, l.blockId(bx, by));
        for (BlockContents.Building b : contents.buildings) {
          org.locationtech.jts.geom.Envelope e = b.footprint().getEnvelopeInternal();
          if (cellIndex(e.centre().x - l.ox - CELL_DX) == cx && cellIndex(e.centre().y - l.oy - CELL_DY) == cy) {
            long[] r = contents.residents(b);
            for (int k = 0; k < sum.length; k++) {
              sum[k] += r[k];
              total += r[k];
            }
          }
        }
      }
    }
    if (total > 0) {
      out.add(new Feature(populationValues(String.format("G%07d", cell), "cell", sum),
          l.box(x0, y0, x0 + CELL_M, y0 + CELL_M)));
    }
  }

  private static int blockIndex(double offset, int n) {
    return Math.max(0, Math.min(n - 1, (int) Math.floor(offset / CityLayout.BLOCK_M)));
  }

  private static int cellIndex(double offset) {
    return (int) Math.floor(offset / CELL_M);
  }

  private static Object[] populationValues(String id, String kind, long[] bands) {
    Object[] v = new Object[2 + bands.length];
    v[0] = id;
    v[1] = kind;
    for (int k = 0; k < bands.length; k++) {
      v[2 + k] = bands[k];
    }
    return v;
  }

  // ------------------------------------------------------------------ walk network

  // Edges come from half-block grid positions, so every shared endpoint is the same double pair.
  // Each block writes its south and west sides (and east / north on the city's edge).
  private static void walkEdges(CityLayout l, long block, List<Feature> out) {
    int bx = l.bx(block);
    int by = l.by(block);
    int i = 2 * bx;
    int j = 2 * by;
    long base = block * 12;
    boolean water = l.isRiver(by);
    edge(l, out, base, 0, i, j, i + 1, j, "street");
    edge(l, out, base, 1, i + 1, j, i + 2, j, "street");
    verticalSide(l, out, base + 2, i, j, water);
    if (bx == l.w - 1) {
      verticalSide(l, out, base + 4, i + 2, j, water);
    }
    if (by == l.h - 1) {
      edge(l, out, base, 6, i, j + 2, i + 1, j + 2, "street");
      edge(l, out, base, 7, i + 1, j + 2, i + 2, j + 2, "street");
    }
    if (l.use(bx, by) == Use.RESIDENTIAL) {
      edge(l, out, base, 8, i + 1, j + 1, i + 1, j, "footpath");
      edge(l, out, base, 9, i + 1, j + 1, i + 2, j + 1, "footpath");
      edge(l, out, base, 10, i + 1, j + 1, i + 1, j + 2, "footpath");
      edge(l, out, base, 11, i + 1, j + 1, i, j + 1, "footpath");
    }
  }

  /** A block's west (or east) side: a street, a bridge over the river, or nothing. */
  private static void verticalSide(CityLayout l, List<Feature> out, long id, int i, int j, boolean water) {
    if (water && !l.isBridgeColumn(i / 2)) {
      return;
    }
    String kind = water ? "bridge" : "street";
    edge(l, out, id, 0, i, j, i, j + 1, kind);
    edge(l, out, id, 1, i, j + 1, i, j + 2, kind);
  }

  private static void edge(CityLayout l, List<Feature> out, long base, int slot, int i0, int j0, int i1, int j1,
      String kind) {
    Coordinate[] line = {new Coordinate(l.x(i0), l.y(j0)), new Coordinate(l.x(i1), l.y(j1))};
    out.add(new Feature(new Object[] {String.format("E%09d", base + slot), node(l, i0, j0), node(l, i1, j1), kind},
        CityLayout.GF.createLineString(line)));
  }

  private static String node(CityLayout l, int i, int j) {
    return String.format("N%09d", (long) j * (2L * l.w + 1) + i);
  }

  // ------------------------------------------------------------------ facilities

  private static Plan facilityPlan(CityConfig city, CityLayout l) {
    List<Kind> kinds = kinds(FacilityCatalog.load(city));
    return new Plan("facilities", FACILITY_FIELDS, (long) l.communityCols() * l.communityRows(), 1_000,
        (lay, community, out) -> facilities(lay, community, kinds, out));
  }

  static List<Kind> kinds(FacilityCatalog catalog) {
    List<Kind> kinds = new ArrayList<>();
    for (FacilityCatalog.Category c : catalog.categories()) {
      int[] capacity = CAPACITY.get(c.code());
      String unit = capacity == null ? null : c.capacity() != null ? c.capacity().unit()
          : c.code().equals("health_centre") ? "visits per day" : c.code().equals("elderly_home") ? "beds" : "places";
      kinds.add(new Kind(c.code(), shortName(c.nameZh(), c.code()), unit, RATES.getOrDefault(c.code(), 0.3),
          capacity, OPERATORS.getOrDefault(c.code(), new String[] {"public"})));
    }
    return List.copyOf(kinds);
  }

  /** "口袋公园（2000-5000平方米）" -> "口袋公园", "超市/菜市场" -> "超市". */
  private static String shortName(String nameZh, String code) {
    if (nameZh == null || nameZh.isBlank()) {
      return code;
    }
    String s = nameZh.replaceAll("[（(].*$", "");
    int slash = s.indexOf('/');
    return slash > 0 ? s.substring(0, slash) : s;
  }

  private static void facilities(CityLayout l, long community, List<Kind> kinds, List<Feature> out) {
    int cx = (int) (community % l.communityCols());
    int cy = (int) (community / l.communityCols());
    List<int[]> land = new ArrayList<>();
    List<int[]> green = new ArrayList<>();
    for (int by = 2 * cy; by < Math.min(l.h, 2 * cy + 2); by++) {
      for (int bx = 2 * cx; bx < Math.min(l.w, 2 * cx + 2); bx++) {
        Use use = l.use(bx, by);
        if (use != Use.WATER) {
          land.add(new int[] {bx, by});
        }
        if (use == Use.GREEN) {
          green.add(new int[] {bx, by});
        }
      }
    }
    if (land.isEmpty()) {
      return;
    }
    String communityName = CityLayout.communityName(community);
    for (int k = 0; k < kinds.size(); k++) {
      Kind kind = kinds.get(k);
      long key = community * kinds.size() + k;
      SplittableRandom r = l.rng(SALT_FACILITY, key);
      // Parks sit mostly in green blocks: more of them where the community has one.
      boolean park = kind.code().equals("park") || kind.code().equals("pocket_park");
      double rate = !park ? kind.rate() : green.isEmpty() ? kind.rate() * 0.5 : kind.rate() * 3;
      int n = Math.min(MAX_PER_KIND, poisson(rate, r));
      for (int f = 0; f < n; f++) {
        List<int[]> pool = park && !green.isEmpty() ? green : land;
        int[] b = pool.get(r.nextInt(pool.size()));
        // Whole metres 30-220 m into the block: off the streets on its edges.
        double x = l.ox + b[0] * CityLayout.BLOCK_M + 30 + r.nextInt(191);
        double y = l.oy + b[1] * CityLayout.BLOCK_M + 30 + r.nextInt(191);
        int[] cap = kind.capacity();
        Double capacity = cap == null ? null : (double) (cap[0] + r.nextInt(cap[1] - cap[0] + 1));
        String operator = kind.operators()[r.nextInt(kind.operators().length)];
        out.add(new Feature(new Object[] {String.format("F%06d", key * MAX_PER_KIND + f), kind.code(),
          communityName + ORDINAL[f] + kind.name(), capacity, capacity == null ? null : kind.unit(), operator},
            CityLayout.GF.createPoint(new Coordinate(x, y))));
      }
    }
  }

  /** Knuth's method: fine for the small means used here. */
  private static int poisson(double mean, SplittableRandom r) {
    double limit = Math.exp(-mean);
    double p = 1.0;
    int k = 0;
    do {
      k++;
      p *= r.nextDouble();
    } while (p > limit);
    return k - 1;
  }
}
