package io.vmdna.models.trace;

import java.nio.file.Path;

/**
 * A sample line that a trace reader skipped, and why.
 *
 * @param file the trace file
 * @param line the 1-based line number in the (decompressed) file
 * @param reason what was wrong, e.g. {@code "column 'CPU usage [MHZ]' is NaN"}
 */
public record SkippedLine(Path file, long line, String reason) {
  @Override
  public String toString() {
    return file + ":" + line + ": " + reason;
  }
}
