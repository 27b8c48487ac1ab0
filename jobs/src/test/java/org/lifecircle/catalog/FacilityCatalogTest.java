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
    assertThat(c.category("pocket_park").thresholdM()).isEqualTo(300.0);
    assertThat(c.category("park").thresholdM()).isEqualTo(500.0);
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

  @Test
  void eachCategoryWalksAtItsTargetGroupsSpeedAndTheAverageWalkerKeepsTheMetres() {
    FacilityCatalog c =
        Yaml.readResource(FacilityCatalog.DEFAULT_RESOURCE, FacilityCatalog.class, "catalog");
    // Hand-worked from the shipped file: minutes = metres / 60; reach = minutes x the walker's
    // speed (48 m/min for older walkers and children with a carer).
    FacilityCatalog.Category kindergarten = c.category("kindergarten");
    assertThat(kindergarten.walkerCode()).isEqualTo("child_with_carer");
    assertThat(kindergarten.thresholdMinutes()).isEqualTo(5.0);
    assertThat(kindergarten.reachM()).isEqualTo(240.0);
    assertThat(c.category("elderly_home").walkerCode()).isEqualTo("older");
    assertThat(c.category("elderly_home").reachM()).isEqualTo(800.0);
    assertThat(c.category("primary_school").walkerCode()).isEqualTo("average");
    // The average walker's reach is the catalog's metres exactly, not 8.33 x 60.
    assertThat(c.category("pharmacy").reachM()).isEqualTo(500.0);
    assertThat(c.category("pharmacy").thresholdMinutes()).isEqualTo(500.0 / 60);
    assertThat(c.walkers())
        .extracting(FacilityCatalog.Walker::code)
        .containsExactly("average", "older", "child_with_carer");
  }

  @Test
  void aCatalogWithoutWalkersWalksEveryoneAtTheReferenceSpeed() throws IOException {
    Path f = Files.createTempFile("catalog", ".yaml");
    Files.writeString(
        f,
        """
        categories:
          - {code: elderly_day_care, name_zh: 日照, name_en: Day care, level: 5, threshold_m: 300,
             target: 60_plus, complete_community: true}
          - {code: post_parcel, name_zh: 快递, name_en: Post, level: 5, threshold_min: 4.5,
             target: all, complete_community: true}
        """);
    FacilityCatalog c = Yaml.read(f, FacilityCatalog.class, "catalog");
    assertThat(c.category("elderly_day_care").reachM()).isEqualTo(300.0);
    assertThat(c.category("elderly_day_care").walkerCode()).isEqualTo("average");
    assertThat(c.category("post_parcel").thresholdM()).isEqualTo(270.0);
  }

  @Test
  void walkersAndMinutesThatDoNotAddUpAreRejected() throws IOException {
    String category =
        """
          - {code: middle_school, name_zh: 初中, name_en: Middle school, level: 15,
             threshold_m: 1000, %s target: 12_14, complete_community: false}
        """;
    String walkers =
        """
        walkers:
          - {code: average, m_per_min: 60, reference: true}
          - {code: older, m_per_min: 48, targets: [60_plus, %s]}
        """;
    assertThat(catalogError(walkers.formatted("65_plus"), category.formatted("threshold_min: 15,")))
        .isEqualTo(
            "Cannot load facility catalog: threshold_min and threshold_m disagree at the"
                + " reference walker's speed for middle_school (15 min x 60 m/min = 900 m,"
                + " threshold_m 1000 m)");
    assertThat(catalogError(walkers.formatted("60_plus"), category.formatted("")))
        .isEqualTo("Cannot load facility catalog: target 60_plus has two walkers (older, older)");
    assertThat(catalogError(walkers.formatted("65_plus"), category.formatted("walker: toddler,")))
        .isEqualTo("Cannot load facility catalog: unknown walker for middle_school (toddler)");
    assertThat(
            catalogError(
                walkers
                    .formatted("65_plus")
                    .replace("m_per_min: 60, reference: true", "m_per_min: 60"),
                category.formatted("")))
        .isEqualTo("Cannot load facility catalog: exactly one walker must be the reference ([])");
    // 16.67 min stands for 1,000 m (0.2 m apart at 60 m/min): accepted, the metres govern.
    assertThat(
            catalogError(walkers.formatted("65_plus"), category.formatted("threshold_min: 16.67,")))
        .isNull();
  }

  private static String catalogError(String walkers, String categories) throws IOException {
    Path f = Files.createTempFile("catalog", ".yaml");
    Files.writeString(f, walkers + "categories:\n" + categories);
    try {
      Yaml.read(f, FacilityCatalog.class, "catalog");
      return null;
    } catch (PipelineException e) {
      return e.getMessage();
    }
  }
}
