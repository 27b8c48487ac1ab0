package org.lifecircle.generate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.types.StructType;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.CrsTransform;
import org.lifecircle.common.PipelineException;
import org.lifecircle.generate.SampleWriter.Feature;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;

/**
 * The sample city's grid in the metric CRS: 250 m blocks W x H from a south-west origin, a river
 * row, communities (2 x 2 blocks), streets (6 x 6) and districts (bands of two street columns), and
 * each block's land use. Every decision is a pure function of (seed, entity index) so any Spark
 * task can recompute any block without talking to the others.
 */
final class CityLayout implements Serializable {
  static final double BLOCK_M = 250.0;
  static final double HALF_M = BLOCK_M / 2;
  static final int COMMUNITY_BLOCKS = 2;
  static final int STREET_BLOCKS = 6;
  static final int BRIDGE_EVERY = 8;
  static final GeometryFactory GF = new GeometryFactory();
  static final StructType ADMIN_FIELDS =
      StructType.fromDDL("area_code STRING, area_name STRING, level STRING, parent_code STRING");
  static final StructType WALK_FIELDS =
      StructType.fromDDL("edge_id STRING, from_node STRING, to_node STRING, way_kind STRING");

  enum Use {
    RESIDENTIAL,
    COMMERCIAL,
    OFFICE,
    INDUSTRIAL,
    WAREHOUSE,
    PUBLIC,
    GREEN,
    WATER
  }

  private static final String[] NAME_A = {
    "和平", "幸福", "光明", "长江", "新华", "东方", "胜利", "青山", "花园", "建设", "民主", "友谊", "团结", "振兴", "文化", "育才",
    "桃源", "丽水", "晴川", "江滨"
  };
  private static final String[] NAME_B = {
    "", "东", "西", "南", "北", "中", "新", "里", "湾", "岭", "桥", "苑", "坊", "园", "村", "港"
  };
  private static final String[] DISTRICTS = {
    "江岸", "江汉", "汉阳", "武昌", "青山", "洪山", "东湖", "汉南", "蔡甸", "江夏", "黄陂", "新洲"
  };

  final long seed;
  final String cityCode;
  final int w;
  final int h;
  final double ox;
  final double oy;

  /** Block row that is water, or -1 when the city is too small for a river. */
  final int river;

  final int streetCols;
  final int streetRows;
  final int districts;

  /** First street column of each district, plus an end marker. */
  final int[] districtStart;

  final int histX;
  final int histY;

  /** Multiplies every household's size (the benchmark's residents per building). */
  final double residentsFactor;

  /** Pieces each walk edge is split into (the benchmark's walk edges per block). */
  final int walkSegments;

  private CityLayout(
      long seed,
      String cityCode,
      int w,
      int h,
      double ox,
      double oy,
      double residentsFactor,
      int walkSegments) {
    this.seed = seed;
    this.residentsFactor = residentsFactor;
    this.walkSegments = walkSegments;
    this.cityCode = cityCode;
    this.w = w;
    this.h = h;
    this.ox = ox;
    this.oy = oy;
    this.river = h >= 6 ? h / 2 : -1;
    this.streetCols = ceilDiv(w, STREET_BLOCKS);
    this.streetRows = ceilDiv(h, STREET_BLOCKS);
    this.districts = Math.max(2, streetCols / 2);
    this.districtStart = new int[districts + 1];
    for (int d = 0; d <= districts; d++) {
      districtStart[d] = firstStreetCol(d);
    }
    // A small old-town cluster south-west of the centre, clear of the river row.
    this.histX = w / 3;
    this.histY = Math.max(0, h / 4 - 1);
    if (districts > 999 || (long) streetCols * streetRows > 999L * districts) {
      throw PipelineException.cannot(
          "generate", "sample city", "too many areas for 3-digit codes", w + "x" + h);
    }
  }

  static CityLayout of(CityConfig city, long seed, double scale) {
    long target = Math.max(32, Math.round(150_000 * scale));
    int h = (int) Math.max(4, Math.round(Math.sqrt(target / 2.0)));
    int w = (int) Math.max(8, Math.round((double) target / h));
    CityConfig.Bounds b = city.bounds();
    double[] o =
        new CrsTransform("EPSG:4326", city.metricCrs())
            .metric(b.minLon() + 0.02, b.minLat() + 0.02);
    CityConfig.Sample knobs = city.sample();
    CityLayout l =
        new CityLayout(
            seed,
            city.code(),
            w,
            h,
            Math.floor(o[0]),
            Math.floor(o[1]),
            knobs == null ? 1.0 : knobs.residentsFactorOrDefault(),
            knobs == null ? 1 : knobs.walkSegmentsOrDefault());
    l.requireInside(city);
    return l;
  }

