package org.lifecircle.generate;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.DatasetSource;
import org.lifecircle.common.PipelineException;
import org.lifecircle.generate.CityLayout.Use;
import org.lifecircle.generate.SampleWriter.Feature;
import org.lifecircle.generate.SampleWriter.Plan;
import org.lifecircle.io.Tables;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a deterministic sample city into the input files a city config names, in each source's
 * declared format, CRS, encoding and column names, so the demo runs through the same ingest code a
 * real city's data does. Every value is derived from a hash of (seed, entity index), never from
 * task order, and entities are generated in Spark tasks over block / community / cell indices, so
 * the output is identical for a seed and scale however the work is split.
 */
public final class SampleCityGenerator {
  private static final Logger LOG = LoggerFactory.getLogger(SampleCityGenerator.class);
  static final StructType FACILITY_FIELDS =
      StructType.fromDDL(
          "facility_id STRING, category STRING,"
              + " name STRING, capacity DOUBLE, capacity_unit STRING, operator_type STRING");
  static final double CELL_M = 200;
  // Cells are offset from the block grid so a cell mixes parts of several blocks, as real ones do.
  static final double CELL_DX = -70;
  static final double CELL_DY = -40;
  private static final int BLOCKS_PER_TASK = 2_500;
  private static final int MAX_PER_KIND = 8;
  private static final long SALT_PEOPLE = 5;
  private static final long SALT_FACILITY = 6;

  /** Age-band shares in percent, in contract order. */
  private static final double[] SHARES = {2.5, 3, 6, 3, 62, 7, 12, 4.5};

  private static final String[] ORDINAL = {"", "第二", "第三", "第四", "第五", "第六", "第七", "第八"};

  /** Expected facilities per community: sparse enough that coverage gaps exist. */
  private static final Map<String, Double> RATES =
      Map.ofEntries(
          Map.entry("convenience_store", 1.5),
          Map.entry("bus_stop", 2.0),
          Map.entry("kindergarten", 0.6),
          Map.entry("nursery", 0.4),
          Map.entry("primary_school", 0.35),
          Map.entry("middle_school", 0.15),
          Map.entry("health_station", 0.5),
          Map.entry("health_centre", 0.1),
          Map.entry("elderly_day_care", 0.45),
          Map.entry("elderly_home", 0.12),
          Map.entry("community_service", 0.7),
          Map.entry("food_market", 0.5),
          Map.entry("pharmacy", 0.6),
          Map.entry("post_parcel", 0.6),
          Map.entry("fitness_ground", 0.6),
          Map.entry("sports_field", 0.2),
          Map.entry("pocket_park", 0.5),
          Map.entry("park", 0.1),
          Map.entry("cultural_centre", 0.15),
          Map.entry("ev_charging", 0.5),
          Map.entry("public_toilet", 0.6));

  /** Capacity range (places, beds, visits per day) where a category has one. */
  private static final Map<String, int[]> CAPACITY =
      Map.of(
          "kindergarten",
          new int[] {180, 360},
          "nursery",
          new int[] {40, 100},
          "elderly_home",
          new int[] {50, 300},
          "elderly_day_care",
          new int[] {20, 60},
          "primary_school",
          new int[] {1000, 2000},
          "middle_school",
          new int[] {1200, 2400},
          "health_centre",
          new int[] {100, 400});

  private static final Map<String, String[]> OPERATORS =
      Map.ofEntries(
          Map.entry("kindergarten", new String[] {"public", "public", "private", "nonprofit"}),
          Map.entry("nursery", new String[] {"private", "community", "nonprofit"}),
          Map.entry("elderly_home", new String[] {"public", "private", "nonprofit"}),
          Map.entry("elderly_day_care", new String[] {"community", "nonprofit"}),
          Map.entry("community_service", new String[] {"community"}),
          Map.entry("fitness_ground", new String[] {"community", "public"}),
          Map.entry("health_station", new String[] {"public", "community"}),
          Map.entry("convenience_store", new String[] {"private"}),
          Map.entry("food_market", new String[] {"private"}),
          Map.entry("pharmacy", new String[] {"private"}),
          Map.entry("post_parcel", new String[] {"private"}),
          Map.entry("ev_charging", new String[] {"private", "public"}));

  /** A catalog category with what the generator needs to place it. */
  record Kind(
      String code, String name, String unit, double rate, int[] capacity, String[] operators)
      implements Serializable {}

  private SampleCityGenerator() {}

