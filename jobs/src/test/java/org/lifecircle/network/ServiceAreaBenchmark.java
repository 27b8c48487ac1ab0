package org.lifecircle.network;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.lifecircle.catalog.FacilityCatalog;
import org.lifecircle.common.CityConfig;
import org.lifecircle.common.RunContext;
import org.lifecircle.common.SparkSessions;
import org.lifecircle.io.DeltaTables;
import org.locationtech.jts.coverage.CoverageUnion;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;

/**
 * Not a test: times the service areas of a city's facilities, one thread, on a warehouse a nightly
 * wrote: the search and the reached pieces, then each way of drawing them, so the cost per facility
 * is known on a real network before the stage is turned on. Checks that each way's polygon holds
 * the pieces.
 *
 * <pre>
 * cd jobs && java -Xmx4g -cp target/test-classes:target/classes:$(cat target/launcher.classpath) \
 *     org.lifecircle.network.ServiceAreaBenchmark city.yaml warehouse date [facilities [with-buffer]]
 * </pre>
 */
public final class ServiceAreaBenchmark {
  private ServiceAreaBenchmark() {}

  public static void main(String[] args) throws Exception {
    CityConfig city = CityConfig.load(Path.of(args[0]));
    RunContext ctx =
        new RunContext("service-area-bench", city, LocalDate.parse(args[2]), Path.of(args[1]));
    int limit = args.length > 3 ? Integer.parseInt(args[3]) : Integer.MAX_VALUE;
    boolean withBuffer = args.length > 4 && args[4].equals("with-buffer");
    SparkSession spark = SparkSessions.create("service-area-bench", "local[1]", false);
    WalkGraph g;
    List<Row> facilities;
    try {
      g = WalkNetwork.graph(city.code(), DeltaTables.readSnapshot(spark, ctx, "walk_network"));
      facilities =
          DeltaTables.readSnapshot(spark, ctx, "facilities")
              .selectExpr("facility_id", "category", "geometry")
              .orderBy("facility_id")
              .limit(limit)
              .collectAsList();
    } finally {
      spark.stop();
    }
    FacilityCatalog catalog = ctx.catalogs().facilities();
    double maxSnap = city.limits().maxSnapM();
    double buffer = city.limits().serviceAreaBufferM();
    GeometryFactory gf = new GeometryFactory();
    WKBReader reader = new WKBReader();
    ServiceAreaRaster raster = new ServiceAreaRaster(gf);
    ServiceAreaRaster.CityGrid cityGrid = ServiceAreasStage.cityGrid(g, maxSnap, buffer);
    System.out.printf(
        Locale.ROOT,
        "%d facilities, %d main edges, buffer %.0f m%n",
        facilities.size(),
        g.summary().mainEdges(),
        buffer);
    for (int round = 0; round < 2; round++) {
      ReachedNetwork reached = new ReachedNetwork(g, gf);
      long search = 0;
      long buffered = 0;
      long rastered = 0;
      long cellUnion = 0;
      long outlined = 0;
      long indexed = 0;
      long bytes = 0;
      long pieceCount = 0;
      double areaBuffer = 0;
      double areaRaster = 0;
      for (Row f : facilities) {
        FacilityCatalog.Walk w = catalog.category(f.getString(1)).walk();
        double[] budgets = new double[ServiceAreasStage.MINUTES.length];
        for (int i = 0; i < budgets.length; i++) {
          budgets[i] = ServiceAreasStage.MINUTES[i] * w.mPerMin();
        }
        var p = reader.read((byte[]) f.get(2)).getCoordinate();
        long t0 = System.nanoTime();
        List<List<Geometry>> pieces = reached.pieces(p.x, p.y, maxSnap, budgets);
        long t1 = System.nanoTime();
        search += t1 - t0;
        if (pieces == null) {
          continue;
        }
        List<Geometry> viaBuffer = new ArrayList<>();
        for (List<Geometry> b : pieces) {
          pieceCount += b.size();
          // JTS's buffer, round ends of 2 segments a quarter circle (the stage's before the grid).
          viaBuffer.add(withBuffer ? gf.buildGeometry(b).buffer(buffer, 2) : null);
        }
        long t2 = System.nanoTime();
        buffered += t2 - t1;
        List<Geometry> viaRaster = new ArrayList<>();
        for (List<Geometry> b : pieces) {
          ServiceAreaRaster.Grid grid = ServiceAreaRaster.cells(b, buffer);
          long c0 = System.nanoTime();
          viaRaster.add(raster.outline(grid));
          long c1 = System.nanoTime();
          outlined += c1 - c0;
          bytes += new WKBWriter().write(viaRaster.get(viaRaster.size() - 1)).length;
          bytes += CommunityServiceAreas.serialize(cityGrid.indices(grid)).length;
          indexed += System.nanoTime() - c1;
        }
        long t3 = System.nanoTime();
        rastered += t3 - t2;
        List<Geometry> viaCells = new ArrayList<>();
        for (List<Geometry> b : pieces) {
          viaCells.add(cellUnion(gf, ServiceAreaRaster.cells(b, buffer)));
        }
        cellUnion += System.nanoTime() - t3;
        for (int i = 0; round == 1 && i < pieces.size(); i++) {
          double diff = viaCells.get(i).symDifference(viaRaster.get(i)).getArea();
          if (diff > 1e-6 || !viaRaster.get(i).isValid()) {
            throw new IllegalStateException(
                "outline differs from the cells' union for " + f.getString(0) + ": " + diff);
          }
        }
        for (int i = 0; i < pieces.size(); i++) {
          areaBuffer += withBuffer ? viaBuffer.get(i).getArea() : Double.NaN;
          areaRaster += viaRaster.get(i).getArea();
          if (round == 1 && !viaRaster.get(i).covers(gf.buildGeometry(pieces.get(i)))) {
            throw new IllegalStateException("raster misses pieces of " + f.getString(0));
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "round %d: search+pieces %.1f ms/facility, buffer %.1f, raster %.1f (of which outline"
              + " %.1f, WKB and cell bitmap %.1f, %.0f bytes; cells' coverage union %.1f); %.0f"
              + " pieces per facility; area raster/buffer %.4f%n",
          round,
          search / 1e6 / facilities.size(),
          buffered / 1e6 / facilities.size(),
          rastered / 1e6 / facilities.size(),
          outlined / 1e6 / facilities.size(),
          indexed / 1e6 / facilities.size(),
          (double) bytes / facilities.size(),
          cellUnion / 1e6 / facilities.size(),
          (double) pieceCount / facilities.size(),
          areaRaster / areaBuffer);
    }
  }

  /** The library's way from cells to a polygon: JTS's coverage union of the marked squares. */
  private static Geometry cellUnion(GeometryFactory gf, ServiceAreaRaster.Grid g) {
    List<Geometry> squares = new ArrayList<>();
    for (int j = 0; j < g.ny(); j++) {
      for (int i = 0; i < g.nx(); i++) {
        if (g.at(i, j)) {
          squares.add(gf.toGeometry(new Envelope(g.x(i), g.x(i + 1), g.y(j), g.y(j + 1))));
        }
      }
    }
    return CoverageUnion.union(squares.toArray(new Geometry[0]));
  }
}
