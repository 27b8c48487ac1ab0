package org.lifecircle.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.lifecircle.common.PipelineException;

/**
 * One plain file where Spark writes a folder of part files (with {@code _SUCCESS} and {@code .crc}
 * checksums beside them, so a user who edits the data gets "Checksum error" on the next read):
 * Spark writes one partition into a temporary folder beside the target, and its single part file is
 * moved to the target's name. The caller coalesces to one partition first.
 */
public final class SingleFile {
  private SingleFile() {}

  /**
   * Runs {@code write} on a temporary folder beside {@code target} and moves the one part file it
   * leaves to {@code target} (replacing a file, never a folder).
   */
  public static Path write(Path target, String what, Consumer<String> write) {
    Path folder = target.resolveSibling("." + target.getFileName() + ".parts");
    try {
      if (Files.isDirectory(target)) {
        throw PipelineException.cannot(
            "write",
            what,
            "a folder stands where the file goes" + " (written by an older version?); move it away",
            target);
      }
      Files.createDirectories(target.toAbsolutePath().getParent());
      deleteTree(folder);
      write.accept(folder.toString());
      List<Path> parts;
      try (Stream<Path> s = Files.list(folder)) {
        parts = s.filter(p -> p.getFileName().toString().startsWith("part-")).toList();
      }
      if (parts.size() != 1) {
        throw PipelineException.cannot(
            "write",
            what,
            "Spark wrote " + parts.size() + " part files where one was planned",
            folder);
      }
      Files.move(parts.get(0), target, StandardCopyOption.REPLACE_EXISTING);
      deleteTree(folder);
      return target;
    } catch (IOException e) {
      throw PipelineException.cannot("write", what, e.getMessage(), target, e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
