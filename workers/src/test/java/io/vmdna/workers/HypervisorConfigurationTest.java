package io.vmdna.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.libvirt.LibvirtHypervisor;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which hypervisor the workers drive, from {@code vmdna.*}: libvirt hosts or the sim fleet. */
class HypervisorConfigurationTest {
  private static VmdnaProperties with(VmdnaProperties.Libvirt libvirt, VmdnaProperties.Sim sim) {
    return with(libvirt, null, sim);
  }

  private static VmdnaProperties with(
      VmdnaProperties.Libvirt libvirt, VmdnaProperties.Ovirt ovirt, VmdnaProperties.Sim sim) {
    return new VmdnaProperties(null, null, sim, libvirt, ovirt, null, null, null, null, null);
  }

  private static VmdnaProperties withSpeeds(
      VmdnaProperties.Libvirt libvirt, java.util.Map<String, Double> cpuSpeedFactors) {
    return new VmdnaProperties(
        null, null, null, libvirt, null, null, null, null, null, cpuSpeedFactors);
  }

  /** One libvirt host (libvirt's test driver) whose VMs run from {@code formats}. */
  private static VmdnaProperties oneHostRunning(List<String> formats) {
    return with(
        hosts(new VmdnaProperties.LibvirtHost("host-a", "test:///default", null, formats)), null);
  }

  private static VmdnaProperties.Libvirt hosts(VmdnaProperties.LibvirtHost... hosts) {
    return new VmdnaProperties.Libvirt(List.of(hosts), Duration.ofSeconds(5), null, "target/img");
  }

  @Test
  void shouldDriveConfiguredLibvirtHosts() {
    // libvirt's built-in test driver stands in for two daemons
    VmdnaProperties props =
        with(
            hosts(
                new VmdnaProperties.LibvirtHost(
                    "host-a", "test:///default", null, List.of("raw", "qcow2")),
                new VmdnaProperties.LibvirtHost("host-b", "test:///default", null, null)),
            null);

    Hypervisor h = new WorkersConfiguration().hypervisor(props);

    try {
      assertThat(h).isInstanceOf(LibvirtHypervisor.class);
      assertThat(h.name()).isEqualTo("libvirt");
      List<HostInfo> hosts = h.hosts();
      assertThat(hosts).extracting(HostInfo::hostId).containsExactly("host-a", "host-b");
      assertThat(hosts.get(0).preferredFormat()).isEqualTo(ImageFormat.RAW);
      assertThat(hosts.get(1).imageFormats()).containsExactly(ImageFormat.QCOW2);
    } finally {
      ((LibvirtHypervisor) h).close();
    }
  }

  @Test
  void shouldGiveCpuFiguresInReferenceMhzWithSpeedFactors() throws Exception {
    VmdnaProperties.Libvirt twoHosts =
        hosts(
            new VmdnaProperties.LibvirtHost("host-a", "test:///default", null, null),
            new VmdnaProperties.LibvirtHost("host-b", "test:///default", null, null));
    Hypervisor plain = new WorkersConfiguration().hypervisor(with(twoHosts, null));
    Hypervisor scaled =
        new WorkersConfiguration()
            .hypervisor(withSpeeds(twoHosts, java.util.Map.of("host-a", 1.5)));
    try {
      // libvirt's test driver: the same node on both "hosts"; only host-a's cores are faster
      assertThat(scaled.hosts().get(0).cpuCapacityMhz())
          .isEqualTo(1.5 * plain.hosts().get(0).cpuCapacityMhz());
      assertThat(scaled.hosts().get(1).cpuCapacityMhz())
          .isEqualTo(plain.hosts().get(1).cpuCapacityMhz());
      assertThat(scaled.name()).isEqualTo("libvirt");
    } finally {
      ((AutoCloseable) plain).close();
      ((AutoCloseable) scaled).close();
    }
    assertThatThrownBy(
            () ->
                new WorkersConfiguration()
                    .hypervisor(withSpeeds(twoHosts, java.util.Map.of("host-a", -1.0))))
        .hasMessageContaining(
            "vmdna.cpu-speed-factors: CPU speed factor of host 'host-a' must be a number > 0");
  }

  @Test
  void shouldNameTheWrongSetting() {
    WorkersConfiguration c = new WorkersConfiguration();

    assertThatThrownBy(
            () ->
                c.hypervisor(
                    with(hosts(new VmdnaProperties.LibvirtHost("host-a", null, null, null)), null)))
        .hasMessageContaining("vmdna.libvirt.hosts[0] needs an id and a uri");
    assertThatThrownBy(() -> c.hypervisor(oneHostRunning(List.of("vhd"))))
        .hasMessageContaining("vmdna.libvirt.hosts[0].formats: unknown image format 'vhd'");
    assertThatThrownBy(() -> c.hypervisor(oneHostRunning(List.of())))
        .hasMessageContaining("vmdna.libvirt.hosts[0].formats: name at least one image format");
    assertThatThrownBy(() -> c.hypervisor(oneHostRunning(List.of("vmdk-streamoptimized"))))
        .hasMessageContaining(
            "vmdna.libvirt.hosts[0].formats: libvirt: host 'host-a': QEMU cannot run a guest");
    assertThatThrownBy(() -> c.hypervisor(with(null, null)))
        .hasMessageContaining("set vmdna.libvirt.hosts, vmdna.ovirt.url, or vmdna.sim.trace-dir");
  }

  @Test
  void shouldNameWhatAnOvirtEngineNeeds() {
    WorkersConfiguration c = new WorkersConfiguration();
    VmdnaProperties.Ovirt noUser =
        new VmdnaProperties.Ovirt(
            "https://engine/ovirt-engine/api", null, "p", "ca.pem", null, null);
    VmdnaProperties.Ovirt plainHttp =
        new VmdnaProperties.Ovirt("http://engine/ovirt-engine/api", "u", "p", "ca.pem", null, null);

    assertThatThrownBy(() -> c.hypervisor(with(null, noUser, null)))
        .hasMessageContaining("vmdna.ovirt.user is required");
    assertThatThrownBy(() -> c.hypervisor(with(null, plainHttp, null)))
        .hasMessageContaining("vmdna.ovirt: oVirt url must be https://");
    assertThatThrownBy(
            () ->
                c.hypervisor(
                    with(
                        hosts(new VmdnaProperties.LibvirtHost("a", "test:///default", null, null)),
                        noUser,
                        null)))
        .hasMessageContaining("both set");
    VmdnaProperties.Ovirt noCa =
        new VmdnaProperties.Ovirt(
            "https://engine/ovirt-engine/api", "u", "p", "target/missing-ca.pem", null, null);
    assertThatThrownBy(() -> c.hypervisor(with(null, noCa, null)))
        .hasMessageContaining(
            "vmdna.ovirt.ca-file: oVirt: CA file target/missing-ca.pem does not exist");
    assertThat(noUser.toString()).doesNotContain("=p,").contains("password=***");
  }
}
