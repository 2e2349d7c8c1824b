package io.vmdna.cli;

import io.vmdna.models.predict.ForecastModel;
import io.vmdna.models.predict.SeriesArrays;
import io.vmdna.models.trace.BitbrainsTraceReader;
import io.vmdna.models.trace.TraceFormatException;
import io.vmdna.models.trace.VmTrace;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./vmdna forecast}: runs a model causally over every trace in a folder and writes one CSV
 * row per input sample ({@code vm,timestamp,horizon_s,cpu_p50,cpu_p90,p_exceed,warn}); for a
 * duplicated timestamp the last row of the file wins. Each forecast uses only the samples up to its
 * own. {@code warn} is the model's warning rule ({@link io.vmdna.models.predict.WarningRule}): a
 * new overload is likely within the horizon. The output is written to a temporary file and moved
 * into place, so a failed run leaves no partial file. Files that are not Bitbrains traces are
 * skipped and named.
 *
 * @param traces folder of {@code .csv} / {@code .csv.gz} traces
 * @param horizon samples ahead
 * @param thresholdPct CPU % threshold of {@code p_exceed} and {@code warn}
 * @param model a model folder, or {@code shipped}
 * @param output the CSV file to write
 */
public record ForecastCommand(
    Path traces, int horizon, double thresholdPct, String model, Path output) {

  /** The CSV header. */
  public static final String HEADER = "vm,timestamp,horizon_s,cpu_p50,cpu_p90,p_exceed,warn";

  /** Runs; returns the number of rows written. */
  public long run(PrintStream out) throws IOException {
    List<Path> files = BitbrainsTraceReader.listTraceFiles(traces);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no .csv or .csv.gz traces in " + traces);
    }
    Path parent = output.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, "." + output.getFileName(), ".part");
    long rows = 0;
    int done = 0;
    try (ForecastModel m = ForecastModel.open(model, 1)) {
      m.requireSupports(horizon, thresholdPct);
      BitbrainsTraceReader reader = new BitbrainsTraceReader();
      long horizonS = horizon * m.manifest().sampleIntervalS();
      ProgressBar progress = new ProgressBar(out);
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        w.write(HEADER);
        w.newLine();
        for (Path file : files) {
          if (done % 10 == 0) {
            progress.update(done, files.size(), "forecasting " + file.getFileName());
          }
          done++;
          VmTrace trace;
          try {
            trace = reader.read(file);
          } catch (TraceFormatException e) {
            out.println("  skipped: " + e.getMessage());
            continue;
          }
          SeriesArrays a = SeriesArrays.of(trace.samples());
          ForecastModel.SeriesForecast f = m.forecastCpu(a, horizon, thresholdPct, 0);
          boolean[] warn = f.warnings(a.cpuPct(), 0);
          for (int t = 0; t < a.size(); t++) {
            w.write(
                String.format(
                    Locale.ROOT,
                    "%s,%d,%d,%.3f,%.3f,%.4f,%d",
                    trace.vmId(),
                    a.timestampS()[t],
                    horizonS,
                    f.p50()[t],
                    f.p90()[t],
                    f.pExceed()[t],
                    warn[t] ? 1 : 0));
            w.newLine();
            rows++;
          }
        }
      }
      Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      progress.update(files.size(), files.size(), "wrote %d rows to %s".formatted(rows, output));
      return rows;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
