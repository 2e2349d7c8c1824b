package io.vmdna.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the hosts' CPU capacities for {@link DnaProfilerMain} from a fleet file in the demo's
 * {@code fleet.csv} format: {@code host,<hostId>,<cpuMhz>[,...]} rows; other rows ({@code vm,...})
 * and {@code #} comments are ignored, so the demo's fleet file serves as it is.
 */
public final class HostCapacities {
  private HostCapacities() {}

  /**
   * Host id → CPU capacity in MHz, in file order.
   *
   * @throws IllegalArgumentException naming the file and line of a malformed row, a repeated host
   *     or a file without hosts
   * @throws UncheckedIOException if the file cannot be read
   */
  public static Map<String, Double> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("hosts file " + file + " does not exist");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read hosts file " + file, e);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (!line.startsWith("host,")) {
        continue;
      }
      String where = file + ":" + (i + 1) + ": ";
      String[] f = line.split(",", -1);
      if (f.length < 3 || f[1].isBlank()) {
        throw new IllegalArgumentException(
            where + "need host,<hostId>,<cpuMhz>, got '" + line + "'");
      }
      double mhz;
      try {
        mhz = Double.parseDouble(f[2].strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(where + "cpuMhz '" + f[2] + "' is not a number");
      }
      if (!(mhz > 0) || Double.isInfinite(mhz)) {
        throw new IllegalArgumentException(where + "cpuMhz must be > 0, was " + f[2]);
      }
      if (out.put(f[1].strip(), mhz) != null) {
        throw new IllegalArgumentException(where + "host " + f[1].strip() + " listed twice");
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("hosts file " + file + " has no host,<id>,<cpuMhz> rows");
    }
    return out;
  }
}
