package org.lifecircle.generate;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.types.StructType;
import org.lifecircle.generate.CityLayout.Use;
import org.lifecircle.generate.SampleWriter.Feature;
import org.locationtech.jts.geom.Polygon;

/**
 * What stands on one block: four parcels, a compound for residential blocks, buildings on the
 * parcels that are built, and the residents of each residential building. Recomputed wherever it is
 * needed (parcels, buildings, population cells), always identically for a given seed.
 */
final class BlockContents {
  static final StructType PARCEL_FIELDS =
      StructType.fromDDL(
          "parcel_id STRING, land_use_code STRING,"
              + " area_m2 DOUBLE, planned_far DOUBLE, land_rights STRING, transfer_date DATE,"
              + " agreed_start_date DATE, development_status STRING, share_developed DOUBLE,"
              + " share_invested DOUBLE, stopped_since DATE, tax_per_mu DOUBLE");
  static final StructType COMPOUND_FIELDS =
      StructType.fromDDL(
          "compound_id STRING, compound_name STRING, year_built INT, households INT");
  static final StructType BUILDING_FIELDS =
      StructType.fromDDL(
          "building_id STRING, parcel_id STRING,"
              + " compound_id STRING, `use` STRING, floors INT, height_m DOUBLE, gross_floor_area_m2 DOUBLE,"
              + " year_built INT, dwelling_units INT, safety_rating STRING, has_elevator BOOLEAN,"
              + " heritage_status STRING, in_historic_district BOOLEAN, annual_kwh DOUBLE, vacant_flag BOOLEAN,"
              + " occupancy_rate DOUBLE");
  static final StructType POPULATION_FIELDS =
      StructType.fromDDL(
          "unit_id STRING, unit_kind STRING,"
              + " pop_0_2 BIGINT, pop_3_5 BIGINT, pop_6_11 BIGINT, pop_12_14 BIGINT, pop_15_59 BIGINT,"
              + " pop_60_64 BIGINT, pop_65_79 BIGINT, pop_80_plus BIGINT");

  private static final String[] OLD_SUFFIX = {"新村", "小区", "宿舍", "里"};
  private static final String[] NEW_SUFFIX = {"花园", "家园", "小区", "名苑", "华庭"};
  private static final long SALT_BLOCK = 2;
  private static final long SALT_PARCEL = 3;
  private static final long SALT_BUILDING = 4;

  record Building(
      long number,
      Use use,
      int year,
      int units,
      boolean vacant,
      Object[] values,
      Polygon footprint) {}

  final Use use;
  final int year;
  final String compoundId;
  final List<Feature> parcels = new ArrayList<>();
  final List<Building> buildings = new ArrayList<>();
  private final CityLayout layout;
  private final int bx;
  private final int by;
  private String compoundName;

  private BlockContents(CityLayout layout, long block) {
    this.layout = layout;
    this.bx = layout.bx(block);
    this.by = layout.by(block);
    this.use = layout.use(bx, by);
    SplittableRandom r = layout.rng(SALT_BLOCK, block);
    this.year = blockYear(use, layout.historic(bx, by), r);
    this.compoundId = use == Use.RESIDENTIAL ? String.format("C%07d", block) : null;
    if (use == Use.WATER) {
      return;
    }
    if (compoundId != null) {
      String[] suffix = year < 2000 ? OLD_SUFFIX : NEW_SUFFIX;
      compoundName = CityLayout.placeName(r.nextInt(320)) + suffix[r.nextInt(suffix.length)];
    }
    for (int q = 0; q < 4; q++) {
      Feature parcel = parcel(block, q);
      parcels.add(parcel);
      if ("completed".equals(parcel.values()[7])) {
        addBuildings(block, q, (String) parcel.values()[0]);
      }
    }
  }

  static BlockContents of(CityLayout layout, long block) {
    return new BlockContents(layout, block);
  }

  Feature compound() {
    int households = buildings.stream().mapToInt(Building::units).sum();
    return new Feature(
        new Object[] {compoundId, compoundName, year, households},
        layout.rect(bx, by, 15, 15, 235, 235));
  }

  private static int blockYear(Use use, boolean historic, SplittableRandom r) {
    return switch (use) {
      case RESIDENTIAL ->
          historic
              ? 1960 + r.nextInt(16)
              : r.nextDouble() < 0.35 ? 1960 + r.nextInt(40) : 2000 + r.nextInt(23);
      case INDUSTRIAL, WAREHOUSE ->
          r.nextDouble() < 0.7 ? 1965 + r.nextInt(30) : 1995 + r.nextInt(28);
      case COMMERCIAL, OFFICE -> 1985 + r.nextInt(38);
      default -> 1960 + r.nextInt(63);
    };
  }

