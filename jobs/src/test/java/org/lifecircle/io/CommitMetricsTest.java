package org.lifecircle.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rows a commit added, from the operationMetrics Delta 3.x records for a replaceWhere write. */
class CommitMetricsTest {
  @Test
  void aPartitionReplaceAddsItsOutputRows() {
    assertThat(
            CommitMetrics.rowsAdded(
                "buildings",
                3,
                Map.of("numFiles", "1", "numOutputRows", "4", "numOutputBytes", "2048")))
        .isEqualTo(4);
  }

  @Test
  void rowsCopiedFromPartlyDeletedFilesAreNotThisWritesRows() {
    // replaceWhere on a data column (quarantine's stage) rewrites the files it partly deletes.
    assertThat(
            CommitMetrics.rowsAdded(
                "quarantine",
                7,
                Map.of("numFiles", "2", "numOutputRows", "19", "numCopiedRows", "3")))
        .isEqualTo(16);
  }

  @Test
  void aWriteOfNoRowsAddsNone() {
    assertThat(CommitMetrics.rowsAdded("quarantine", 2, Map.of("numFiles", "0"))).isZero();
    assertThat(CommitMetrics.rowsAdded("quarantine", 2, null)).isZero();
  }

  @Test
  void filesWithoutRowCountsCannotBeReconciled() {
    assertThatThrownBy(() -> CommitMetrics.rowsAdded("buildings", 5, Map.of("numFiles", "1")))
        .hasMessage(
            "Cannot read the commit metrics of table buildings: version 5 added files but"
                + " records no numOutputRows ({numFiles=1})");
  }
}
