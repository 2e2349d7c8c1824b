package io.vmdna.hypervisor.ovirt;

import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.hypervisor.api.HypervisorException;
import io.vmdna.hypervisor.api.HypervisorUnavailableException;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.hypervisor.api.MigrationRequest;
import io.vmdna.hypervisor.api.MigrationResult;
import io.vmdna.hypervisor.api.MigrationStrategy;
import io.vmdna.hypervisor.api.VmInfo;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ovirt.engine.sdk4.Connection;
import org.ovirt.engine.sdk4.ConnectionBuilder;
import org.ovirt.engine.sdk4.builders.HostBuilder;
import org.ovirt.engine.sdk4.types.Cpu;
import org.ovirt.engine.sdk4.types.Host;
import org.ovirt.engine.sdk4.types.HostStatus;
import org.ovirt.engine.sdk4.types.Statistic;
import org.ovirt.engine.sdk4.types.StorageDomain;
import org.ovirt.engine.sdk4.types.StorageDomainType;
import org.ovirt.engine.sdk4.types.Vm;
import org.ovirt.engine.sdk4.types.VmStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The oVirt translation module: the {@link Hypervisor} SPI over an oVirt engine's REST API, through
 * the oVirt Java SDK 4.4.
 *
 * <p>Names and units: a host's and a VM's id in vmdna is its <em>name</em> in oVirt (the engine's
 * UUIDs stay inside this class); CPU capacity is logical CPUs (sockets × cores × threads) × the
 * CPU's speed in MHz; memory in bytes becomes KiB; host CPU use is the statistics {@code
 * cpu.current.user} + {@code cpu.current.system} (percent) of that capacity, memory use {@code
 * memory.used} (bytes); free storage is the sum of the data storage domains' available bytes
 * (shared by every host of the data centre). A VM's provisioned CPU is its vCPUs × its host's CPU
 * speed, so a DNA built from oVirt compares with one built from libvirt.
 *
 * <p>Strategies: {@code LIVE} is the engine's migrate action; the engine moves memory and the disks
 * stay on shared storage, so there is no image to convert: a request naming a target image, {@code
 * WARM}, and {@link #convertImage} are refused with a message saying so.
 *
 * <p>Errors: 401 → {@link HypervisorException} naming the user; 404 → naming what was not found;
 * 409 (action failed) → the engine's fault reason and detail; an engine that cannot be reached or
 * does not answer within the call timeout → {@link HypervisorUnavailableException} (retried by the
 * workers, then an incident). Certificates are always checked, against the CA given.
 *
 * <p>Thread-safe: one SDK connection, whose HTTP client is thread-safe.
 */
public final class OvirtHypervisor implements Hypervisor, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OvirtHypervisor.class);
  private static final Pattern HTTP_CODE = Pattern.compile("HTTP response code is (\\d{3})");
  private static final Set<ImageFormat> FORMATS = Set.of(ImageFormat.RAW, ImageFormat.QCOW2);

  private final OvirtSettings settings;
  private final Connection connection;
  private final String engineId;

  /**
   * Connects to the engine (the SDK fetches its SSO token on the first call).
   *
   * @throws HypervisorException when the CA file cannot be read or the settings are incomplete
   */
  public OvirtHypervisor(OvirtSettings settings) {
    this.settings = settings;
    this.engineId = "ovirt:" + settings.url();
    try {
      this.connection =
          ConnectionBuilder.connection()
              .url(settings.url())
              .user(settings.user())
              .password(settings.password())
              .trustStoreFile(settings.trustStore().toString())
              .trustStorePassword(settings.trustStorePassword())
              .insecure(false)
              .timeout((int) Math.max(1, settings.callTimeout().toSeconds()))
              .build();
    } catch (org.ovirt.engine.sdk4.Error e) {
      throw new HypervisorException("oVirt: cannot set up a connection to " + settings.url(), e);
    }
  }

  @Override
  public String name() {
    return engineId;
  }

  @Override
  public List<HostInfo> hosts() {
    return call(
        "list hosts",
        settings.url(),
        c -> {
          long storageFree = storageFree(c);
          List<HostInfo> out = new ArrayList<>();
          for (Host h :
              c.systemService().hostsService().list().follow("statistics").send().hosts()) {
            double capacity = cpuCapacityMhz(h.cpu());
            double cpuPct =
                stat(h.statistics(), "cpu.current.user")
                    + stat(h.statistics(), "cpu.current.system");
            out.add(
                new HostInfo(
                    h.name(),
                    capacity,
                    bytes(h.memory()) / 1024.0,
                    capacity * cpuPct / 100.0,
                    stat(h.statistics(), "memory.used") / 1024.0,
                    FORMATS,
                    h.status() == HostStatus.UP,
                    storageFree,
                    0));
          }
          return out;
        });
  }

  @Override
  public List<VmInfo> vms() {
    return call(
        "list VMs",
        settings.url(),
        c -> {
          Map<String, Host> hostsById = hostsById(c);
          List<VmInfo> out = new ArrayList<>();
          for (Vm v : c.systemService().vmsService().list().send().vms()) {
            info(v, hostsById).ifPresent(out::add);
          }
          return out;
        });
  }

  @Override
  public Optional<String> locate(String vmId) {
    return vm(vmId).map(VmInfo::hostId);
  }

  @Override
  public Optional<VmInfo> vm(String vmId) {
    return call(
        "find VM " + vmId,
        settings.url(),
        c -> {
          Optional<Vm> v = find(c, vmId);
          return v.isEmpty() ? Optional.<VmInfo>empty() : info(v.get(), hostsById(c));
        });
  }

  /** oVirt keeps disks on shared storage domains in their format: nothing to convert. */
  @Override
  public ImageRef convertImage(String migrationId, String vmId, ImageFormat targetFormat) {
    throw new HypervisorException(
        "oVirt: %s: disk conversion is not offered: the engine keeps %s's disks on shared storage"
                .formatted(migrationId, vmId)
            + " domains, and a live migration does not move them");
  }

  /** Nothing is converted here, so nothing is deleted. */
  @Override
  public boolean deleteImage(ImageRef image) {
    return false;
  }

  @Override
  public Optional<ImageRef> convertedImage(String migrationId) {
    return Optional.empty();
  }

  @Override
  public boolean imageExists(ImageRef image) {
    return false;
  }

  @Override
  public MigrationResult migrate(MigrationRequest r) {
    if (r.strategy() != MigrationStrategy.LIVE) {
      throw new HypervisorException(
          "oVirt: migrate %s: strategy %s is not offered; the engine migrates LIVE"
              .formatted(r.vmId(), r.strategy()));
    }
    if (r.targetImage() != null) {
      throw new HypervisorException(
          "oVirt: migrate %s onto %s: the engine moves memory only; disks stay on their storage"
              .formatted(r.vmId(), r.targetImage().path()));
    }
    return move(r.migrationId(), r.vmId(), r.sourceHostId(), r.targetHostId());
  }

  @Override
  public MigrationResult migrateBack(
      String migrationId, String vmId, String originalHostId, ImageRef originalImage) {
    return move(migrationId, vmId, null, originalHostId);
  }

  @Override
  public boolean isHealthy(String vmId, String hostId) {
    return call(
        "health of " + vmId,
        settings.url(),
        c ->
            find(c, vmId)
                .filter(v -> v.status() == VmStatus.UP && v.hostPresent())
                .map(v -> hostId.equals(nameOf(hostsById(c), v.host().id())))
                .orElse(false));
  }

  /** Revokes the SSO token and closes the HTTP client. Idempotent. */
  @Override
  public void close() {
    try {
      connection.close();
    } catch (Exception e) {
      LOG.warn("oVirt: closing the connection to {}: {}", settings.url(), e.getMessage());
    }
  }

  // ---- the move ----

  private MigrationResult move(
      String migrationId, String vmId, String sourceHostId, String target) {
    String op = "migrate %s to %s".formatted(vmId, target);
    long t0 = System.nanoTime();
    return call(
        op,
        settings.url(),
        c -> {
          Vm v =
              find(c, vmId)
                  .orElseThrow(() -> new HypervisorException("oVirt: " + op + ": no VM " + vmId));
          Map<String, Host> hosts = hostsById(c);
          String now = v.hostPresent() ? nameOf(hosts, v.host().id()) : null;
          if (target.equals(now)) {
            return new MigrationResult(migrationId, vmId, now, target, 0, -1, 0, true);
          }
          if (sourceHostId != null && !sourceHostId.equals(now)) {
            throw new HypervisorException(
                "oVirt: %s: the VM runs on %s, not on %s".formatted(op, now, sourceHostId));
          }
          Host to =
              hosts.values().stream()
                  .filter(h -> h.name().equals(target))
                  .findFirst()
                  .orElseThrow(
                      () -> new HypervisorException("oVirt: " + op + ": no host " + target));
          c.systemService()
              .vmsService()
              .vmService(v.id())
              .migrate()
              .host(new HostBuilder().id(to.id()))
              .send();
          awaitOn(c, v.id(), to.id(), op);
          long ms = (System.nanoTime() - t0) / 1_000_000;
          return new MigrationResult(migrationId, vmId, now, target, ms, -1, 0, false);
        });
  }

  /** Polls until the VM runs (up) on the target, within the migration timeout. */
  private void awaitOn(Connection c, String vmUuid, String hostUuid, String op) {
    long deadline = System.nanoTime() + settings.migrationTimeout().toNanos();
    while (true) {
      Vm v = c.systemService().vmsService().vmService(vmUuid).get().send().vm();
      if (v.status() == VmStatus.UP && v.hostPresent() && hostUuid.equals(v.host().id())) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new HypervisorUnavailableException(
            settings.url(),
            op,
            "not on the target within %s (status %s): reconcile where the VM runs"
                .formatted(settings.migrationTimeout(), v.status()));
      }
      try {
        Thread.sleep(settings.pollInterval().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HypervisorUnavailableException(settings.url(), op, "interrupted");
      }
    }
  }

  // ---- reading ----

  private Optional<Vm> find(Connection c, String vmName) {
    return c.systemService().vmsService().list().search("name=" + vmName).send().vms().stream()
        .filter(v -> vmName.equals(v.name()))
        .findFirst();
  }

  private static Map<String, Host> hostsById(Connection c) {
    Map<String, Host> out = new HashMap<>();
    for (Host h : c.systemService().hostsService().list().send().hosts()) {
      out.put(h.id(), h);
    }
    return out;
  }

  private static String nameOf(Map<String, Host> hosts, String uuid) {
    Host h = hosts.get(uuid);
    return h == null ? uuid : h.name();
  }

  /** A running VM's view; a VM that runs nowhere (down) has no place, so no view. */
  private static Optional<VmInfo> info(Vm v, Map<String, Host> hostsById) {
    if (!v.hostPresent()) {
      return Optional.empty();
    }
    Host host = hostsById.get(v.host().id());
    int vcpus = logicalCpus(v.cpu());
    double speed = host == null || host.cpu() == null ? 0 : decimal(host.cpu().speed());
    return Optional.of(
        new VmInfo(
            v.name(),
            host == null ? v.host().id() : host.name(),
            vcpus,
            vcpus * speed,
            bytes(v.memory()) / 1024.0,
            null,
            0));
  }

  private long storageFree(Connection c) {
    long free = 0;
    for (StorageDomain d :
        c.systemService().storageDomainsService().list().send().storageDomains()) {
      if (d.type() == StorageDomainType.DATA && d.available() != null) {
        free += d.available().longValue();
      }
    }
    return free;
  }

  /** Logical CPUs × speed: the capacity in MHz. */
  static double cpuCapacityMhz(Cpu cpu) {
    return cpu == null ? 0 : logicalCpus(cpu) * decimal(cpu.speed());
  }

  private static int logicalCpus(Cpu cpu) {
    if (cpu == null || cpu.topology() == null) {
      return 0;
    }
    var t = cpu.topology();
    return whole(t.sockets()) * whole(t.cores()) * Math.max(1, whole(t.threads()));
  }

  private static double stat(List<Statistic> stats, String name) {
    if (stats == null) {
      return 0;
    }
    for (Statistic s : stats) {
      if (name.equals(s.name()) && s.values() != null && !s.values().isEmpty()) {
        return decimal(s.values().getFirst().datum());
      }
    }
    return 0;
  }

  private static int whole(BigInteger v) {
    return v == null ? 0 : v.intValue();
  }

  private static double decimal(BigDecimal v) {
    return v == null ? 0 : v.doubleValue();
  }

  private static double bytes(BigInteger v) {
    return v == null ? 0 : v.doubleValue();
  }

  // ---- errors ----

  private <T> T call(String op, String where, Function<Connection, T> body) {
    try {
      return body.apply(connection);
    } catch (HypervisorException e) {
      throw e;
    } catch (org.ovirt.engine.sdk4.Error e) {
      throw translate(op, where, e);
    }
  }

  /** The SDK's error as the SPI's: what failed, with the engine's words. */
  HypervisorException translate(String op, String where, org.ovirt.engine.sdk4.Error e) {
    String msg = chain(e);
    Matcher m = HTTP_CODE.matcher(msg);
    int code = m.find() ? Integer.parseInt(m.group(1)) : 0;
    if (code == 0 && msg.contains("Error during SSO authentication")) {
      code = 401; // the SSO service refused the user before any API call
    }
    return switch (code) {
      case 401 ->
          new HypervisorException(
              "oVirt: %s: the engine at %s refused user %s (401): %s"
                  .formatted(op, where, settings.user(), msg));
      case 404 -> new HypervisorException("oVirt: %s: not found (404): %s".formatted(op, msg));
      case 409 ->
          new HypervisorException("oVirt: %s: the engine refused (409): %s".formatted(op, msg));
      case 0 ->
          rootIsIo(e)
              ? new HypervisorUnavailableException(where, op, "engine unreachable: " + msg)
              : new HypervisorException("oVirt: %s: %s".formatted(op, msg), e);
      default ->
          code >= 500
              ? new HypervisorUnavailableException(where, op, "engine error " + code + ": " + msg)
              : new HypervisorException("oVirt: %s: HTTP %d: %s".formatted(op, code, msg), e);
    };
  }

  /** Every message of a cause chain, outermost first, each once: the SDK nests the real one. */
  private static String chain(Throwable e) {
    java.util.LinkedHashSet<String> parts = new java.util.LinkedHashSet<>();
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      parts.add(
          t instanceof org.ovirt.engine.sdk4.Error
              ? String.valueOf(m)
              : t.getClass().getSimpleName() + (m == null ? "" : ": " + m));
    }
    return String.join(" <- ", parts);
  }

  private static boolean rootIsIo(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.io.IOException) {
        return true;
      }
    }
    return false;
  }
}
