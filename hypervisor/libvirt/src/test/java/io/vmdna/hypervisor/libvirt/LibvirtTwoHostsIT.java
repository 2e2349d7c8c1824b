package io.vmdna.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.hypervisor.api.HypervisorException;
import io.vmdna.hypervisor.api.HypervisorUnavailableException;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.hypervisor.api.MigrationRequest;
import io.vmdna.hypervisor.api.MigrationResult;
import io.vmdna.hypervisor.api.MigrationStrategy;
import io.vmdna.hypervisor.api.VmInfo;
import io.vmdna.hypervisor.image.QemuImg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.libvirt.Connect;

/**
 * Two real libvirt hosts on this machine (each libvirtd in its own mount, network and UTS
 * namespace, linked by a veth pair: {@code src/test/two-hosts/up.sh}) and a real guest under QEMU
 * (TCG), built from Debian's cloud kernel and busybox ({@code guest.sh}): it prints a numbered
 * heartbeat on its serial port every second while rewriting 32 MiB of memory.
 *
 * <p>Needs root, {@code unshare}, {@code libvirtd} and {@code qemu-system-x86_64} (Debian:
 * libvirt-daemon, libvirt-daemon-driver-qemu, libvirt-clients, qemu-system-x86); without them the
 * tests are skipped saying why, and {@code .ci/run} fails on that skip, since CI can run them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LibvirtTwoHostsIT {
  private static final Path SCRIPTS = Path.of("src/test/two-hosts").toAbsolutePath();
  private static final Pattern HEARTBEAT = Pattern.compile("HEARTBEAT (\\d+)");
  private static final String VM = "hb-vm";
  private static final String DISK_VM = "hb-disk";

  private static Path root;
  private static Path serial;
  private static ImageRef diskImage;
  private static LibvirtHypervisor hv;

  private static String socketUri(String host) {
    return "qemu+unix:///system?socket=" + root.resolve(host).resolve("run/libvirt-sock");
  }

  @BeforeAll
  static void upTwoHosts() throws Exception {
    String missing = missingPrerequisite();
    Assumptions.assumeTrue(missing == null, () -> "two libvirt hosts cannot run here: " + missing);
    Path guest = Path.of("target/libvirt-guest").toAbsolutePath();
    run(List.of("bash", SCRIPTS.resolve("guest.sh").toString(), guest.toString()), 300);
    root = Files.createTempDirectory(Path.of("/tmp"), "vmdna-lv-");
    run(List.of("bash", SCRIPTS.resolve("up.sh").toString(), root.toString()), 60);
    serial = root.resolve(VM + ".serial.log");
    Path images = Files.createDirectories(root.resolve("images"));
    diskImage = new ImageRef(images.resolve("hb-disk.qcow2").toString(), ImageFormat.QCOW2);
    QemuImg.onPath().create(Path.of(diskImage.path()), ImageFormat.QCOW2, 64L << 20);
    hv =
        new LibvirtHypervisor(
            List.of(
                new LibvirtHypervisor.Host(
                    "host-a",
                    socketUri("host-a"),
                    "qemu+tcp://10.77.0.1/system",
                    Set.of(ImageFormat.QCOW2)),
                new LibvirtHypervisor.Host(
                    "host-b",
                    socketUri("host-b"),
                    "qemu+tcp://10.77.0.2/system",
                    Set.of(ImageFormat.QCOW2))),
            Duration.ofSeconds(5),
            Duration.ofSeconds(120),
            root.resolve("converted"),
            QemuImg.onPath());
    Connect a = new Connect(socketUri("host-a"), false);
    try {
      a.domainDefineXML(guestXml(VM, guest, null)).create();
      a.domainDefineXML(guestXml(DISK_VM, guest, diskImage)).create();
    } finally {
      a.close();
    }
    awaitHeartbeatAbove(VM, 0, Duration.ofSeconds(90));
    awaitHeartbeatAbove(DISK_VM, 0, Duration.ofSeconds(90));
  }

  @AfterAll
  static void down() throws Exception {
    if (hv != null) {
      hv.close();
    }
    if (root != null) {
      run(List.of("bash", SCRIPTS.resolve("down.sh").toString(), root.toString()), 60);
      try (var files = Files.walk(root)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Null when this machine can run the two hosts, else what is missing. */
  private static String missingPrerequisite() throws Exception {
    Process id = new ProcessBuilder("id", "-u").start();
    if (!new String(id.getInputStream().readAllBytes()).strip().equals("0")) {
      return "not root (namespaces and libvirtd need it)";
    }
    for (String tool : List.of("unshare", "nsenter", "libvirtd", "qemu-system-x86_64", "ip")) {
      Process p = new ProcessBuilder("sh", "-c", "command -v " + tool).start();
      if (p.waitFor() != 0) {
        return tool + " is not installed";
      }
    }
    return null;
  }

  private static String guestXml(String name, Path guest, ImageRef disk) {
    String diskXml =
        disk == null
            ? ""
            : "<disk type='file' device='disk'><driver name='qemu' type='%s' cache='none'/>"
                    .formatted(disk.format().qemuName())
                + "<source file='%s'/><target dev='vda' bus='virtio'/></disk>"
                    .formatted(disk.path());
    return """
        <domain type='qemu'>
          <name>%s</name>
          <memory unit='MiB'>256</memory>
          <vcpu>1</vcpu>
          <os>
            <type arch='x86_64' machine='q35'>hvm</type>
            <kernel>%s</kernel>
            <initrd>%s</initrd>
            <cmdline>console=ttyS0 quiet</cmdline>
          </os>
          <cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model></cpu>
          <on_poweroff>destroy</on_poweroff>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
            %s
            <serial type='file'><source path='%s' append='on'/><target port='0'/></serial>
            <memballoon model='virtio'><stats period='2'/></memballoon>
          </devices>
        </domain>
        """
        .formatted(
            name,
            guest.resolve("vmlinuz"),
            guest.resolve("initrd.gz"),
            diskXml,
            root.resolve(name + ".serial.log"));
  }

  private static void run(List<String> cmd, int timeoutS) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(timeoutS, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(cmd + " did not finish within " + timeoutS + " s");
    }
    String output = new String(p.getInputStream().readAllBytes());
    if (p.exitValue() != 0) {
      throw new IllegalStateException(cmd + " failed (" + p.exitValue() + "): " + output);
    }
  }

  /** The guest's latest heartbeat number, 0 before the first. */
  private static int lastHeartbeat() throws IOException {
    return lastHeartbeat(VM);
  }

  private static int lastHeartbeat(String vm) throws IOException {
    Path log = root.resolve(vm + ".serial.log");
    if (!Files.exists(log)) {
      return 0;
    }
    Matcher m = HEARTBEAT.matcher(Files.readString(log));
    int last = 0;
    while (m.find()) {
      last = Integer.parseInt(m.group(1));
    }
    return last;
  }

  private static int awaitHeartbeatAbove(int n, Duration within) throws Exception {
    return awaitHeartbeatAbove(VM, n, within);
  }

  private static int awaitHeartbeatAbove(String vm, int n, Duration within) throws Exception {
    long end = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < end) {
      int last = lastHeartbeat(vm);
      if (last > n) {
        return last;
      }
      Thread.sleep(250);
    }
    throw new AssertionError(vm + "'s heartbeat did not pass " + n + " within " + within);
  }

  private static MigrationRequest live(String id, String from, String to) {
    return new MigrationRequest(id, VM, from, to, MigrationStrategy.LIVE, null, Map.of());
  }

  @Test
  @Order(1)
  void shouldDescribeBothHostsAndFindTheGuest() {
    List<HostInfo> hosts = hv.hosts();

    assertThat(hosts).extracting(HostInfo::hostId).containsExactly("host-a", "host-b");
    assertThat(hosts).allSatisfy(h -> assertThat(h.cpuCapacityMhz()).isPositive());
    assertThat(hv.locate(VM)).contains("host-a");
    assertThat(hv.isHealthy(VM, "host-a")).isTrue();
    assertThat(hv.isHealthy(VM, "host-b")).isFalse();
  }

  @Test
  @Order(2)
  void shouldLiveMigrateTheRunningGuestThereAndBackWithoutStoppingIt() throws Exception {
    int before = awaitHeartbeatAbove(0, Duration.ofSeconds(5));

    MigrationResult there = hv.migrate(live("m-1", "host-a", "host-b"));
    System.out.printf(
        "libvirt LIVE a->b: %d ms, downtime %d ms, %d bytes%n",
        there.durationMs(), there.downtimeMs(), there.bytesTransferred());

    assertThat(there.alreadyDone()).isFalse();
    assertThat(there.fromHostId()).isEqualTo("host-a");
    assertThat(there.toHostId()).isEqualTo("host-b");
    assertThat(there.durationMs()).isPositive();
    assertThat(there.downtimeMs()).isBetween(0L, 5_000L);
    assertThat(there.bytesTransferred()).isPositive();
    assertThat(hv.locate(VM)).contains("host-b");
    assertThat(hv.isHealthy(VM, "host-b")).isTrue();
    assertThat(hv.isHealthy(VM, "host-a")).isFalse();
    int after = awaitHeartbeatAbove(lastHeartbeat(), Duration.ofSeconds(10));
    assertThat(after).as("the guest kept counting: it was not restarted").isGreaterThan(before);

    MigrationResult again = hv.migrate(live("m-1", "host-a", "host-b"));
    assertThat(again.alreadyDone()).isTrue();

    MigrationResult back = hv.migrateBack("m-1", VM, "host-a", null);
    System.out.printf(
        "libvirt LIVE b->a: %d ms, downtime %d ms, %d bytes%n",
        back.durationMs(), back.downtimeMs(), back.bytesTransferred());
    assertThat(back.toHostId()).isEqualTo("host-a");
    assertThat(hv.locate(VM)).contains("host-a");
    assertThat(awaitHeartbeatAbove(lastHeartbeat(), Duration.ofSeconds(10))).isGreaterThan(after);
    assertThat(hv.migrateBack("m-1", VM, "host-a", null).alreadyDone()).isTrue();
  }

  @Test
  @Order(3)
  void shouldRefuseMigrationsItCannotDoNamingWhy() {
    assertThatThrownBy(
            () ->
                hv.migrate(
                    new MigrationRequest(
                        "m-2",
                        "ghost",
                        "host-a",
                        "host-b",
                        MigrationStrategy.LIVE,
                        null,
                        Map.of())))
        .isInstanceOf(HypervisorException.class)
        .hasMessageContaining("migrate ghost: the VM does not run on the source host-a")
        .hasMessageContaining("it runs on no host");
    // a step retried after a crash: the VM is already where it should go
    assertThat(hv.migrate(live("m-retried", "host-b", "host-a")).alreadyDone()).isTrue();
    assertThatThrownBy(() -> hv.migrate(live("m-3", "host-a", "host-z")))
        .hasMessageContaining("unknown host 'host-z'; hosts: [host-a, host-b]");
    assertThatThrownBy(
            () ->
                hv.migrate(
                    new MigrationRequest(
                        "m-4", VM, "host-a", "host-b", MigrationStrategy.WARM, null, Map.of())))
        .hasMessageContaining("strategy WARM is not implemented by the libvirt module yet");
    assertThatThrownBy(
            () ->
                hv.migrate(
                    new MigrationRequest(
                        "m-5",
                        VM,
                        "host-a",
                        "host-b",
                        MigrationStrategy.LIVE,
                        null,
                        Map.of(LibvirtHypervisor.OPTION_BANDWIDTH_MIBPS, "fast"))))
        .hasMessageContaining("bandwidthMiBps must be a whole number of MiB/s > 0, was 'fast'");
    assertThat(hv.locate(VM)).contains("host-a");
  }

  @Test
  @Order(4)
  void shouldNotHangWhenADaemonStopsAnswering() throws Exception {
    long pid = Long.parseLong(Files.readString(root.resolve("host-b/run/libvirtd.pid")).strip());
    new ProcessBuilder("kill", "-STOP", String.valueOf(pid)).start().waitFor();
    try {
      long t0 = System.nanoTime();
      assertThatThrownBy(hv::hosts)
          .isInstanceOf(HypervisorUnavailableException.class)
          .hasMessageContaining("host-b");
      assertThat((System.nanoTime() - t0) / 1e9).isLessThan(15);
    } finally {
      new ProcessBuilder("kill", "-CONT", String.valueOf(pid)).start().waitFor();
    }
  }

  @Test
  @Order(5)
  void shouldCopyTheRunningDiskIntoTheConvertedImageAndBack() throws Exception {
    // given: the disk converted ahead, while the guest runs, to the target's format
    ImageRef raw = hv.convertImage("m-disk", DISK_VM, ImageFormat.RAW);
    assertThat(raw.format()).isEqualTo(ImageFormat.RAW);
    assertThat(hv.convertedImage("m-disk")).contains(raw);
    assertThat(hv.convertImage("m-disk", DISK_VM, ImageFormat.RAW)).isEqualTo(raw);
    int before = awaitHeartbeatAbove(DISK_VM, 0, Duration.ofSeconds(5));

    // when
    MigrationResult there =
        hv.migrate(
            new MigrationRequest(
                "m-disk", DISK_VM, "host-a", "host-b", MigrationStrategy.LIVE, raw, Map.of()));
    System.out.printf(
        "libvirt LIVE with disk copy a->b: %d ms, downtime %d ms, %d bytes%n",
        there.durationMs(), there.downtimeMs(), there.bytesTransferred());

    // then it runs on host-b from the raw image, and kept running
    assertThat(hv.locate(DISK_VM)).contains("host-b");
    VmInfo onB = hv.vm(DISK_VM).orElseThrow();
    assertThat(onB.image()).isEqualTo(raw);
    assertThat(awaitHeartbeatAbove(DISK_VM, lastHeartbeat(DISK_VM), Duration.ofSeconds(10)))
        .isGreaterThan(before);

    // and back onto its original qcow2 image
    hv.migrateBack("m-disk", DISK_VM, "host-a", diskImage);
    assertThat(hv.locate(DISK_VM)).contains("host-a");
    assertThat(hv.vm(DISK_VM).orElseThrow().image()).isEqualTo(diskImage);
    assertThat(hv.deleteImage(raw)).isTrue();
    assertThat(hv.convertedImage("m-disk")).isEmpty();
    assertThatThrownBy(() -> hv.deleteImage(diskImage))
        .hasMessageContaining("not under the converted-image folder");
  }
}