  private void requireInside(CityConfig city) {
    CrsTransform back = new CrsTransform(city.metricCrs(), city.metricCrs());
    double[][] corners = {{0, h}, {w, 0}, {w, h}};
    for (double[] c : corners) {
      double[] ll = back.lonLat(x(c[0] * 2), y(c[1] * 2));
      if (!city.bounds().contains(ll[0], ll[1])) {
        throw PipelineException.cannot(
            "generate",
            "sample city",
            "the city does not fit in its bounds",
            w + "x" + h + " blocks reach " + ll[0] + "," + ll[1]);
      }
    }
  }

  // ------------------------------------------------------------------ grid

  long blocks() {
    return (long) w * h;
  }

  int bx(long block) {
    return (int) (block % w);
  }

  int by(long block) {
    return (int) (block / w);
  }

  long blockId(int bx, int by) {
    return (long) by * w + bx;
  }

  /** Metric x of a half-block grid line; integer grid positions keep shared endpoints identical. */
  double x(double halfIndex) {
    return ox + halfIndex * HALF_M;
  }

  double y(double halfIndex) {
    return oy + halfIndex * HALF_M;
  }

  boolean isRiver(int by) {
    return by == river;
  }

  boolean isBridgeColumn(int gx) {
    return gx % BRIDGE_EVERY == BRIDGE_EVERY / 2;
  }

  boolean historic(int bx, int by) {
    return bx >= histX && bx < histX + 3 && by >= histY && by < histY + 2 && !isRiver(by);
  }

