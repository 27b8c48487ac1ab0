package org.lifecircle.common;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StageResultTest {
  private static StageResult quarantining(long in, long quarantined) {
    return new StageResult(
        in, in - quarantined, quarantined, Map.of(), List.of(), Map.of(), List.of());
  }

  @Test
  void aStageWhoseQuarantineShareExceedsTheLimitFails() {
    assertThatThrownBy(() -> quarantining(16, 2).requireQuarantineWithin("population", 0.05))
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "Cannot finish stage population: quarantine share 12.50% exceeds the limit 5.00%"
                + " (2 of 16 rows)");
  }

  @Test
  void atTheLimitOrWithoutRowsItPasses() {
    assertThatCode(() -> quarantining(20, 1).requireQuarantineWithin("population", 0.05))
        .doesNotThrowAnyException();
    assertThatCode(() -> quarantining(0, 0).requireQuarantineWithin("report", 0.0))
        .doesNotThrowAnyException();
  }
}
