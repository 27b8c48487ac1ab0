package org.lifecircle.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.Yaml;

/** The OSM tag catalog: building uses, heritage, facility rules, walkable ways and its checks. */
class OsmTagsTest {
  @Test
  void buildingUseComesFromEvidenceInTheDocumentedOrder() {
    OsmTags.Buildings b =
        Yaml.readResource(OsmTags.DEFAULT_RESOURCE, OsmTags.class, "tags").buildings();
    // 1. Own tags that say "not a home" beat the building value and the land use.
    assertThat(b.use(Map.of("building", "yes", "amenity", "school"), "residential"))
        .isEqualTo(new OsmTags.Buildings.Use("public", "own_tags"));
    assertThat(b.use(Map.of("building", "apartments", "amenity", "kindergarten"), "residential"))
        .isEqualTo(new OsmTags.Buildings.Use("public", "own_tags"));
    assertThat(b.use(Map.of("building", "yes", "healthcare", "hospital"), null))
        .isEqualTo(new OsmTags.Buildings.Use("public", "own_tags"));
    // Sports buildings (Haidian: a stadium, a shooting hall and a natatorium took residents).
    for (String sport : List.of("stadium", "sports_centre", "swimming_pool")) {
      assertThat(b.use(Map.of("building", "yes", "leisure", sport), "residential"))
          .as("leisure=%s", sport)
          .isEqualTo(new OsmTags.Buildings.Use("public", "own_tags"));
    }
    // 2. The building value.
    assertThat(b.use(Map.of("building", "apartments"), "industrial"))
        .isEqualTo(new OsmTags.Buildings.Use("residential", "building_tag"));
    assertThat(b.use(Map.of("building", "temple"), "residential"))
        .isEqualTo(new OsmTags.Buildings.Use("public", "building_tag"));
    // 3. Own tags of a plain building: flats with shops are mixed, flats alone housing.
    assertThat(b.use(Map.of("building", "yes", "building:flats", "24", "shop", "bakery"), null))
        .isEqualTo(new OsmTags.Buildings.Use("mixed", "own_tags"));
    assertThat(b.use(Map.of("building", "yes", "building:flats", "24"), "industrial"))
        .isEqualTo(new OsmTags.Buildings.Use("residential", "own_tags"));
    assertThat(b.use(Map.of("building", "yes", "office", "company"), "residential"))
        .isEqualTo(new OsmTags.Buildings.Use("office", "own_tags"));
    // 4. The land under it; 5. no evidence (an address is none).
    assertThat(b.use(Map.of("building", "yes"), "residential"))
        .isEqualTo(new OsmTags.Buildings.Use("residential", "land_use"));
    assertThat(b.use(Map.of("building", "yes", "addr:housenumber", "12"), null))
        .isEqualTo(new OsmTags.Buildings.Use("commercial", "none"));
    // Heritage: a heritage designation, a historic tag, a religious building.
    assertThat(b.heritageStatus(Map.of("building", "yes", "heritage", "2")))
        .isEqualTo("cultural_relic");
    assertThat(b.heritageStatus(Map.of("building", "yes", "historic", "building")))
        .isEqualTo("historic_building");
    assertThat(b.heritageStatus(Map.of("building", "temple"))).isEqualTo("historic_building");
    // Religious and historic building values (OSM wiki, Key:building): protected whatever the
    // land or other tags say.
    for (String value : List.of("religious", "castle", "ruins")) {
      assertThat(b.heritageStatus(Map.of("building", value)))
          .as("building=%s", value)
          .isEqualTo("historic_building");
    }
    assertThat(b.heritageStatus(Map.of("building", "yes"))).isNull();
  }

  @Test
  void aNotHousingRuleThatGivesAHousingUseIsRefused() {
    assertThatThrownBy(
            () ->
                new OsmTags.Buildings(
                    List.of(
                        new OsmTags.UseRule("residential", Map.of("amenity", List.of("school")))),
                    Map.of(),
                    List.of(),
                    Map.of(),
                    "commercial",
                    1,
                    List.of()))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot load OSM tag catalog: a not_housing rule gives a housing use (residential)");
  }

  @Test
  void facilityRulesMatchInOrderWithMultiValuesAbsenceAndArea() {
    OsmTags tags = Yaml.readResource(OsmTags.DEFAULT_RESOURCE, OsmTags.class, "tags");
    assertThat(tags.category(Map.of("amenity", "school"), null)).isEqualTo("primary_school");
    assertThat(tags.category(Map.of("amenity", "school", "isced:level", "1;2"), null))
        .isEqualTo("primary_school");
    assertThat(tags.category(Map.of("amenity", "school", "isced:level", "2"), null))
        .isEqualTo("middle_school");
    assertThat(tags.category(Map.of("amenity", "school", "isced:level", "3"), null)).isNull();
    assertThat(tags.category(Map.of("leisure", "garden"), 5000.0)).isEqualTo("park");
    assertThat(tags.category(Map.of("leisure", "garden"), 4999.0)).isEqualTo("pocket_park");
    assertThat(tags.category(Map.of("leisure", "park"), 1999.0)).isNull();
    assertThat(tags.category(Map.of("leisure", "park"), null)).isNull();
    assertThat(tags.walkNetwork().walkable(Map.of("highway", "residential"))).isTrue();
    assertThat(tags.walkNetwork().walkable(Map.of("highway", "path", "foot", "no"))).isFalse();
    assertThat(tags.walkNetwork().walkable(Map.of("highway", "motorway"))).isFalse();
  }

  @Test
  void theTagCatalogMayOnlyNameKnownCategories() {
    OsmTags tags = Yaml.readResource(OsmTags.DEFAULT_RESOURCE, OsmTags.class, "tags");
    assertThatThrownBy(() -> tags.requireKnownCodes(Set.of("kindergarten")))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot load OSM tag catalog: category is not in the facility catalog (nursery)");
  }
}
