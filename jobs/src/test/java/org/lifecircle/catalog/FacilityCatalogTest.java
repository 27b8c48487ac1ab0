package org.lifecircle.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.Yaml;

class FacilityCatalogTest {
  @Test
  void theShippedCatalogCoversEveryCategoryTheIssueNames() {
    FacilityCatalog c =
        Yaml.readResource(FacilityCatalog.DEFAULT_RESOURCE, FacilityCatalog.class, "catalog");
    assertThat(c.codes())
        .contains(
            "kindergarten",
            "nursery",
            "primary_school",
            "middle_school",
            "health_station",
            "health_centre",
            "elderly_day_care",
            "elderly_home",
            "community_service",
            "food_market",
            "convenience_store",
            "pharmacy",
            "post_parcel",
            "fitness_ground",
            "sports_field",
            "pocket_park",
            "park",
            "cultural_centre",
            "bus_stop",
            "ev_charging",
            "public_toilet");
    assertThat(c.category("pocket_park").thresholdM()).isEqualTo(300);
    assertThat(c.category("park").thresholdM()).isEqualTo(500);
    assertThat(c.category("kindergarten").targetBands()).containsExactly("pop_3_5");
  }

  @Test
  void aCategoryCodeWithAQuoteIsRejectedBeforeItCouldReachAnyQuery() throws IOException {
    Path f = Files.createTempFile("catalog", ".yaml");
    Files.writeString(
        f,
        """
        categories:
          - code: "k12' OR '1'='1"
            name_zh: 坏
            name_en: bad
            level: 5
            threshold_m: 300
            target: all
            complete_community: false
        """);
    assertThatThrownBy(() -> Yaml.read(f, FacilityCatalog.class, "catalog"))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot load facility catalog: category code must be lower-case letters,"
                + " digits and _ (k12' OR '1'='1)");
  }

  @Test
  void unknownTargetGroupAndMissingSeverityWeightAreRejected() throws IOException {
    Path f = Files.createTempFile("catalog", ".yaml");
    Files.writeString(
        f,
        """
        categories:
          - {code: kindergarten, name_zh: 幼儿园, name_en: Kindergarten, level: 5, threshold_m: 300,
             target: toddlers, complete_community: true}
        """);
    assertThatThrownBy(() -> Yaml.read(f, FacilityCatalog.class, "catalog"))
        .hasMessage("Cannot load facility catalog: unknown target for kindergarten (toddlers)");
  }
}
