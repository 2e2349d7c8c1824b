package io.vmdna.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.hypervisor.api.HypervisorUnavailableException;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.hypervisor.api.VmInfo;
import io.vmdna.models.VmSample;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Against libvirt's own test driver (libvirt0 from Debian), with a custom host file. */
class LibvirtInventoryTest {
  private static final String URI =
      "test://" + Path.of("src/test/resources/test-host.xml").toAbsolutePath();

  private static LibvirtInventory inventory(String uri) {
    return new LibvirtInventory(
        "host-t",
        uri,
        Duration.ofSeconds(10),
        new LinkedHashSet<>(List.of(ImageFormat.QCOW2, ImageFormat.RAW)));
  }

  @Test
  void shouldDescribeTheHostInCommonUnits() {
    try (LibvirtInventory inv = inventory(URI)) {
      HostInfo h = inv.host();

      assertThat(h.hostId()).isEqualTo("host-t");
      assertThat(h.cpuCapacityMhz()).isEqualTo(4 * 2000.0);
      assertThat(h.memCapacityKb()).isEqualTo(8_388_608.0);
      // the test driver has no free-memory call: the running domains' allocations (1 + 2 GiB)
      assertThat(h.memUsedKb()).isEqualTo(3_145_728.0);
      assertThat(h.preferredFormat()).isEqualTo(ImageFormat.QCOW2);
      assertThat(h.online()).isTrue();
    }
  }

  @Test
  void shouldListDomainsWithSizeAndDiskImage() {
    try (LibvirtInventory inv = inventory(URI)) {
      List<VmInfo> vms = inv.vms();

      assertThat(vms).extracting(VmInfo::vmId).containsExactlyInAnyOrder("vm-a", "vm-b");
      VmInfo a = vms.stream().filter(v -> v.vmId().equals("vm-a")).findFirst().orElseThrow();
      assertThat(a.cpuCores()).isEqualTo(2);
      assertThat(a.cpuProvisionedMhz()).isEqualTo(4000.0);
      assertThat(a.memProvisionedKb()).isEqualTo(1_048_576.0);
      assertThat(a.image())
          .isEqualTo(new ImageRef("/var/lib/vmdna/images/vm-a.qcow2", ImageFormat.QCOW2));
      assertThat(a.hostId()).isEqualTo("host-t");
      VmInfo b = vms.stream().filter(v -> v.vmId().equals("vm-b")).findFirst().orElseThrow();
      assertThat(b.image()).isNull();
    }
  }

  @Test
  void shouldTurnCountersIntoSamplesFromTheSecondPollOn() throws Exception {
    try (LibvirtInventory inv = inventory(URI)) {
      assertThat(inv.poll()).isEmpty();
      Thread.sleep(50);

      List<VmSample> samples = inv.poll();

      assertThat(samples).extracting(VmSample::vmId).containsExactlyInAnyOrder("vm-a", "vm-b");
      for (VmSample s : samples) {
        assertThat(s.hostId()).isEqualTo("host-t");
        assertThat(s.cpuUsagePct()).isBetween(0.0, 100.0);
        assertThat(s.cpuUsageMhz()).isEqualTo(s.cpuProvisionedMhz() * s.cpuUsagePct() / 100);
        assertThat(s.memUsageKb()).isPositive();
        assertThat(s.diskReadKbps()).isGreaterThanOrEqualTo(0);
        assertThat(s.diskWriteKbps()).isGreaterThanOrEqualTo(0);
        assertThat(s.netRxKbps()).isGreaterThanOrEqualTo(0);
        assertThat(s.netTxKbps()).isGreaterThanOrEqualTo(0);
        if (s.vmId().equals("vm-a")) {
          // its balloon statistics report swap and major faults (the test driver's are 0)
          assertThat(s.majorFaultsPerS()).isZero();
          assertThat(s.swapKbps()).isZero();
        } else {
          // vm-b has no balloon statistics: the figures are absent (NaN), not 0
          assertThat(s.majorFaultsPerS()).isNaN();
          assertThat(s.swapKbps()).isNaN();
        }
      }
    }
  }

  @Test
  void shouldNameTheHostAndOperationWhenLibvirtDoesNotAnswer() {
    try (LibvirtInventory inv = inventory("qemu+unix:///system?socket=/nonexistent/libvirt-sock")) {
      assertThatThrownBy(inv::host)
          .isInstanceOf(HypervisorUnavailableException.class)
          .hasMessageContaining("nodeInfo: host host-t did not answer")
          .hasMessageContaining("/nonexistent/libvirt-sock");
    }
  }

  @Test
  void closeShouldBeIdempotentAndLaterCallsFailClearly() {
    LibvirtInventory inv = inventory(URI);
    inv.host();
    inv.close();
    inv.close();
    assertThatThrownBy(inv::host)
        .isInstanceOf(io.vmdna.hypervisor.api.HypervisorException.class)
        .hasMessage("nodeInfo: the libvirt inventory of host host-t is closed");
  }
}