  /**
   * Writes every dataset configured for the city whose file does not exist yet and returns the rows
   * written per dataset, by dataset name. An existing file is never overwritten: it may be a
   * planner's edited copy (delete it to have it made again).
   */
  public static Map<String, Long> generate(
      SparkSession spark, CityConfig city, FacilityCatalog catalog, long seed, double scale) {
    CityLayout layout = CityLayout.of(city, seed, scale);
    LOG.info(
        "sample city {}: {} x {} blocks of {} m, seed {}",
        city.code(),
        layout.w,
        layout.h,
        CityLayout.BLOCK_M,
        seed);
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String dataset : city.datasets().keySet()) {
      Path target = city.resolve(city.dataset(dataset).path());
      if (Files.exists(target)) {
        LOG.info("kept {}: {} exists (a sample input is never overwritten)", dataset, target);
        continue;
      }
      long t0 = System.nanoTime();
      spark.sparkContext().setJobDescription("generate " + dataset);
      counts.put(
          dataset, SampleWriter.write(spark, city, layout, plan(city, catalog, layout, dataset)));
      LOG.info(
          "generated {}: {} rows in {} s",
          dataset,
          counts.get(dataset),
          String.format("%.1f", (System.nanoTime() - t0) / 1e9));
    }
    spark.sparkContext().setJobDescription(null);
    return counts;
  }

  /**
   * Residents by age band of every residential building the generator writes for this seed and
   * scale ([unit_id = building_id, unit_kind, pop_*]), whatever form the population source takes.
   */
  public static Dataset<Row> buildingPopulation(
      SparkSession spark, CityConfig city, long seed, double scale) {
    CityLayout layout = CityLayout.of(city, seed, scale);
    return SampleWriter.rows(
        spark,
        layout,
        new Plan(
            Tables.POPULATION,
            BlockContents.POPULATION_FIELDS,
            layout.blocks(),
            BLOCKS_PER_TASK,
            SampleCityGenerator::populationByBuilding));
  }

  private static Plan plan(CityConfig city, FacilityCatalog catalog, CityLayout l, String dataset) {
    return switch (dataset) {
      case Tables.ADMIN_AREAS ->
          new Plan(
              dataset, CityLayout.ADMIN_FIELDS, l.adminCount(), 50_000, CityLayout::adminAreas);
      case Tables.COMPOUNDS ->
          new Plan(
              dataset,
              BlockContents.COMPOUND_FIELDS,
              l.blocks(),
              BLOCKS_PER_TASK,
              SampleCityGenerator::compounds);
      case Tables.PARCELS ->
          new Plan(
              dataset,
              BlockContents.PARCEL_FIELDS,
              l.blocks(),
              BLOCKS_PER_TASK,
              (lay, block, out) -> out.addAll(BlockContents.of(lay, block).parcels));
      case Tables.BUILDINGS ->
          new Plan(
              dataset,
              BlockContents.BUILDING_FIELDS,
              l.blocks(),
              BLOCKS_PER_TASK,
              SampleCityGenerator::buildings);
      case Tables.POPULATION -> populationPlan(city.dataset(dataset), l);
      case Tables.FACILITIES -> facilityPlan(catalog, l);
      case Tables.WALK_NETWORK ->
          new Plan(
              dataset, CityLayout.WALK_FIELDS, l.blocks(), BLOCKS_PER_TASK, CityLayout::walkEdges);
      default ->
          throw PipelineException.cannot(
              "generate", "dataset " + dataset, "unknown dataset", city.code());
    };
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
      return new Plan(
          Tables.POPULATION,
          BlockContents.POPULATION_FIELDS,
          l.blocks(),
          BLOCKS_PER_TASK,
          SampleCityGenerator::populationByBuilding);
    }
    return new Plan(
        Tables.POPULATION,
        BlockContents.POPULATION_FIELDS,
        (long) cellCols(l) * cellRows(l),
        BLOCKS_PER_TASK,
        SampleCityGenerator::populationCell);
  }

  private static void populationByBuilding(CityLayout l, long block, List<Feature> out) {
    BlockContents contents = BlockContents.of(l, block);
    for (BlockContents.Building b : contents.buildings) {
      if (b.use() == Use.RESIDENTIAL) {
        out.add(
            new Feature(
                populationValues((String) b.values()[0], "building", residents(l, b)), null));
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
          Envelope e = b.footprint().getEnvelopeInternal();
          if (cellIndex(e.centre().x - l.ox - CELL_DX) == cx
              && cellIndex(e.centre().y - l.oy - CELL_DY) == cy) {
            long[] r = residents(l, b);
            for (int k = 0; k < sum.length; k++) {
              sum[k] += r[k];
              total += r[k];
            }
          }
        }
      }
    }
    if (total > 0) {
      out.add(
          new Feature(
              populationValues(String.format("G%07d", cell), "cell", sum),
              CityLayout.box(x0, y0, x0 + CELL_M, y0 + CELL_M)));
    }
  }

  /** Residents by age band (contract order); vacant and non-residential buildings have none. */
  static long[] residents(CityLayout layout, BlockContents.Building b) {
    long[] out = new long[SHARES.length];
    if (b.use() != Use.RESIDENTIAL || b.vacant()) {
      return out;
    }
    SplittableRandom r = layout.rng(SALT_PEOPLE, b.number());
    long total = Math.round(b.units() * (2.4 + 0.6 * r.nextDouble()) * layout.residentsFactor);
    double[] weight = new double[SHARES.length];
    double sum = 0;
    for (int i = 0; i < SHARES.length; i++) {
      weight[i] = SHARES[i] * ageTilt(i, b.year()) * (0.75 + 0.5 * r.nextDouble());
      sum += weight[i];
    }
    return apportion(total, weight, sum);
  }

  // Old compounds have more elderly residents, new ones more children.
  private static double ageTilt(int band, int year) {
    if (band <= 3) {
      return year < 1990 ? 0.8 : year >= 2010 ? 1.3 : 1.0;
    }
    if (band >= 5) {
      return year < 1990 ? 1.5 : year >= 2010 ? 0.8 : 1.0;
    }
    return 1.0;
  }

  /**
   * Integer shares that add up exactly to the total (largest remainder, ties to the lower band).
   */
  static long[] apportion(long total, double[] weight, double sum) {
    long[] out = new long[weight.length];
    double[] frac = new double[weight.length];
    long given = 0;
    for (int i = 0; i < weight.length; i++) {
      double exact = total * weight[i] / sum;
      out[i] = (long) Math.floor(exact);
      frac[i] = exact - out[i];
      given += out[i];
    }
    for (long left = total - given; left > 0; left--) {
      int best = 0;
      for (int i = 1; i < frac.length; i++) {
        if (frac[i] > frac[best]) {
          best = i;
        }
      }
      out[best]++;
      frac[best] = -1;
    }
    return out;
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

  // ------------------------------------------------------------------ facilities

  private static Plan facilityPlan(FacilityCatalog catalog, CityLayout l) {
    List<Kind> kinds = kinds(catalog);
    return new Plan(
        Tables.FACILITIES,
        FACILITY_FIELDS,
        (long) l.communityCols() * l.communityRows(),
        1_000,
        (lay, community, out) -> facilities(lay, community, kinds, out));
  }

  static List<Kind> kinds(FacilityCatalog catalog) {
    List<Kind> kinds = new ArrayList<>();
    for (FacilityCatalog.Category c : catalog.categories()) {
      int[] capacity = CAPACITY.get(c.code());
      String unit =
          capacity == null
              ? null
              : c.capacity() != null
                  ? c.capacity().unit()
                  : c.code().equals("health_centre")
                      ? "visits per day"
                      : c.code().equals("elderly_home") ? "beds" : "places";
      kinds.add(
          new Kind(
              c.code(),
              shortName(c.nameZh(), c.code()),
              unit,
              RATES.getOrDefault(c.code(), 0.3),
              capacity,
              OPERATORS.getOrDefault(c.code(), new String[] {"public"})));
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

  private static void facilities(
      CityLayout l, long community, List<Kind> kinds, List<Feature> out) {
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
        out.add(
            new Feature(
                new Object[] {
                  String.format("F%06d", key * MAX_PER_KIND + f),
                  kind.code(),
                  facilityName(communityName, f, kind.name()),
                  capacity,
                  capacity == null ? null : kind.unit(),
                  operator
                },
                CityLayout.GF.createPoint(new Coordinate(x, y))));
      }
    }
  }

  /** "和平社区" + "社区卫生服务站" reads "和平社区卫生服务站"; later ones are "第二", "第三"... */
  private static String facilityName(String community, int ordinal, String kind) {
    String name = ordinal == 0 && kind.startsWith("社区") ? kind.substring(2) : kind;
    return community + ORDINAL[ordinal] + name;
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
