package org.lifecircle.ingest;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lifecircle.common.PipelineException;
import org.lifecircle.common.StageResult;

/** The comparisons themselves, on numbers that agree and on numbers a lost row breaks. */
class ReconciliationTest {
  @Test
  void everyRowReadCommittedOnceReconciles() {
    assertThatCode(() -> Reconciliation.require("buildings", "buildings", 20, 4, 16))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                Reconciliation.requireQuarantineTotal(
                    Map.of("buildings", 16L, "facilities", 1L), 17))
        .doesNotThrowAnyException();
  }

  @Test
  void aRowMissingFromTheSilverCommitFailsNamingTheNumbers() {
    assertThatThrownBy(() -> Reconciliation.require("buildings", "buildings", 20, 3, 16))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot reconcile dataset buildings: rows read != rows committed to buildings"
                + " + rows quarantined (20 != 3 + 16)");
  }

  @Test
  void aRowCommittedTwiceFailsToo() {
    assertThatThrownBy(() -> Reconciliation.require("facilities", "facilities", 5, 4, 2))
        .hasMessage(
            "Cannot reconcile dataset facilities: rows read != rows committed to facilities"
                + " + rows quarantined (5 != 4 + 2)");
  }

  @Test
  void aQuarantineReadBackThatDisagreesWithItsCommitFails() {
    assertThatThrownBy(() -> Reconciliation.requireQuarantineTotal(Map.of("buildings", 15L), 16))
        .hasMessage(
            "Cannot reconcile table quarantine: rows counted by source != rows its commit"
                + " added (15 != 16)");
  }

  @Test
  void validationThatLosesARowStopsBeforeAnythingIsWritten() {
    // read comes from the reader's own count, accepted and quarantined from validation's verdicts.
    var lost =
        new IngestStage.Checked(
            "buildings", null, null, new StageResult.SourceCount("buildings", 20, 3, 16, 0));
    assertThatThrownBy(() -> IngestStage.requireWithinLimits(lost, 1.0))
        .hasMessage(
            "Cannot ingest dataset buildings: read != accepted + quarantined (20 != 3 + 16)");
  }
}
