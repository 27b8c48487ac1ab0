package org.lifecircle.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Pieces run side by side, each to its end; outcomes and the failure reported keep their order. */
class ParallelWorkTest {
  @Test
  void everyPieceRunsAndTheFirstFailureInOrderIsThrown() {
    AtomicInteger ran = new AtomicInteger();
    CountDownLatch thirdFailed = new CountDownLatch(1);
    List<Callable<String>> pieces =
        List.of(
            () -> {
              // Fails after the third, first in order: still the one reported.
              assertThat(thirdFailed.await(30, TimeUnit.SECONDS)).isTrue();
              ran.incrementAndGet();
              throw new IllegalArgumentException("first");
            },
            () -> {
              ran.incrementAndGet();
              return "b";
            },
            () -> {
              ran.incrementAndGet();
              thirdFailed.countDown();
              throw new IllegalStateException("third");
            });
    List<ParallelWork.Outcome<String>> outcomes = ParallelWork.run(3, pieces);
    assertThat(ran.get()).isEqualTo(3);
    assertThat(outcomes)
        .extracting(ParallelWork.Outcome::failed)
        .containsExactly(true, false, true);
    assertThat(outcomes.get(1).value()).isEqualTo("b");
    assertThatThrownBy(() -> ParallelWork.throwFirstFailure(outcomes))
        .hasMessage("first")
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .extracting(Throwable::getMessage)
                    .containsExactly("third"));
  }

  @Test
  void nothingIsThrownWhenEveryPieceSucceeds() {
    List<ParallelWork.Outcome<Integer>> outcomes =
        ParallelWork.run(2, List.<Callable<Integer>>of(() -> 1, () -> 2, () -> 3));
    assertThat(outcomes).extracting(ParallelWork.Outcome::value).containsExactly(1, 2, 3);
    ParallelWork.throwFirstFailure(outcomes);
  }
}
