package io.vmdna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmdna.cli.simulate.FleetLayout;
import io.vmdna.cli.simulate.Simulation;
import io.vmdna.hypervisor.sim.FleetSpec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The files {@code ./vmdna simulate} writes. Each is written to {@code <name>.tmp} and moved into
 * place, so a reader never sees half a file. Stateless.
 */
final class SimulationOutputs {
  private SimulationOutputs() {}

  /** One row of {@code placement.csv}: a VM's host from {@code timestampS} on. */
  private record Row(long timestampS, int kind, String vmId, String hostId) {}

  /**
   * Writes one run's {@code hosts.csv}, {@code placement.csv}, {@code decisions.csv}, {@code
   * report.json} and {@code timeline.png} into {@code dir}.
   */
  static void write(Path dir, FleetSpec fleet, Simulation.Result r, Map<String, Object> report)
      throws IOException {
    csv(
        dir.resolve("hosts.csv"),
        "host,cpu_mhz,memory_kb",
        fleet.hosts().stream()
            .map(
                h ->
                    String.format(
                        Locale.ROOT, "%s,%.0f,%.0f", h.hostId(), h.cpuMhz(), h.memoryKb()))
            .toList());
    List<Row> rows = new ArrayList<>();
    r.firstSamples().forEach((vm, t) -> rows.add(new Row(t, 0, vm, fleet.placement().get(vm))));
    r.migrations().forEach(m -> rows.add(new Row(m.endS(), 1, m.vmId(), m.toHostId())));
    rows.sort(
        Comparator.comparingLong(Row::timestampS)
            .thenComparingInt(Row::kind)
            .thenComparing(Row::vmId, FleetLayout::natural));
    csv(
        dir.resolve("placement.csv"),
        "timestamp,vm,host",
        rows.stream().map(x -> x.timestampS() + "," + x.vmId() + "," + x.hostId()).toList());
    csv(
        dir.resolve("decisions.csv"),
        "timestamp,host,vm,trigger,outcome,target,detail",
        r.decisions().stream()
            .map(
                d ->
                    String.join(
                        ",",
                        String.valueOf(d.timeS()),
                        d.hostId(),
                        d.vmId(),
                        d.trigger(),
                        d.outcome(),
                        d.targetHostId(),
                        quote(d.detail())))
            .toList());
    writeJson(dir.resolve("report.json"), report);
    timeline(dir.resolve("timeline.png"), List.of(r));
  }

  static void writeJson(Path file, Object value) throws IOException {
    atomically(
        file,
        tmp ->
            new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(tmp.toFile(), value));
  }

  static void writeText(Path file, String text) throws IOException {
    atomically(file, tmp -> Files.writeString(tmp, text));
  }

  static void timeline(Path file, List<Simulation.Result> results) throws IOException {
    List<Plots.Series> series = new ArrayList<>();
    for (Simulation.Result r : results) {
      series.add(
          new Plots.Series(
              r.policy().id(),
              r.overloadedVms(),
              r.migrations().stream()
                  .mapToInt(m -> (int) ((m.startS() - r.startS()) / r.stepS()))
                  .toArray()));
    }
    atomically(
        file,
        tmp ->
            Plots.timeline(
                tmp, "VMs on overloaded hosts (hourly mean) and migrations, by policy", series));
  }

  private static void csv(Path file, String header, List<String> lines) throws IOException {
    atomically(
        file,
        tmp -> {
          try (BufferedWriter w = Files.newBufferedWriter(tmp)) {
            w.write(header);
            w.newLine();
            for (String l : lines) {
              w.write(l);
              w.newLine();
            }
          }
        });
  }

  private static String quote(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }

  @FunctionalInterface
  private interface Writer {
    void write(Path tmp) throws IOException;
  }

  private static void atomically(Path file, Writer writer) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      writer.write(tmp);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
