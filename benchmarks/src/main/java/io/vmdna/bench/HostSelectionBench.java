package io.vmdna.bench;

import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.placement.HostSelector;
import io.vmdna.placement.Placement;
import io.vmdna.placement.PlacementConfig;
import io.vmdna.placement.PlacementRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One host-selection decision of the Dynamic Host Selection Module over a fleet: every filter and
 * weigher of the default configuration (with anti-affinity, affinity and a rack topology), over
 * {@code hosts} hosts carrying {@code vms} VMs (20 per host), bookings in memory (the PostgreSQL
 * lookup is measured by the process benchmark, not here). Goal: well under 10 ms at 500 hosts.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HostSelectionBench {
  @Param({"50", "500"})
  int hosts;

  private HostSelector selector;
  private List<HostInfo> fleet;
  private Map<String, String> vmHosts;
  private PlacementRequest request;

  @Setup
  public void setUp() {
    Random r = new Random(1);
    fleet = new ArrayList<>();
    vmHosts = new HashMap<>();
    Map<String, String> topology = new HashMap<>();
    for (int h = 0; h < hosts; h++) {
      String id = "host-" + h;
      double cap = 83_200;
      fleet.add(
          new HostInfo(
              id,
              cap,
              512L * 1024 * 1024,
              cap * (0.2 + 0.6 * r.nextDouble()),
              256L * 1024 * 1024 * r.nextDouble(),
              Set.of(ImageFormat.QCOW2, ImageFormat.RAW),
              true,
              1L << 40,
              r.nextGaussian() * 500));
      topology.put(id, "z" + (h % 4) + "/r" + (h % 40));
      for (int v = 0; v < 20; v++) {
        vmHosts.put("vm-" + h + "-" + v, id);
      }
    }
    PlacementConfig d = PlacementConfig.defaults();
    PlacementConfig c =
        new PlacementConfig(
            d.maxUtilization(),
            d.maxPerTarget(),
            Map.of("db", Set.of("vm-0-0", "vm-1-0", "vm-2-0")),
            Map.of("web", Set.of("vm-0-1", "vm-3-1")),
            topology,
            d.freeCpuWeight(),
            d.affinityWeight(),
            d.proximityWeight(),
            d.loadTrendWeight());
    selector = HostSelector.from(c, hostId -> List.of());
    request =
        new PlacementRequest(
            "m-1", "vm-0-0", "host-0", 9_000, 16L * 1024 * 1024, 20L << 30, Set.of());
  }

  /** One decision: every host filtered and weighed, the best chosen. */
  @Benchmark
  public Placement select() {
    return selector.select(request, fleet, vmHosts);
  }
}
