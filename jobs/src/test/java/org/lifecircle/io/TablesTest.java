package org.lifecircle.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.lifecircle.common.Contract;

/** The registry against the contracts: one schemas/*.yaml per registered table, and no other. */
class TablesTest {
  @Test
  void theRegistryNamesExactlyTheContractFiles() throws IOException {
    List<String> files;
    try (Stream<Path> s = Files.list(Path.of("../schemas"))) {
      files =
          s.map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yaml"))
              .map(n -> n.substring(0, n.length() - ".yaml".length()))
              .toList();
    }
    assertThat(Tables.ALL).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(files);
  }

  @Test
  void everyRegisteredTableHasAContractThatLoadsUnderItsName() {
    for (String table : Tables.ALL) {
      Contract c = Contract.of(table);
      assertThat(c.table()).as(table).isEqualTo(table);
      assertThat(c.fields()).as(table).isNotEmpty();
    }
  }

  @Test
  void silverTablesAreRegisteredAndPartitionedBySnapshot() {
    assertThat(Tables.ALL).containsAll(Tables.SILVER);
    for (String table : Tables.SILVER) {
      assertThat(Contract.of(table).partitionBy())
          .as(table)
          .containsExactly("city_code", "snapshot_date");
    }
  }
}
