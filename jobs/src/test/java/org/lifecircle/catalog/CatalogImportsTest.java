package org.lifecircle.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.lifecircle.JavaSources;

/**
 * The catalog room's walls, read from the sources: catalogs are loaded in catalog/ only (stages
 * take them from {@code RunContext.catalogs()}), and catalog/ depends on the shared packages only.
 */
class CatalogImportsTest {
  private static final Path MAIN = JavaSources.MAIN;
  private static final Path CATALOG = MAIN.resolve("catalog");
  private static final Pattern LOAD =
      Pattern.compile("\\b(FacilityCatalog|IdleRules|IndicatorCatalog|OsmTags)\\.load\\(");
  private static final Pattern PACKAGE = Pattern.compile("\\borg\\.lifecircle\\.([a-z0-9_]+)\\.");
  private static final Set<String> SHARED = Set.of("common", "io", "catalog");

  @Test
  void noCatalogIsLoadedOutsideTheCatalogRoom() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path f : JavaSources.under(MAIN)) {
      if (f.startsWith(CATALOG)) {
        continue;
      }
      JavaSources.codeStatements(
          f,
          (n, line) -> {
            if (LOAD.matcher(line).find()) {
              found.add(MAIN.relativize(f) + ":" + n + ": " + line.strip());
            }
          });
    }
    assertThat(found)
        .as("catalogs are read once, by Catalogs.load; stages use ctx.catalogs()")
        .isEmpty();
  }

  @Test
  void theCatalogRoomUsesNoDomainPackage() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path f : JavaSources.under(CATALOG)) {
      JavaSources.codeStatements(
          f,
          (n, line) -> {
            Matcher m = PACKAGE.matcher(line);
            while (m.find()) {
              if (!SHARED.contains(m.group(1))) {
                found.add(MAIN.relativize(f) + ":" + n + ": " + line.strip());
              }
            }
          });
    }
    assertThat(found).as("catalog/ may use common/, io/ and catalog/ only").isEmpty();
  }
}