  /** Deterministic stream for one entity; the salt keeps entity kinds independent. */
  SplittableRandom rng(long salt, long id) {
    return new SplittableRandom(mix(seed ^ mix(salt * 0x9E3779B97F4A7C15L + id)));
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  Use use(int bx, int by) {
    if (isRiver(by)) {
      return Use.WATER;
    }
    if (historic(bx, by)) {
      return Use.RESIDENTIAL;
    }
    double u = rng(1, blockId(bx, by)).nextDouble();
    if (u < 0.70) {
      return Use.RESIDENTIAL;
    } else if (u < 0.75) {
      return Use.COMMERCIAL;
    } else if (u < 0.80) {
      return Use.OFFICE;
    } else if (u < 0.86) {
      return Use.INDUSTRIAL;
    } else if (u < 0.88) {
      return Use.WAREHOUSE;
    } else if (u < 0.95) {
      return Use.PUBLIC;
    }
    return Use.GREEN;
  }

  /** Axis-aligned rectangle in metres, relative to a block's south-west corner. */
  Polygon rect(int bx, int by, double x0, double y0, double x1, double y1) {
    double bx0 = ox + bx * BLOCK_M;
    double by0 = oy + by * BLOCK_M;
    return box(bx0 + x0, by0 + y0, bx0 + x1, by0 + y1);
  }

  static Polygon box(double x0, double y0, double x1, double y1) {
    return GF.createPolygon(
        new Coordinate[] {
          new Coordinate(x0, y0),
          new Coordinate(x1, y0),
          new Coordinate(x1, y1),
          new Coordinate(x0, y1),
          new Coordinate(x0, y0)
        });
  }

  /**
   * A rectangle of whole blocks with a vertex at every block corner, so nested areas share edges.
   */
  Polygon blockRect(int gx0, int gy0, int gx1, int gy1) {
    List<Coordinate> ring = new ArrayList<>();
    for (int i = gx0; i < gx1; i++) {
      ring.add(new Coordinate(x(2 * i), y(2 * gy0)));
    }
    for (int j = gy0; j < gy1; j++) {
      ring.add(new Coordinate(x(2 * gx1), y(2 * j)));
    }
    for (int i = gx1; i > gx0; i--) {
      ring.add(new Coordinate(x(2 * i), y(2 * gy1)));
    }
    for (int j = gy1; j > gy0; j--) {
      ring.add(new Coordinate(x(2 * gx0), y(2 * j)));
    }
    ring.add(ring.get(0));
    return GF.createPolygon(ring.toArray(Coordinate[]::new));
  }

  // ------------------------------------------------------------------ administrative areas

  int communityCols() {
    return ceilDiv(w, COMMUNITY_BLOCKS);
  }

  int communityRows() {
    return ceilDiv(h, COMMUNITY_BLOCKS);
  }

  /** Districts are bands of two street columns; the remainder joins the last band. */
  int district(int streetCol) {
    if (streetCols >= 4) {
      return Math.min(streetCol / 2, districts - 1);
    }
    return streetCol * districts / streetCols;
  }

  private int firstStreetCol(int d) {
    for (int sx = 0; sx < streetCols; sx++) {
      if (district(sx) >= d) {
        return sx;
      }
    }
    return streetCols;
  }

  String districtCode(int d) {
    return cityCode + String.format("%03d", d + 1);
  }

  String streetCode(int sx, int sy) {
    int d = district(sx);
    int cols = districtStart[d + 1] - districtStart[d];
    return districtCode(d) + String.format("%03d", sy * cols + (sx - districtStart[d]) + 1);
  }

  String communityCode(int cx, int cy) {
    int per = STREET_BLOCKS / COMMUNITY_BLOCKS;
    int sx = cx / per;
    int sy = cy / per;
    int cols = Math.min(per, communityCols() - sx * per);
    return streetCode(sx, sy) + String.format("%03d", (cy - sy * per) * cols + (cx - sx * per) + 1);
  }

  static String districtName(int d) {
    return d < DISTRICTS.length ? DISTRICTS[d] + "区" : "第" + (d + 1) + "区";
  }

  static String streetName(long i) {
    return placeName(i * 7 + 3) + "街道";
  }

  static String communityName(long i) {
    return placeName(i) + "社区";
  }

  /** Two syllables, unique for the first 320 indices, then numbered so names stay distinct. */
  static String placeName(long i) {
    long n = NAME_A.length * (long) NAME_B.length;
    String base =
        NAME_A[(int) (i % NAME_A.length)] + NAME_B[(int) ((i / NAME_A.length) % NAME_B.length)];
    return i < n ? base : base + (i / n + 1);
  }

  // ------------------------------------------------------------------ administrative area features

  long adminCount() {
    return districts + (long) streetCols * streetRows + (long) communityCols() * communityRows();
  }

  static void adminAreas(CityLayout l, long i, List<Feature> out) {
    int per = STREET_BLOCKS;
    long streets = (long) l.streetCols * l.streetRows;
    if (i < l.districts) {
      int d = (int) i;
      int x1 = Math.min(l.w, l.districtStart[d + 1] * per);
      out.add(
          new Feature(
              new Object[] {l.districtCode(d), districtName(d), "district", null},
              l.blockRect(l.districtStart[d] * per, 0, x1, l.h)));
    } else if (i < l.districts + streets) {
      long s = i - l.districts;
      int sx = (int) (s % l.streetCols);
      int sy = (int) (s / l.streetCols);
      out.add(
          new Feature(
              new Object[] {
                l.streetCode(sx, sy), streetName(s), "street", l.districtCode(l.district(sx))
              },
              l.blockRect(
                  sx * per,
                  sy * per,
                  Math.min(l.w, sx * per + per),
                  Math.min(l.h, sy * per + per))));
    } else {
      long c = i - l.districts - streets;
      int cx = (int) (c % l.communityCols());
      int cy = (int) (c / l.communityCols());
      int size = COMMUNITY_BLOCKS;
      int inStreet = per / size;
      out.add(
          new Feature(
              new Object[] {
                l.communityCode(cx, cy),
                communityName(c),
                "community",
                l.streetCode(cx / inStreet, cy / inStreet)
              },
              l.blockRect(
                  cx * size,
                  cy * size,
                  Math.min(l.w, cx * size + size),
                  Math.min(l.h, cy * size + size))));
    }
  }

  // ------------------------------------------------------------------ walk network

  // Edges come from half-block grid positions, so every shared endpoint is the same double pair.
  // Each block writes its south and west sides (and east / north on the city's edge).
  static void walkEdges(CityLayout l, long block, List<Feature> out) {
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
  private static void verticalSide(
      CityLayout l, List<Feature> out, long id, int i, int j, boolean water) {
    if (water && !l.isBridgeColumn(i / 2)) {
      return;
    }
    String kind = water ? "bridge" : "street";
    edge(l, out, id, 0, i, j, i, j + 1, kind);
    edge(l, out, id, 1, i, j + 1, i, j + 2, kind);
  }

  private static void edge(
      CityLayout l,
      List<Feature> out,
      long base,
      int slot,
      int i0,
      int j0,
      int i1,
      int j1,
      String kind) {
    String id = String.format("E%09d", base + slot);
    int k = l.walkSegments;
    if (k == 1) {
      Coordinate[] line = {new Coordinate(l.x(i0), l.y(j0)), new Coordinate(l.x(i1), l.y(j1))};
      out.add(
          new Feature(
              new Object[] {id, node(l, i0, j0), node(l, i1, j1), kind},
              GF.createLineString(line)));
      return;
    }
    // Pieces joined at nodes of their own, named after the edge, so grid nodes keep their ids.
    for (int s = 0; s < k; s++) {
      double f0 = (double) s / k;
      double f1 = (double) (s + 1) / k;
      String from = s == 0 ? node(l, i0, j0) : id.replace('E', 'M') + "-" + s;
      String to = s == k - 1 ? node(l, i1, j1) : id.replace('E', 'M') + "-" + (s + 1);
      Coordinate[] line = {
        new Coordinate(l.x(i0 + f0 * (i1 - i0)), l.y(j0 + f0 * (j1 - j0))),
        new Coordinate(l.x(i0 + f1 * (i1 - i0)), l.y(j0 + f1 * (j1 - j0)))
      };
      out.add(new Feature(new Object[] {id + "-" + s, from, to, kind}, GF.createLineString(line)));
    }
  }

  private static String node(CityLayout l, int i, int j) {
    return String.format("N%09d", (long) j * (2L * l.w + 1) + i);
  }

  static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