  // ------------------------------------------------------------------ parcels

  /** Quadrant q of the block, 10 m back from the streets and 3 m from the inner split. */
  private Feature parcel(long block, int q) {
    long number = block * 4 + q;
    SplittableRandom r = layout.rng(SALT_PARCEL, number);
    double x0 = q % 2 == 0 ? 10 : 128;
    double y0 = q / 2 == 0 ? 10 : 128;
    Polygon poly = layout.rect(bx, by, x0, y0, x0 + 112, y0 + 112);
    boolean business =
        use == Use.COMMERCIAL || use == Use.OFFICE || use == Use.INDUSTRIAL || use == Use.WAREHOUSE;
    Object[] v = new Object[PARCEL_FIELDS.size()];
    v[0] = String.format("P%08d", number);
    v[2] = round(poly.getArea(), 1);
    if (business && r.nextDouble() < 0.06) {
      v[1] = "2301";
      return new Feature(v, poly);
    }
    v[1] = landUse(r);
    v[3] = round(plannedFar(r), 2);
    // Only business land and newer housing land is still being developed (or sitting idle); the
    // shares give ~3 % idle parcels city-wide (Ministry order No. 53 rules).
    boolean open = business || (use == Use.RESIDENTIAL && year >= 2008 && !layout.historic(bx, by));
    double u = open ? r.nextDouble() : 1.0;
    if (u < 0.032) {
      develop(v, "not_started", date(r, 2016, 2022), 6 + r.nextInt(7), 0, 0, null);
    } else if (u < 0.055) {
      LocalDate t = date(r, 2013, 2019);
      develop(
          v,
          "stopped",
          t,
          6,
          0.05 + 0.25 * r.nextDouble(),
          0.05 + 0.19 * r.nextDouble(),
          t.plusMonths(18 + r.nextInt(36)));
    } else if (u < 0.07) {
      LocalDate t = date(r, 2015, 2020);
      develop(
          v,
          "stopped",
          t,
          6,
          0.5 + 0.35 * r.nextDouble(),
          0.5 + 0.35 * r.nextDouble(),
          t.plusMonths(18 + r.nextInt(24)));
    } else if (u < 0.09) {
      develop(v, "not_started", LocalDate.of(2024, 4, 1).plusDays(r.nextInt(360)), 9, 0, 0, null);
    } else if (u < 0.15) {
      develop(
          v,
          "under_construction",
          date(r, 2021, 2023),
          6,
          0.2 + 0.7 * r.nextDouble(),
          0.25 + 0.65 * r.nextDouble(),
          null);
    } else {
      completed(v, r);
    }
    v[11] = business && "completed".equals(v[7]) ? round(taxPerMu(r), 1) : null;
    return new Feature(v, poly);
  }

  // Dates stay before 2026-01-01: the generator does not know the snapshot date.
  private static void develop(
      Object[] v,
      String status,
      LocalDate transfer,
      int startAfterMonths,
      double developed,
      double invested,
      LocalDate stopped) {
    v[4] = "transferred";
    v[5] = date(transfer);
    v[6] = date(transfer.plusMonths(startAfterMonths));
    v[7] = status;
    v[8] = round(developed, 3);
    v[9] = round(invested, 3);
    v[10] = date(stopped);
  }

  private void completed(Object[] v, SplittableRandom r) {
    LocalDate transfer = date(r, Math.max(1950, year - 3), Math.max(1950, year - 1));
    boolean allocated =
        use == Use.PUBLIC || use == Use.GREEN || (use == Use.RESIDENTIAL && year < 1992);
    boolean collective = use == Use.INDUSTRIAL && r.nextDouble() < 0.05;
    develop(v, "completed", transfer, 6, 1.0, 1.0, null);
    v[4] = allocated ? "allocated" : collective ? "collective" : "transferred";
    v[6] = allocated || collective ? null : v[6];
  }

  private String landUse(SplittableRandom r) {
    return switch (use) {
      case RESIDENTIAL -> r.nextDouble() < 0.95 ? "0701" : "0702";
      case COMMERCIAL -> "0901";
      case OFFICE -> "0902";
      case INDUSTRIAL -> "1001";
      case WAREHOUSE -> "1101";
      case PUBLIC -> new String[] {"0804", "0806", "0807"}[r.nextInt(3)];
      default -> r.nextDouble() < 0.7 ? "1401" : "1403";
    };
  }

