package org.lifecircle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The JVM options bin/lifecircle starts a run with, read from the run's own arguments. */
class JvmOptionsTest {
  private static final String DEMO = "../cities/demo/city.yaml";

  @Test
  void aSmallCitysRunStartsWithTheSmallProfilesJvm() {
    assertThat(JvmOptions.forArgs("nightly", "--city", DEMO, "--warehouse", "/tmp/w"))
        .startsWith("-Xmx2g", "-XX:+UseParallelGC");
    assertThat(JvmOptions.forArgs("population", "--city", DEMO, "--spark-profile", "small"))
        .contains("-Xmx2g");
  }

  @Test
  void aLargeRunKeepsTheJvmsHeapOnTheThroughputCollector() {
    assertThat(JvmOptions.forArgs("nightly", "--city", DEMO, "--spark-profile", "large"))
        .containsExactly("-XX:+UseParallelGC");
    assertThat(JvmOptions.forArgs("nightly", "--city", DEMO, "--master", "spark://h:7077"))
        .containsExactly("-XX:+UseParallelGC");
  }

  @Test
  void everythingElseKeepsTheJvmsDefaults() {
    assertThat(JvmOptions.forArgs("nightly", "--city", DEMO, "--help")).isEmpty();
    assertThat(JvmOptions.forArgs("nightly", "--city", DEMO, "--no-such-option")).isEmpty();
    assertThat(JvmOptions.forArgs("nightly", "--city", "no/such/city.yaml")).isEmpty();
    assertThat(JvmOptions.forArgs("export", "--city", DEMO)).isEmpty();
    assertThat(JvmOptions.forArgs()).isEmpty();
  }
}
