package io.vmdna.cli.simulate;

import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.sim.FleetSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds the simulated fleet from the traces alone: identical hosts, and every VM's first host.
 *
 * <p>The layout depends only on the VMs' provisioned sizes, the host count, the overcommit and the
 * seed, never on a policy, so runs of different policies compare:
 *
 * <ol>
 *   <li>VM order: ids in natural order (numbers by value), then shuffled with {@code seed};
 *   <li>first fit: each VM goes to the first host where the provisioned CPU placed so far plus its
 *       own stays within {@code overcommit ×} the host's CPU, and provisioned memory within the
 *       host's memory (memory is not overcommitted);
 *   <li>with no host count given, a new host opens when no host fits; with {@code hosts} given,
 *       exactly that many exist and a VM that fits none goes to the host with the most provisioned
 *       CPU left (so the fleet is more overcommitted than asked; {@link #overflowed} counts them).
 * </ol>
 *
 * @param spec hosts and initial placement
 * @param overflowed VMs placed beyond the overcommit because no host fitted them
 */
public record FleetLayout(FleetSpec spec, int overflowed) {

  /**
   * A VM's provisioned size.
   *
   * @param vmId the VM
   * @param cpuMhz provisioned CPU, MHz (the trace's largest)
   * @param memKb provisioned memory, KiB (the trace's largest)
   */
  public record VmSize(String vmId, double cpuMhz, double memKb) {}

  /**
   * The host every simulated host is.
   *
   * @param cpuMhz CPU capacity, MHz
   * @param memoryKb memory, KiB
   */
  public record HostSize(double cpuMhz, double memoryKb) {
    /** Validates. */
    public HostSize {
      if (!(cpuMhz > 0) || !(memoryKb > 0) || Double.isInfinite(cpuMhz + memoryKb)) {
        throw new IllegalArgumentException(
            "simulate: a host needs CPU > 0 MHz and memory > 0, was %s MHz and %s KiB"
                .formatted(cpuMhz, memoryKb));
      }
    }

    /** 32 cores of 2.6 GHz (83,200 MHz) and 512 GiB. */
    public static HostSize defaults() {
      return new HostSize(32 * 2600.0, 512.0 * 1024 * 1024);
    }
  }

  /**
   * Lays the fleet out.
   *
   * @param vms every VM's size; any order (the layout sorts them)
   * @param hosts the number of hosts, or 0 for as many as first fit opens
   * @param overcommit provisioned CPU per unit of host CPU, > 0
   * @param seed shuffles the VM order
   * @param size every host's size
   * @throws IllegalArgumentException for no VMs, hosts < 0, overcommit ≤ 0, or a VM whose
   *     provisioned memory exceeds a host's
   */
  public static FleetLayout build(
      List<VmSize> vms, int hosts, double overcommit, long seed, HostSize size) {
    if (vms.isEmpty()) {
      throw new IllegalArgumentException("simulate: no VM traces to place");
    }
    if (hosts < 0) {
      throw new IllegalArgumentException("simulate: --hosts must be >= 1, was " + hosts);
    }
    if (!(overcommit > 0) || Double.isInfinite(overcommit)) {
      throw new IllegalArgumentException("simulate: --overcommit must be > 0, was " + overcommit);
    }
    List<VmSize> order = new ArrayList<>(vms);
    order.sort(Comparator.comparing(VmSize::vmId, FleetLayout::natural));
    Collections.shuffle(order, new Random(seed));

    List<double[]> used = new ArrayList<>(); // per host: provisioned CPU, memory
    Map<String, String> placement = new LinkedHashMap<>();
    for (int i = 0; i < hosts; i++) {
      used.add(new double[2]);
    }
    int overflowed = 0;
    double cpuRoom = overcommit * size.cpuMhz();
    for (VmSize vm : order) {
      if (vm.memKb() > size.memoryKb()) {
        throw new IllegalArgumentException(
            "simulate: VM %s has %.0f KiB of memory provisioned, more than a host's %.0f KiB"
                .formatted(vm.vmId(), vm.memKb(), size.memoryKb()));
      }
      int chosen = -1;
      for (int h = 0; h < used.size() && chosen < 0; h++) {
        double[] u = used.get(h);
        if (u[0] + vm.cpuMhz() <= cpuRoom && u[1] + vm.memKb() <= size.memoryKb()) {
          chosen = h;
        }
      }
      if (chosen < 0 && hosts == 0) {
        used.add(new double[2]);
        chosen = used.size() - 1;
      } else if (chosen < 0) {
        overflowed++;
        chosen = 0;
        for (int h = 1; h < used.size(); h++) {
          if (used.get(h)[0] < used.get(chosen)[0]) {
            chosen = h;
          }
        }
      }
      used.get(chosen)[0] += vm.cpuMhz();
      used.get(chosen)[1] += vm.memKb();
      placement.put(vm.vmId(), hostId(chosen));
    }
    List<FleetSpec.Host> specHosts = new ArrayList<>();
    for (int h = 0; h < used.size(); h++) {
      specHosts.add(
          new FleetSpec.Host(hostId(h), size.cpuMhz(), size.memoryKb(), ImageFormat.QCOW2));
    }
    return new FleetLayout(new FleetSpec(specHosts, placement), overflowed);
  }

  /** Host ids {@code host-01}, {@code host-02}, ... (sorted as text in host order). */
  public static String hostId(int index) {
    return "host-%02d".formatted(index + 1);
  }

  /** Natural order: ids that are numbers by value, before other ids; others as text. */
  public static int natural(String a, String b) {
    boolean na = a.chars().allMatch(Character::isDigit) && !a.isEmpty();
    boolean nb = b.chars().allMatch(Character::isDigit) && !b.isEmpty();
    if (na && nb) {
      int c = new java.math.BigInteger(a).compareTo(new java.math.BigInteger(b));
      return c != 0 ? c : a.compareTo(b);
    }
    if (na != nb) {
      return na ? -1 : 1;
    }
    return a.compareTo(b);
  }
}
