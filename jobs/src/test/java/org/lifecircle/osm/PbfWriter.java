package org.lifecircle.osm;

import com.google.protobuf.ByteString;
import crosby.binary.Fileformat;
import crosby.binary.Osmformat;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes .osm.pbf files from the format's protobuf classes, block by block, with the groups of each
 * block chosen by the caller: one group per block (as osmium writes) or dense nodes, ways and
 * relations in one block (as Osmosis writes). Coordinates at the default granularity (100 nano
 * degrees), zlib-compressed blobs.
 */
public final class PbfWriter implements AutoCloseable {
  public record Node(long id, double lon, double lat, Map<String, String> tags) {}

  public record Way(long id, long[] refs, Map<String, String> tags) {}

  /** A member: type NODE, WAY or RELATION, its id and role. */
  public record Member(String type, long id, String role) {}

  public record Relation(long id, List<Member> members, Map<String, String> tags) {}

  private final DataOutputStream out;

  public PbfWriter(OutputStream out) throws IOException {
    this.out = new DataOutputStream(out);
    Osmformat.HeaderBlock header =
        Osmformat.HeaderBlock.newBuilder()
            .addRequiredFeatures("OsmSchema-V0.6")
            .addRequiredFeatures("DenseNodes")
            .setWritingprogram("lifecircle-test")
            .build();
    blob("OSMHeader", header.toByteString());
  }

  /** One data block; each non-empty list becomes one primitive group of it, in this order. */
  public void block(List<Node> dense, List<Node> plain, List<Way> ways, List<Relation> relations)
      throws IOException {
    Strings strings = new Strings();
    Osmformat.PrimitiveBlock.Builder b = Osmformat.PrimitiveBlock.newBuilder();
    if (!dense.isEmpty()) {
      Osmformat.DenseNodes.Builder d = Osmformat.DenseNodes.newBuilder();
      long id = 0;
      long lat = 0;
      long lon = 0;
      for (Node n : dense) {
        d.addId(n.id() - id).addLat(nano(n.lat()) - lat).addLon(nano(n.lon()) - lon);
        id = n.id();
        lat = nano(n.lat());
        lon = nano(n.lon());
        n.tags().forEach((k, v) -> d.addKeysVals(strings.id(k)).addKeysVals(strings.id(v)));
        d.addKeysVals(0);
      }
      b.addPrimitivegroup(Osmformat.PrimitiveGroup.newBuilder().setDense(d));
    }
    if (!plain.isEmpty()) {
      Osmformat.PrimitiveGroup.Builder g = Osmformat.PrimitiveGroup.newBuilder();
      for (Node n : plain) {
        Osmformat.Node.Builder nb =
            Osmformat.Node.newBuilder().setId(n.id()).setLat(nano(n.lat())).setLon(nano(n.lon()));
        n.tags().forEach((k, v) -> nb.addKeys(strings.id(k)).addVals(strings.id(v)));
        g.addNodes(nb);
      }
      b.addPrimitivegroup(g);
    }
    if (!ways.isEmpty()) {
      Osmformat.PrimitiveGroup.Builder g = Osmformat.PrimitiveGroup.newBuilder();
      for (Way w : ways) {
        Osmformat.Way.Builder wb = Osmformat.Way.newBuilder().setId(w.id());
        long prev = 0;
        for (long ref : w.refs()) {
          wb.addRefs(ref - prev);
          prev = ref;
        }
        w.tags().forEach((k, v) -> wb.addKeys(strings.id(k)).addVals(strings.id(v)));
        g.addWays(wb);
      }
      b.addPrimitivegroup(g);
    }
    if (!relations.isEmpty()) {
      Osmformat.PrimitiveGroup.Builder g = Osmformat.PrimitiveGroup.newBuilder();
      for (Relation r : relations) {
        Osmformat.Relation.Builder rb = Osmformat.Relation.newBuilder().setId(r.id());
        long prev = 0;
        for (Member m : r.members()) {
          rb.addMemids(m.id() - prev)
              .addRolesSid(strings.id(m.role()))
              .addTypes(Osmformat.Relation.MemberType.valueOf(m.type()));
          prev = m.id();
        }
        r.tags().forEach((k, v) -> rb.addKeys(strings.id(k)).addVals(strings.id(v)));
        g.addRelations(rb);
      }
      b.addPrimitivegroup(g);
    }
    b.setStringtable(strings.table());
    blob("OSMData", b.build().toByteString());
  }

  private void blob(String type, ByteString data) throws IOException {
    byte[] raw = data.toByteArray();
    ByteArrayOutputStream zlib = new ByteArrayOutputStream();
    try (DeflaterOutputStream z = new DeflaterOutputStream(zlib)) {
      z.write(raw);
    }
    byte[] blob =
        Fileformat.Blob.newBuilder()
            .setRawSize(raw.length)
            .setZlibData(ByteString.copyFrom(zlib.toByteArray()))
            .build()
            .toByteArray();
    byte[] header =
        Fileformat.BlobHeader.newBuilder()
            .setType(type)
            .setDatasize(blob.length)
            .build()
            .toByteArray();
    out.writeInt(header.length);
    out.write(header);
    out.write(blob);
  }

  /** Degrees in the block's units at the default granularity of 100 nanodegrees. */
  private static long nano(double degrees) {
    return Math.round(degrees * 1e7);
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  /** The block's string table; index 0 is the empty string, as the format requires. */
  private static final class Strings {
    private final Map<String, Integer> ids = new LinkedHashMap<>(Map.of("", 0));
    private final List<String> order = new ArrayList<>(List.of(""));

    int id(String s) {
      return ids.computeIfAbsent(
          s,
          k -> {
            order.add(k);
            return order.size() - 1;
          });
    }

    Osmformat.StringTable table() {
      Osmformat.StringTable.Builder t = Osmformat.StringTable.newBuilder();
      order.forEach(s -> t.addS(ByteString.copyFromUtf8(s)));
      return t.build();
    }
  }
}
