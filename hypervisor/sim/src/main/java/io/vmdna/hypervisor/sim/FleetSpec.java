package io.vmdna.hypervisor.sim;

import io.vmdna.hypervisor.api.ImageFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The layout of a simulated fleet: its hosts and which trace VM starts on which host.
 *
 * <p>Read from a small CSV file ({@code fleet.csv}) with two kinds of rows:
 *
 * <pre>
 * # comments and blank lines are ignored
 * host,&lt;hostId&gt;,&lt;cpuMhz&gt;,&lt;memoryKb&gt;,&lt;imageFormat&gt;[,&lt;storageGiB&gt;]
 * vm,&lt;vmId&gt;,&lt;hostId&gt;[,&lt;trace&gt;]
 * </pre>
 *
 * where {@code trace} (default: the VM id) names a trace file ({@code <trace>.csv[.gz]}) in the
 * same folder; several VMs may replay the same trace.
 *
 * @param hosts the hosts, in file order
 * @param placement initial host of every VM, in file order
 * @param traces the trace each VM replays, when it is not the VM id
 */
public record FleetSpec(
    List<Host> hosts, Map<String, String> placement, Map<String, String> traces) {

  /** A fleet whose VMs replay the traces named like them. */
  public FleetSpec(List<Host> hosts, Map<String, String> placement) {
    this(hosts, placement, Map.of());
  }

  /** The trace a VM replays (its own id unless the fleet file names another). */
  public String traceOf(String vmId) {
    return traces.getOrDefault(vmId, vmId);
  }

  /**
   * A simulated host.
   *
   * @param hostId id
   * @param cpuMhz CPU capacity, MHz
   * @param memoryKb memory capacity, KiB
   * @param imageFormat the disk format VMs on it run from
   * @param storageBytes image storage, bytes (default 1 TiB)
   */
  public record Host(
      String hostId, double cpuMhz, double memoryKb, ImageFormat imageFormat, long storageBytes) {
    /** A host with the default 1 TiB of image storage. */
    public Host(String hostId, double cpuMhz, double memoryKb, ImageFormat imageFormat) {
      this(hostId, cpuMhz, memoryKb, imageFormat, 1L << 40);
    }
  }

  /** Copies and validates: unique host ids, every VM on a known host. */
  public FleetSpec {
    hosts = List.copyOf(hosts);
    placement = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(placement));
    traces = Map.copyOf(traces);
    Set<String> ids = new HashSet<>();
    for (Host h : hosts) {
      if (!ids.add(h.hostId())) {
        throw new IllegalArgumentException("fleet: host '" + h.hostId() + "' is defined twice");
      }
    }
    placement.forEach(
        (vm, host) -> {
          if (!ids.contains(host)) {
            throw new IllegalArgumentException(
                "fleet: VM '%s' is placed on unknown host '%s'; hosts: %s"
                    .formatted(vm, host, ids));
          }
        });
  }

  /**
   * Parses a fleet file.
   *
   * @throws IllegalArgumentException naming the file, line and what is wrong
   */
  public static FleetSpec read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("fleet: cannot read " + file + ": " + e.getMessage(), e);
    }
    List<Host> hosts = new ArrayList<>();
    Map<String, String> placement = new LinkedHashMap<>();
    Map<String, String> traces = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = file + ":" + (i + 1);
      String[] f = line.split(",");
      try {
        switch (f[0].strip()) {
          case "host" -> {
            if (f.length != 5 && f.length != 6) {
              expect(f, 5, where, "host,<hostId>,<cpuMhz>,<memoryKb>,<imageFormat>[,<storageGiB>]");
            }
            long storage =
                f.length == 6 ? (long) (positive(f[5], "storageGiB") * (1L << 30)) : 1L << 40;
            hosts.add(
                new Host(
                    f[1].strip(),
                    positive(f[2], "cpuMhz"),
                    positive(f[3], "memoryKb"),
                    ImageFormat.fromName(f[4].strip()),
                    storage));
          }
          case "vm" -> {
            if (f.length != 3 && f.length != 4) {
              expect(f, 3, where, "vm,<vmId>,<hostId>[,<trace>]");
            }
            if (placement.put(f[1].strip(), f[2].strip()) != null) {
              throw new IllegalArgumentException("VM '" + f[1].strip() + "' is placed twice");
            }
            if (f.length == 4) {
              traces.put(f[1].strip(), f[3].strip());
            }
          }
          default ->
              throw new IllegalArgumentException(
                  "unknown row kind '" + f[0].strip() + "' (expected host or vm)");
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("fleet: " + where + ": " + e.getMessage(), e);
      }
    }
    return new FleetSpec(hosts, placement, traces);
  }

  private static void expect(String[] f, int n, String where, String form) {
    if (f.length != n) {
      throw new IllegalArgumentException(
          "expected %d fields (%s), found %d".formatted(n, form, f.length));
    }
  }

  private static double positive(String s, String name) {
    double v;
    try {
      v = Double.parseDouble(s.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " is not a number: '" + s.strip() + "'");
    }
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be a positive number, was " + s.strip());
    }
    return v;
  }
}
