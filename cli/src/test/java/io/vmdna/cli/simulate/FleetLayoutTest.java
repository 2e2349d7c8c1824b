package io.vmdna.cli.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulated fleet's layout: first fit by provisioned CPU and memory, seeded VM order. */
class FleetLayoutTest {
  private static final FleetLayout.HostSize HOST = new FleetLayout.HostSize(10_000, 100);

  private static List<FleetLayout.VmSize> vms(int n, double cpu, double mem) {
    List<FleetLayout.VmSize> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(new FleetLayout.VmSize(String.valueOf(i), cpu, mem));
    }
    return out;
  }

  @Test
  void shouldOpenHostsAsFirstFitNeedsThemWithinTheOvercommit() {
    // 10 VMs of 4,000 MHz on hosts of 10,000 MHz at overcommit 2: 5 per host
    FleetLayout l = FleetLayout.build(vms(10, 4_000, 10), 0, 2.0, 1, HOST);

    assertThat(l.spec().hosts()).hasSize(2);
    assertThat(l.overflowed()).isZero();
    Map<String, String> placement = l.spec().placement();
    assertThat(placement.values().stream().filter("host-01"::equals).count()).isEqualTo(5);
    assertThat(placement.values().stream().filter("host-02"::equals).count()).isEqualTo(5);
    assertThat(l.spec().hosts().getFirst().cpuMhz()).isEqualTo(10_000);
  }

  @Test
  void shouldNotOvercommitMemory() {
    // memory 30 of 100 per VM: 3 per host whatever the CPU overcommit
    FleetLayout l = FleetLayout.build(vms(7, 100, 30), 0, 10.0, 1, HOST);

    assertThat(l.spec().hosts()).hasSize(3);
  }

  @Test
  void shouldPutVmsThatFitNowhereOnTheLeastLoadedOfTheGivenHosts() {
    FleetLayout l = FleetLayout.build(vms(6, 4_000, 10), 2, 1.0, 1, HOST);

    assertThat(l.spec().hosts()).hasSize(2);
    assertThat(l.overflowed()).isEqualTo(2);
    assertThat(l.spec().placement().values().stream().filter("host-01"::equals).count())
        .isEqualTo(3);
  }

  @Test
  void shouldDependOnlyOnTheSeedNotOnTheInputOrder() {
    List<FleetLayout.VmSize> sizes = new ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      sizes.add(new FleetLayout.VmSize(String.valueOf(i), 1_000 + 250 * (i % 7), 5));
    }
    List<FleetLayout.VmSize> reversed = new ArrayList<>(sizes.reversed());

    FleetLayout a = FleetLayout.build(sizes, 0, 1.5, 3, HOST);
    FleetLayout b = FleetLayout.build(reversed, 0, 1.5, 3, HOST);
    FleetLayout c = FleetLayout.build(sizes, 0, 1.5, 4, HOST);

    assertThat(b.spec().placement()).isEqualTo(a.spec().placement());
    assertThat(c.spec().placement()).isNotEqualTo(a.spec().placement());
  }

  @Test
  void shouldRejectBadInputNamingIt() {
    assertThatThrownBy(() -> FleetLayout.build(List.of(), 0, 2, 1, HOST))
        .hasMessageContaining("no VM traces");
    assertThatThrownBy(() -> FleetLayout.build(vms(1, 1, 1), 0, 0, 1, HOST))
        .hasMessageContaining("--overcommit must be > 0");
    assertThatThrownBy(() -> FleetLayout.build(vms(1, 1, 1), -1, 2, 1, HOST))
        .hasMessageContaining("--hosts must be >= 1");
    assertThatThrownBy(() -> FleetLayout.build(vms(1, 1, 500), 0, 2, 1, HOST))
        .hasMessageContaining("VM 1 has 500 KiB of memory provisioned, more than a host's 100");
  }

  @Test
  void shouldOrderIdsNaturally() {
    List<String> ids = new ArrayList<>(List.of("10", "b", "9", "a", "100"));
    ids.sort(FleetLayout::natural);
    assertThat(ids).containsExactly("9", "10", "100", "a", "b");
  }
}
