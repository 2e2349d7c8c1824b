package io.vmdna.hypervisor.libvirt;

import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.hypervisor.image.QemuImg;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * A lab of two real libvirt hosts on this machine, for the integration tests and {@code ./vmdna
 * bench-migrate}: {@code host-a} (10.77.0.1) and {@code host-b} (10.77.0.2), each a libvirtd in its
 * own mount, network and UTS namespace, linked by a veth pair (the scripts in {@code two-hosts/} on
 * the classpath), and guests under QEMU (TCG) built from Debian's cloud kernel and busybox, which
 * print a numbered heartbeat on their serial port every second while rewriting 32 MiB of memory.
 * Needs root and the Debian packages libvirt-daemon, libvirt-daemon-driver-qemu, libvirt-clients
 * and qemu-system-x86: {@link #missingPrerequisite()} says what is missing. Not thread-safe.
 */
public final class TwoLibvirtHosts implements AutoCloseable {
  private static final List<String> SCRIPTS =
      List.of("guest.sh", "host.sh", "ns.sh", "up.sh", "down.sh", "init", "passwd", "group");
  private static final Pattern HEARTBEAT = Pattern.compile("HEARTBEAT (\\d+)");

  private final Path root;
  private final Path scripts;
  private final Path guest;

  private TwoLibvirtHosts(Path root, Path scripts, Path guest) {
    this.root = root;
    this.scripts = scripts;
    this.guest = guest;
  }

  /** Null when this machine can run two libvirt hosts, else what is missing. */
  public static String missingPrerequisite() throws IOException, InterruptedException {
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

  /**
   * Builds the guest (cached in {@code guestCache}) and brings both hosts up under a new folder in
   * {@code /tmp} (short: libvirt's unix socket paths are limited).
   */
  public static TwoLibvirtHosts up(Path guestCache) throws Exception {
    Path root = Files.createTempDirectory(Path.of("/tmp"), "vmdna-lv-");
    Path scripts = Files.createDirectories(root.resolve("scripts"));
    for (String s : SCRIPTS) {
      try (InputStream in =
          TwoLibvirtHosts.class.getClassLoader().getResourceAsStream("two-hosts/" + s)) {
        if (in == null) {
          throw new IllegalStateException("two-hosts/" + s + " is not on the classpath");
        }
        Files.copy(in, scripts.resolve(s));
      }
      scripts.resolve(s).toFile().setExecutable(true);
    }
    TwoLibvirtHosts hosts = new TwoLibvirtHosts(root, scripts, guestCache.toAbsolutePath());
    hosts.run(300, "guest.sh", hosts.guest.toString());
    hosts.run(60, "up.sh", root.toString());
    return hosts;
  }

  /** The folder holding both hosts' state, the guests' serial logs and images. */
  public Path root() {
    return root;
  }

  /** How vmdna reaches a host's daemon: its unix socket. */
  public String uri(String host) {
    return "qemu+unix:///system?socket=" + root.resolve(host).resolve("run/libvirt-sock");
  }

  /** How the other daemon reaches a host's daemon for a peer-to-peer migration. */
  public static String peerUri(String host) {
    return "qemu+tcp://10.77.0.%d/system".formatted(host.equals("host-a") ? 1 : 2);
  }

  /** Both hosts as the libvirt module is configured with them, qcow2 and raw disks. */
  public List<LibvirtHypervisor.Host> hosts(ImageFormat aFormat, ImageFormat bFormat) {
    return List.of(
        new LibvirtHypervisor.Host("host-a", uri("host-a"), peerUri("host-a"), Set.of(aFormat)),
        new LibvirtHypervisor.Host("host-b", uri("host-b"), peerUri("host-b"), Set.of(bFormat)));
  }

  /** A new qcow2 disk of {@code bytes} under {@link #root()}. */
  public ImageRef disk(String name, long bytes) throws IOException {
    Path images = Files.createDirectories(root.resolve("images"));
    ImageRef ref = new ImageRef(images.resolve(name + ".qcow2").toString(), ImageFormat.QCOW2);
    QemuImg.onPath().create(Path.of(ref.path()), ImageFormat.QCOW2, bytes);
    return ref;
  }

  /**
   * Defines and starts a guest on {@code host} (256 MiB, one vCPU), with a disk when {@code disk}
   * is not null, and waits for its first heartbeat.
   */
  public void startGuest(String host, String name, ImageRef disk) throws Exception {
    Connect c = new Connect(uri(host), false);
    try {
      c.domainDefineXML(guestXml(name, disk)).create();
    } catch (LibvirtException e) {
      throw new IllegalStateException("cannot start guest " + name + " on " + host, e);
    } finally {
      c.close();
    }
    awaitHeartbeatAbove(name, 0, Duration.ofSeconds(90));
  }

  // ACPI is named: without it libvirt 9.0 starts QEMU with -no-acpi, an option QEMU 10 no longer
  // has
  private String guestXml(String name, ImageRef disk) {
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
          <features><acpi/></features>
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

  /** The guest's latest heartbeat number, 0 before the first. */
  public int lastHeartbeat(String vm) throws IOException {
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

  /** Waits for a heartbeat numbered above {@code n}; returns the latest. */
  public int awaitHeartbeatAbove(String vm, int n, Duration within) throws Exception {
    long end = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < end) {
      int last = lastHeartbeat(vm);
      if (last > n) {
        return last;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        vm
            + "'s heartbeat did not pass "
            + n
            + " within "
            + within
            + " (serial log: "
            + root.resolve(vm + ".serial.log")
            + ")");
  }

  /** The process id of a host's libvirtd. */
  public long daemonPid(String host) throws IOException {
    return Long.parseLong(Files.readString(root.resolve(host).resolve("run/libvirtd.pid")).strip());
  }

  private void run(int timeoutS, String script, String... args) throws Exception {
    List<String> cmd =
        new java.util.ArrayList<>(List.of("bash", scripts.resolve(script).toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(cmd + " did not finish within " + timeoutS + " s");
    }
    String output = new String(p.getInputStream().readAllBytes());
    if (p.exitValue() != 0) {
      throw new IllegalStateException(cmd + " failed (" + p.exitValue() + "): " + output);
    }
  }

  /**
   * Stops the guests, both daemons and their namespaces, and deletes {@link #root()} (kept, with
   * the guests' serial logs and the daemons' logs, when {@code -Dvmdna.keepLab=true} or the
   * environment has {@code VMDNA_KEEP_LAB}: failsafe's fixed argLine does not pass -D options).
   */
  @Override
  public void close() throws Exception {
    try {
      run(60, "down.sh", root.toString());
    } finally {
      if (Boolean.getBoolean("vmdna.keepLab") || System.getenv("VMDNA_KEEP_LAB") != null) {
        return;
      }
      try (var files = Files.walk(root)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