  private double plannedFar(SplittableRandom r) {
    double u = r.nextDouble();
    return switch (use) {
      case RESIDENTIAL -> 2.0 + 1.5 * u;
      case COMMERCIAL -> 2.5 + 2.5 * u;
      case OFFICE -> 3.0 + 3.0 * u;
      case INDUSTRIAL -> 1.2 + 0.8 * u;
      case WAREHOUSE -> 1.0 + 0.8 * u;
      case PUBLIC -> 1.0 + 1.5 * u;
      default -> 0.05 + 0.15 * u;
    };
  }

  // Ten-thousand CNY per mu; a quarter of factories are low-efficiency land.
  private double taxPerMu(SplittableRandom r) {
    double u = r.nextDouble();
    double v = r.nextDouble();
    if (use == Use.INDUSTRIAL || use == Use.WAREHOUSE) {
      return u < 0.25 ? 0.5 + 7.5 * v : 15 + 45 * v;
    }
    return u < 0.12 ? 2 + 13 * v : 30 + 170 * v;
  }

  private static LocalDate date(SplittableRandom r, int fromYear, int toYear) {
    return LocalDate.of(
        fromYear + r.nextInt(toYear - fromYear + 1), 1 + r.nextInt(12), 1 + r.nextInt(28));
  }

  // ------------------------------------------------------------------ buildings

  // Buildings keep 10 m from the block's centre lines (footpaths) and 20 m from its streets; a
  // quadrant's free region is 95 x 95 m.
  private void addBuildings(long block, int q, String parcelId) {
    double rx = q % 2 == 0 ? 20 : 135;
    double ry = q / 2 == 0 ? 20 : 135;
    for (int s = 0; s < 8; s++) {
      long number = block * 32 + q * 8 + s;
      SplittableRandom r = layout.rng(SALT_BUILDING, number);
      double[] box = footprint(s, rx, ry, r);
      if (box != null) {
        buildings.add(building(number, parcelId, box, r));
      }
    }
  }

  /** Slot s of the quadrant: {x0, y0, x1, y1} relative to the block, or null when empty. */
  private double[] footprint(int s, double rx, double ry, SplittableRandom r) {
    switch (use) {
      case RESIDENTIAL -> {
        // Six 45 x 20 m slots in three rows, most of them built: rows of slab blocks.
        if (s >= 6 || r.nextDouble() >= 0.62) {
          return null;
        }
        return place(
            rx + (s % 2) * 50,
            ry + (s / 2) * 37.5,
            45,
            20,
            36 + r.nextInt(10),
            15 + r.nextInt(6),
            r);
      }
      case INDUSTRIAL, WAREHOUSE -> {
        // Up to two long sheds per parcel.
        if (s >= 2 || r.nextDouble() >= 0.8) {
          return null;
        }
        return place(rx, ry + s * 55, 95, 40, 60 + r.nextInt(31), 25 + r.nextInt(11), r);
      }
      case COMMERCIAL, OFFICE, PUBLIC -> {
        if (s >= 1 || r.nextDouble() >= 0.85) {
          return null;
        }
        int len =
            use == Use.COMMERCIAL
                ? 40 + r.nextInt(41)
                : use == Use.OFFICE ? 30 + r.nextInt(21) : 30 + r.nextInt(31);
        int dep =
            use == Use.COMMERCIAL
                ? 30 + r.nextInt(31)
                : use == Use.OFFICE ? 25 + r.nextInt(16) : 20 + r.nextInt(21);
        return place(rx, ry, 95, 95, len, dep, r);
      }
      default -> {
        return null;
      }
    }
  }

  private static double[] place(
      double sx, double sy, int slotW, int slotH, int len, int dep, SplittableRandom r) {
    double x0 = sx + r.nextInt(slotW - len + 1);
    double y0 = sy + r.nextInt(slotH - dep + 1);
    return new double[] {x0, y0, x0 + len, y0 + dep};
  }

