package org.lifecircle.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.lifecircle.common.DatasetSource;

/** The spellings of a legacy GeoJSON crs member, and which of them agree with a config. */
class GeoJsonCrsTest {
  private static DatasetSource declared(String crs) {
    return new DatasetSource("a.geojson", "geojson", crs, null, null, null, null, null, null);
  }

  @Test
  void everyCommonSpellingMeansItsEpsgCode() {
    assertThat(GeoJsonCrs.code("urn:ogc:def:crs:EPSG::4547")).isEqualTo("EPSG:4547");
    assertThat(GeoJsonCrs.code("urn:ogc:def:crs:EPSG:6.6:4326")).isEqualTo("EPSG:4326");
    assertThat(GeoJsonCrs.code("EPSG:4547")).isEqualTo("EPSG:4547");
    assertThat(GeoJsonCrs.code("epsg:4490")).isEqualTo("EPSG:4490");
    assertThat(GeoJsonCrs.code("http://www.opengis.net/def/crs/EPSG/0/4547"))
        .isEqualTo("EPSG:4547");
    assertThat(GeoJsonCrs.code("urn:ogc:def:crs:OGC:1.3:CRS84")).isEqualTo("EPSG:4326");
    assertThat(GeoJsonCrs.code("http://www.opengis.net/def/crs/OGC/1.3/CRS84"))
        .isEqualTo("EPSG:4326");
    assertThat(GeoJsonCrs.code("CGCS2000 / GK CM 114E"))
        .as("unknown: kept as written")
        .isEqualTo("CGCS2000 / GK CM 114E");
  }

  private static void check(String config, String member) {
    GeoJsonCrs.requireAgrees(
        "dataset admin_areas", declared(config), member, Path.of("/data/areas.geojson"));
  }

  @Test
  void anAgreeingOrAbsentMemberPassesAndAContradictingOneStops() {
    assertThatCode(
            () -> {
              check("EPSG:4326", null);
              check("EPSG:4326", "urn:ogc:def:crs:OGC:1.3:CRS84");
              check("GCJ02", "urn:ogc:def:crs:OGC:1.3:CRS84");
              check("EPSG:4547", "EPSG:4547");
            })
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> check("EPSG:4547", "urn:ogc:def:crs:OGC:1.3:CRS84"))
        .hasMessage(
            "Cannot read dataset admin_areas: the file's crs member says EPSG:4326 but the"
                + " city config says EPSG:4547 (/data/areas.geojson)");
  }
}
