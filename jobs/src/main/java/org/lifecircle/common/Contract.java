package org.lifecircle.common;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A table's data contract, read from {@code schemas/<table>.yaml}. This is the only description of
 * a table's columns: ingest validates against it, sinks derive the Delta schema and column comments
 * from it.
 */
public record Contract(
    String table,
    String kind,
    Text description,
    List<String> partitionBy,
    List<String> key,
    List<String> geometryTypes,
    Double maxAreaM2,
    List<Field> fields)
    implements Serializable {

  private static final Map<String, Contract> CACHE = new ConcurrentHashMap<>();

  public Contract {
    Objects.requireNonNull(table, "table");
    partitionBy = partitionBy == null ? List.of() : List.copyOf(partitionBy);
    key = key == null ? List.of() : List.copyOf(key);
    geometryTypes = geometryTypes == null ? List.of() : List.copyOf(geometryTypes);
    fields = List.copyOf(fields);
  }

  public static Contract of(String table) {
    return CACHE.computeIfAbsent(
        table, t -> Yaml.readResource("schemas/" + t + ".yaml", Contract.class, "contract " + t));
  }

  public record Text(String en, String zh) implements Serializable {
    @Override
    public String toString() {
      return zh == null ? en : en + " / " + zh;
    }
  }

  public record Field(
      String name,
      String type,
      boolean nullable,
      String origin,
      String unit,
      List<String> allowed,
      String allowedFrom,
      Double min,
      Double max,
      Boolean notFuture,
      String en,
      String zh)
      implements Serializable {

    public Field {
      Objects.requireNonNull(name, "field name");
      if (!List.of("string", "int", "long", "double", "boolean", "date", "timestamp", "geometry")
          .contains(type)) {
        throw PipelineException.cannot(
            "read", "contract", "field " + name + " has unknown type", type);
      }
      allowed = allowed == null ? null : List.copyOf(allowed);
    }

    public boolean isInput() {
      return "input".equals(origin);
    }

    public boolean isGeometry() {
      return "geometry".equals(type);
    }

    public boolean mustNotBeFuture() {
      return Boolean.TRUE.equals(notFuture);
    }

    public DataType sparkType() {
      return switch (type) {
        case "string" -> DataTypes.StringType;
        case "int" -> DataTypes.IntegerType;
        case "long" -> DataTypes.LongType;
        case "double" -> DataTypes.DoubleType;
        case "boolean" -> DataTypes.BooleanType;
        case "date" -> DataTypes.DateType;
        case "timestamp" -> DataTypes.TimestampType;
        case "geometry" -> DataTypes.BinaryType;
        default -> throw new IllegalStateException(type);
      };
    }

    public String comment() {
      StringBuilder b = new StringBuilder(en == null ? name : en);
      if (zh != null) {
        b.append(" / ").append(zh);
      }
      if (unit != null) {
        b.append(" [").append(unit).append(']');
      }
      if (isGeometry()) {
        b.append(" (WKB, city metric CRS)");
      }
      return b.toString();
    }
  }

  public Field field(String name) {
    return fields.stream()
        .filter(f -> f.name().equals(name))
        .findFirst()
        .orElseThrow(
            () -> PipelineException.cannot("find", "column " + name, "not in contract", table));
  }

  public List<Field> inputFields() {
    return fields.stream().filter(Field::isInput).toList();
  }

  /** The Delta schema: every field, in contract order, with its comment. */
  public StructType schema() {
    StructField[] out = new StructField[fields.size()];
    for (int i = 0; i < out.length; i++) {
      Field f = fields.get(i);
      Metadata md = new MetadataBuilder().putString("comment", f.comment()).build();
      out[i] = new StructField(f.name(), f.sparkType(), f.nullable(), md);
    }
    return new StructType(out);
  }

  /** The schema rows carry before a sink adds the partition columns (city_code, snapshot_date). */
  public StructType schemaWithoutPartitions() {
    return new StructType(
        Arrays.stream(schema().fields())
            .filter(f -> !partitionBy.contains(f.name()))
            .toArray(StructField[]::new));
  }

  public List<String> columnNames() {
    return fields.stream().map(Field::name).toList();
  }
}