  private Building building(long number, String parcelId, double[] box, SplittableRandom r) {
    boolean residential = use == Use.RESIDENTIAL;
    int byear =
        Math.max(
            1950, Math.min(2024, year + r.nextInt(residential ? 4 : 5) - (residential ? 1 : 2)));
    int floors = residential ? residentialFloors(year, r) : otherFloors(r);
    double area = (box[2] - box[0]) * (box[3] - box[1]);
    boolean vacant = residential && r.nextDouble() < 0.05;
    String useName =
        use == Use.COMMERCIAL && r.nextDouble() < 0.1 ? "mixed" : use.name().toLowerCase();
    Integer units =
        residential
            ? Integer.valueOf(floors * (4 + r.nextInt(5)))
            : "mixed".equals(useName) ? Integer.valueOf(floors * 2) : null;
    String safety = safety(byear, r);
    boolean elevator =
        residential
            ? floors > 9 || (floors >= 4 && r.nextDouble() < (byear >= 2000 ? 0.6 : 0.15))
            : floors >= 5;
    String heritage = residential ? heritage(r) : "none";
    double occupancy = occupancy(byear, vacant, r);
    double kwh =
        vacant
            ? r.nextDouble() * 19.9
            : residential
                ? units * 2500 * (0.7 + 0.5 * r.nextDouble())
                : area * floors * intensity() * occupancy * (0.8 + 0.4 * r.nextDouble());
    Boolean vacantFlag = vacant ? r.nextBoolean() : occupancy < 0.1;
    Object[] values = {
      String.format("B%09d", number),
      parcelId,
      compoundId,
      useName,
      floors,
      floors * 3.0,
      round(area * floors, 1),
      byear,
      units,
      safety,
      elevator,
      heritage,
      layout.historic(bx, by),
      round(kwh, 1),
      vacantFlag,
      round(occupancy, 3)
    };
    Polygon footprint = layout.rect(bx, by, box[0], box[1], box[2], box[3]);
    return new Building(number, use, year, units == null ? 0 : units, vacant, values, footprint);
  }

  // Older compounds are lower: walk-ups before 2000, towers after 2010.
  private static int residentialFloors(int year, SplittableRandom r) {
    if (year < 1980) {
      return 3 + r.nextInt(4);
    } else if (year < 2000) {
      return r.nextDouble() < 0.85 ? 5 + r.nextInt(4) : 9 + r.nextInt(4);
    } else if (year < 2010) {
      return r.nextDouble() < 0.5 ? 6 + r.nextInt(6) : 12 + r.nextInt(7);
    }
    return r.nextDouble() < 0.3 ? 11 + r.nextInt(8) : 18 + r.nextInt(16);
  }

  private int otherFloors(SplittableRandom r) {
    return switch (use) {
      case COMMERCIAL -> 2 + r.nextInt(7);
      case OFFICE -> 8 + r.nextInt(23);
      case INDUSTRIAL -> 1 + r.nextInt(3);
      case WAREHOUSE -> 1 + r.nextInt(2);
      default -> 2 + r.nextInt(5);
    };
  }

  // About 8 % of pre-1990 buildings are dangerous housing (C or D).
  private static String safety(int byear, SplittableRandom r) {
    double u = r.nextDouble();
    if (byear < 1990) {
      return u < 0.06 ? "C" : u < 0.08 ? "D" : u < 0.38 ? "A" : "B";
    }
    return u < (byear < 2000 ? 0.4 : 0.75) ? "A" : "B";
  }

  private String heritage(SplittableRandom r) {
    double u = r.nextDouble();
    if (layout.historic(bx, by)) {
      return u < 0.05 ? "cultural_relic" : u < 0.25 ? "historic_building" : "none";
    }
    if (year < 1970) {
      return u < 0.005 ? "cultural_relic" : u < 0.025 ? "historic_building" : "none";
    }
    return "none";
  }

  // Old factories (before 1995) are often nearly empty; some shops and offices are too.
  private double occupancy(int byear, boolean vacant, SplittableRandom r) {
    double u = r.nextDouble();
    double v = r.nextDouble();
    return switch (use) {
      case RESIDENTIAL -> vacant ? 0.05 * v : 0.75 + 0.25 * v;
      case INDUSTRIAL, WAREHOUSE -> byear < 1995 && u < 0.45 ? 0.02 + 0.27 * v : 0.5 + 0.5 * v;
      case COMMERCIAL -> u < 0.15 ? 0.1 + 0.25 * v : 0.6 + 0.4 * v;
      case OFFICE -> u < 0.1 ? 0.1 + 0.3 * v : 0.55 + 0.43 * v;
      default -> 0.7 + 0.3 * v;
    };
  }

  /** Electricity per m2 of floor area at full use, kWh a year. */
  private double intensity() {
    return switch (use) {
      case COMMERCIAL -> 150;
      case OFFICE -> 100;
      case INDUSTRIAL -> 80;
      case WAREHOUSE -> 20;
      default -> 60;
    };
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  static Date date(LocalDate d) {
    return d == null ? null : Date.valueOf(d);
  }
}
