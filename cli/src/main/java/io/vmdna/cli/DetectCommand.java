package io.vmdna.cli;

import io.vmdna.models.anomaly.AnomalyEnsemble;
import io.vmdna.models.trace.TextFiles;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./vmdna detect}: scores one series from a CSV file ({@code ,} or {@code ;} separated,
 * plain or {@code .gz}) with {@link AnomalyEnsemble} and writes {@code
 * timestamp,value,score,alarm}, one row per input row in input order, the timestamp echoed as
 * given. Causal: each row is scored from the rows before it; rows during the warm-up score 0.
 * Timestamps may be ISO-8601 (with or without offset; without means UTC), {@code YYYY-MM-DD
 * HH:MM:SS} (UTC) or epoch seconds, and must not go back in time. A malformed file fails with an
 * error naming the file and line, and leaves no output file.
 *
 * @param input the CSV file
 * @param output the CSV file to write
 * @param timeColumn the timestamp column's name, or null for the first column named like a time
 *     (else the first whose first value reads as a timestamp, else the first column)
 * @param valueColumn the value column's name, or null for the first numeric column besides the time
 * @param config detector settings
 */
public record DetectCommand(
    Path input, Path output, String timeColumn, String valueColumn, AnomalyEnsemble.Config config) {

  /** The output header. */
  public static final String HEADER = "timestamp,value,score,alarm";

  private static final DateTimeFormatter SPACED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  /** What a run saw. */
  public record Summary(long rows, long alarms, Map<String, Long> firedBy) {}

  /** Runs. */
  /**
   * The next line of the input; a read error (e.g. a truncated gzip stream) names the file and line
   * instead of surfacing as a bare {@link IOException}.
   */
  private String next(BufferedReader in, long lineNo) {
    try {
      return in.readLine();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "%s line %d: cannot read: %s".formatted(input, lineNo, e.getMessage()), e);
    }
  }

  public Summary run(PrintStream out) throws IOException {
    if (!Files.isRegularFile(input)) {
      throw new IllegalArgumentException("--input " + input + " is not a file");
    }
    Path parent = output.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, "." + output.getFileName(), ".part");
    Map<String, Long> firedBy = new LinkedHashMap<>();
    AnomalyEnsemble.DETECTORS.forEach(d -> firedBy.put(d, 0L));
    long rows = 0;
    long alarms = 0;
    try (BufferedReader in = TextFiles.open(input);
        BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      String header = next(in, 1);
      if (header == null || header.isBlank()) {
        throw new IllegalArgumentException(input + " line 1: empty file, expected a header");
      }
      String sep = header.contains(";") ? ";" : ",";
      List<String> names = Arrays.stream(header.split(sep, -1)).map(String::strip).toList();
      String first = next(in, 2);
      int timeIdx = column(names, timeColumn, "--time-column", defaultTime(names, first, sep));
      int valueIdx =
          valueColumn != null
              ? column(names, valueColumn, "--value-column", -1)
              : firstNumeric(names, first, sep, timeIdx);
      w.write(HEADER);
      w.newLine();
      AnomalyEnsemble detector = new AnomalyEnsemble(config, List.of(names.get(valueIdx)));
      long lineNo = 1;
      long prevTs = Long.MIN_VALUE;
      for (String line = first; line != null; line = next(in, lineNo + 1)) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split(sep, -1);
        if (f.length != names.size()) {
          throw new IllegalArgumentException(
              "%s line %d: expected %d fields, found %d"
                  .formatted(input, lineNo, names.size(), f.length));
        }
        String stamp = f[timeIdx].strip();
        long ts = parseTime(stamp, lineNo);
        if (ts < prevTs) {
          throw new IllegalArgumentException(
              "%s line %d: timestamp %s is earlier than the row before; rows must be in time order"
                  .formatted(input, lineNo, stamp));
        }
        prevTs = ts;
        double v = parseValue(f[valueIdx].strip(), names.get(valueIdx), lineNo);
        AnomalyEnsemble.Verdict verdict = detector.update(ts, v);
        rows++;
        if (verdict.alarm()) {
          alarms++;
          verdict.reasons().forEach(d -> firedBy.merge(d.detector(), 1L, Long::sum));
        }
        w.write(
            String.format(
                Locale.ROOT,
                "%s,%s,%.4f,%d",
                stamp,
                f[valueIdx].strip(),
                verdict.score(),
                verdict.alarm() ? 1 : 0));
        w.newLine();
      }
      if (rows == 0) {
        throw new IllegalArgumentException(input + ": no data rows after the header");
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    out.printf(
        "detect: %d rows from %s, %d alarm rows (warm-up %d rows), by detector %s; wrote %s%n",
        rows, input, alarms, config.warmUpRows(), firedBy, output);
    return new Summary(rows, alarms, firedBy);
  }

  private int column(List<String> names, String name, String option, int fallback) {
    if (name == null) {
      return fallback;
    }
    int i = names.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException(
          "%s line 1: no column '%s' (%s); the columns are %s"
              .formatted(input, name, option, names));
    }
    return i;
  }

  /** The first column named like a time; else the first whose first value reads as one; else 0. */
  private int defaultTime(List<String> names, String firstRow, String sep) {
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i).toLowerCase(Locale.ROOT);
      if (n.contains("time") || n.contains("date")) {
        return i;
      }
    }
    if (firstRow != null) {
      String[] f = firstRow.split(sep, -1);
      for (int i = 0; i < f.length; i++) {
        try {
          parseTime(f[i].strip(), 2);
          return i;
        } catch (IllegalArgumentException e) {
          // not a time
        }
      }
    }
    return 0;
  }

  private int firstNumeric(List<String> names, String firstRow, String sep, int timeIdx) {
    if (firstRow == null) {
      throw new IllegalArgumentException(input + ": no data rows after the header");
    }
    String[] f = firstRow.split(sep, -1);
    for (int i = 0; i < f.length && i < names.size(); i++) {
      if (i == timeIdx) {
        continue;
      }
      try {
        Double.parseDouble(f[i].strip());
        return i;
      } catch (NumberFormatException e) {
        // not this one
      }
    }
    throw new IllegalArgumentException(
        "%s line 2: no numeric column besides the time column '%s'; name one with --value-column"
            .formatted(input, names.get(timeIdx)));
  }

  private long parseTime(String s, long lineNo) {
    try {
      if (s.matches("-?\\d+(\\.\\d+)?")) {
        return (long) Double.parseDouble(s);
      }
      if (s.length() == 19 && s.charAt(10) == ' ') {
        return LocalDateTime.parse(s, SPACED).toEpochSecond(ZoneOffset.UTC);
      }
      if (s.endsWith("Z") || s.matches(".*[+-]\\d\\d:?\\d\\d$")) {
        return OffsetDateTime.parse(s).toEpochSecond();
      }
      return LocalDateTime.parse(s).toEpochSecond(ZoneOffset.UTC);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException(
          "%s line %d: timestamp '%s' is not ISO-8601, YYYY-MM-DD HH:MM:SS or epoch seconds"
              .formatted(input, lineNo, s));
    }
  }

  private double parseValue(String s, String column, long lineNo) {
    double v;
    try {
      v = Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "%s line %d: column '%s' is not a number: '%s'".formatted(input, lineNo, column, s));
    }
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException(
          "%s line %d: column '%s' is %s".formatted(input, lineNo, column, s));
    }
    return v;
  }
}
