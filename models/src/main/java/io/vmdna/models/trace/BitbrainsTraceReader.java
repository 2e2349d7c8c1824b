package io.vmdna.models.trace;

import io.vmdna.models.VmSample;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Bitbrains GWA-T-12 trace files (one VM per file, plain {@code .csv} or {@code .csv.gz},
 * fields separated by {@code ";\t"}) into {@link VmSample}s.
 *
 * <p>A bad sample line (wrong number of fields, a field that is not a number, NaN or infinite, a
 * negative value) is skipped, logged at WARN with file and line, and reported in {@link
 * VmTrace#skipped()}; it never aborts the read. A file without the expected header fails with a
 * {@link TraceFormatException} naming the file. Duplicate timestamps keep the last row in the file;
 * rows are returned sorted by time. The timestamp column says {@code [ms]} but holds Unix seconds.
 *
 * <p>Stateless and thread-safe.
 */
public final class BitbrainsTraceReader {
  private static final Logger LOG = LoggerFactory.getLogger(BitbrainsTraceReader.class);

  /** The column names of the Bitbrains format, in order. */
  public static final List<String> COLUMNS =
      List.of(
          "Timestamp [ms]",
          "CPU cores",
          "CPU capacity provisioned [MHZ]",
          "CPU usage [MHZ]",
          "CPU usage [%]",
          "Memory capacity provisioned [KB]",
          "Memory usage [KB]",
          "Disk read throughput [KB/s]",
          "Disk write throughput [KB/s]",
          "Network received throughput [KB/s]",
          "Network transmitted throughput [KB/s]");

  /** Returns the VM id of a trace file: its name without {@code .gz} and {@code .csv}. */
  public static String vmIdOf(Path file) {
    String name = file.getFileName().toString();
    if (name.endsWith(".gz")) {
      name = name.substring(0, name.length() - 3);
    }
    if (name.endsWith(".csv")) {
      name = name.substring(0, name.length() - 4);
    }
    return name;
  }

  /** The fleet layout file that may sit beside the traces (the demo's); it is not a trace. */
  public static final String FLEET_FILE = "fleet.csv";

  /**
   * Lists the trace files ({@code *.csv}, {@code *.csv.gz}) of a folder, numeric ids in order;
   * {@value #FLEET_FILE} (a fleet layout beside the traces) is not listed.
   */
  public static List<Path> listTraceFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new TraceFormatException("trace folder " + dir + " does not exist or is not a folder");
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.toString().endsWith(".csv") || p.toString().endsWith(".csv.gz"))
          .filter(p -> !p.getFileName().toString().equals(FLEET_FILE))
          .sorted(Comparator.comparing(BitbrainsTraceReader::sortKey))
          .toList();
    } catch (IOException e) {
      throw new TraceFormatException("cannot list trace folder " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The trace files of several folders (as {@link #listTraceFiles(Path)}), sorted by path name: the
   * order trainers read and digest them in.
   *
   * @throws IllegalArgumentException naming a folder that is not one
   */
  public static List<Path> listTraceFiles(List<Path> dirs) {
    List<Path> files = new ArrayList<>();
    for (Path d : dirs) {
      if (!Files.isDirectory(d)) {
        throw new IllegalArgumentException("not a folder of traces: " + d);
      }
      files.addAll(listTraceFiles(d));
    }
    files.sort(Comparator.comparing(Path::toString));
    return files;
  }

  private static String sortKey(Path p) {
    String id = vmIdOf(p);
    return id.chars().allMatch(Character::isDigit) ? "%012d".formatted(Long.parseLong(id)) : id;
  }

  /**
   * Reads one trace file.
   *
   * @param file a {@code .csv} or {@code .csv.gz} file in the Bitbrains format
   * @return the VM's samples (host id empty) and the skipped lines
   * @throws TraceFormatException when the file cannot be opened or its header is not the Bitbrains
   *     header
   */
  public VmTrace read(Path file) {
    String vmId = vmIdOf(file);
    List<VmSample> samples = new ArrayList<>();
    List<SkippedLine> skipped = new ArrayList<>();
    try (BufferedReader in = TextFiles.open(file)) {
      String header = in.readLine();
      checkHeader(file, header);
      long lineNo = 1;
      String line;
      while ((line = in.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        try {
          samples.add(parse(vmId, line));
        } catch (IllegalArgumentException e) {
          SkippedLine s = new SkippedLine(file, lineNo, e.getMessage());
          LOG.warn("skipped bad sample line {}", s);
          skipped.add(s);
        }
      }
    } catch (IOException e) {
      throw new TraceFormatException("cannot read trace " + file + ": " + e.getMessage(), e);
    }
    samples.sort(Comparator.comparingLong(VmSample::timestampS));
    List<VmSample> unique = new ArrayList<>(samples.size());
    for (VmSample s : samples) {
      if (!unique.isEmpty() && unique.getLast().timestampS() == s.timestampS()) {
        unique.removeLast(); // the later row in the file wins (a corrected re-send)
      }
      unique.add(s);
    }
    return new VmTrace(vmId, file, unique, skipped);
  }

  private static void checkHeader(Path file, String header) {
    if (header == null || header.isBlank()) {
      throw new TraceFormatException("trace " + file + " is empty: expected the Bitbrains header");
    }
    String[] names = header.split(";");
    if (names.length != COLUMNS.size()) {
      throw new TraceFormatException(
          "trace %s line 1: expected %d ';'-separated columns %s, found %d"
              .formatted(file, COLUMNS.size(), COLUMNS, names.length));
    }
    for (int i = 0; i < names.length; i++) {
      if (!names[i].strip().equals(COLUMNS.get(i))) {
        throw new TraceFormatException(
            "trace %s line 1: column %d is '%s', expected '%s'"
                .formatted(file, i + 1, names[i].strip(), COLUMNS.get(i)));
      }
    }
  }

  /** Parses one data line; throws IllegalArgumentException whose message says what is wrong. */
  static VmSample parse(String vmId, String line) {
    String[] f = line.split(";", -1);
    if (f.length != COLUMNS.size()) {
      throw new IllegalArgumentException(
          "expected %d fields, found %d".formatted(COLUMNS.size(), f.length));
    }
    double[] v = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      String s = f[i].strip();
      if (s.isEmpty()) {
        throw new IllegalArgumentException("column '%s' is empty".formatted(COLUMNS.get(i)));
      }
      try {
        v[i] = Double.parseDouble(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "column '%s' is not a number: '%s'".formatted(COLUMNS.get(i), s));
      }
      if (!Double.isFinite(v[i])) {
        throw new IllegalArgumentException("column '%s' is %s".formatted(COLUMNS.get(i), s));
      }
      if (v[i] < 0) {
        throw new IllegalArgumentException(
            "column '%s' is negative: %s".formatted(COLUMNS.get(i), s));
      }
    }
    return new VmSample(
        vmId, "", (long) v[0], (int) v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]);
  }
}
