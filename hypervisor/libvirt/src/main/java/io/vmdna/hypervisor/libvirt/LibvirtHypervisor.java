package io.vmdna.hypervisor.libvirt;

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
import io.vmdna.hypervisor.image.ConversionCache;
import io.vmdna.hypervisor.image.QemuImg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.DomainJobStats;
import org.libvirt.LibvirtException;
import org.libvirt.TypedParameter;
import org.libvirt.TypedStringParameter;
import org.libvirt.TypedUlongParameter;
import org.libvirt.jna.ConnectionPointer;

/**
 * The libvirt translation module of the compatibility layer: hosts are libvirt daemons, VMs are
 * their domains (a VM's id is its domain name, unique across the fleet).
 *
 * <p>{@link MigrationStrategy#LIVE} is a peer-to-peer live migration driven by the source daemon
 * ({@code virDomainMigrateToURI}): persistent on the target, undefined on the source, optionally
 * with auto-converge, post-copy, compression and a bandwidth cap ({@link #OPTION_AUTO_CONVERGE},
 * {@link #OPTION_POSTCOPY}, {@link #OPTION_COMPRESSED}, {@link #OPTION_BANDWIDTH_MIBPS}) and a
 * planned pause ({@link #OPTION_MAX_DOWNTIME_MS}); the result's downtime and bytes come from the
 * target's completed-job statistics. With {@link MigrationRequest#targetImage()} the running disk
 * is copied into that pre-converted image and the VM runs from it on the target; {@link
 * #migrateBack} does the same onto the original image. {@link MigrationStrategy#WARM} freezes the
 * disk with an external snapshot, converts it while the guest runs (once per content and target
 * format: {@link #conversionCache()}), and stops the guest only to fold the overlay into the
 * converted image and restore it with its memory on the target (see {@code warm}).
 *
 * <p>Short calls (lookups, state) run on each host's {@link LibvirtInventory} thread with its
 * timeout; a migration runs on its own connection and thread with {@code migrationTimeout}, so a
 * long transfer never blocks polling. A call that times out raises {@link
 * HypervisorUnavailableException} naming host and operation: the caller does not know whether the
 * VM moved, and reconciles with {@link #locate}. Thread-safe; {@link #migrate} is idempotent: a VM
 * that already runs on the target is reported {@code alreadyDone} whatever the id, because the
 * state on the hosts, not this process's memory, says whether a step retried after a crash was
 * done.
 */
public final class LibvirtHypervisor implements Hypervisor, AutoCloseable {
  /** {@code stateTransferOptions} key: "true" for auto-converge (throttles a busy guest). */
  public static final String OPTION_AUTO_CONVERGE = "autoConverge";

  /** {@code stateTransferOptions} key: "true" to switch to post-copy. */
  public static final String OPTION_POSTCOPY = "postcopy";

  /**
   * {@code stateTransferOptions} key: the longest pause of the guest QEMU may plan for the final
   * copy, in milliseconds (a whole number > 0; absent: {@link #DEFAULT_MAX_DOWNTIME_MS}; 300 is
   * QEMU's own). Lower means more pre-copy rounds before the switch; a guest dirtying memory faster
   * than the link carries then needs {@link #OPTION_AUTO_CONVERGE} to finish.
   */
  public static final String OPTION_MAX_DOWNTIME_MS = "maxDowntimeMs";

  /**
   * The planned pause of every live migration without {@link #OPTION_MAX_DOWNTIME_MS}, moves back
   * included: 50 ms. Measured on the TCG lab (README, {@code ./vmdna bench-migrate}) with QEMU
   * 10.0: the actual pause was at most 100 ms in 119 of 120 live moves, at most 109 ms (QEMU's own
   * 300 ms: 17 of 20, at most 225 ms). Under bookworm's QEMU 7.2 this setting corrupted the TCG
   * guest in about one live move in 16 (the guest's kernel panicked or stopped), hence QEMU 10 from
   * bookworm-backports in the set-up.
   */
  public static final long DEFAULT_MAX_DOWNTIME_MS = 50;

  /** Converted bases {@link MigrationStrategy#WARM} keeps, by content and format. */
  public static final int CONVERSION_CACHE_ENTRIES = 8;

  /** {@code stateTransferOptions} key: "true" for compressed transfer. */
  public static final String OPTION_COMPRESSED = "compressed";

  /** {@code stateTransferOptions} key: bandwidth cap, MiB/s. */
  public static final String OPTION_BANDWIDTH_MIBPS = "bandwidthMiBps";

  private static final int COMPLETED_JOB = 1; // VIR_DOMAIN_JOB_STATS_COMPLETED
  private static final int MIGRATABLE_XML = 8; // VIR_DOMAIN_XML_MIGRATABLE
  private static final int SNAPSHOT_NO_METADATA = 4; // VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA
  private static final int SNAPSHOT_DISK_ONLY = 16; // VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY
  private static final int SNAPSHOT_ATOMIC = 128; // VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC

  /** The first file disk: driver type, source file, target device. */
  private static final Pattern DISK_DEV =
      Pattern.compile(
          "<disk[^>]*type=['\"]file['\"][^>]*device=['\"]disk['\"][^>]*>.*?<driver[^>]*type=['\"](\\w+)['\"].*?<source[^>]*file=['\"]([^'\"]+)['\"].*?<target[^>]*dev=['\"]([^'\"]+)['\"]",
          Pattern.DOTALL);

  private static final Pattern FILE_DISK =
      Pattern.compile(
          "<disk[^>]*type=['\"]file['\"][^>]*device=['\"]disk['\"].*?</disk>", Pattern.DOTALL);
  private static final int RUNNING = DomainInfo.DomainState.VIR_DOMAIN_RUNNING.ordinal();

  /**
   * One libvirt host.
   *
   * @param hostId its id in vmdna
   * @param uri how vmdna reaches its daemon, e.g. {@code qemu+tcp://10.0.0.1/system}
   * @param peerUri how another daemon reaches it for a peer-to-peer migration
   * @param formats disk formats its VMs run from, preferred first; not vmdk streamOptimized, which
   *     QEMU reads but cannot run a guest from
   */
  public record Host(String hostId, String uri, String peerUri, Set<ImageFormat> formats) {
    /** Validates the formats. */
    public Host {
      if (formats.contains(ImageFormat.VMDK_STREAM_OPTIMIZED)) {
        throw new IllegalArgumentException(
            "libvirt: host '%s': QEMU cannot run a guest from a vmdk-streamoptimized image (a"
                    .formatted(hostId)
                + " compressed transfer format); give the formats its VMs run from, e.g. qcow2");
      }
    }
  }

  private final Map<String, Host> hosts = new LinkedHashMap<>();
  private final Map<String, LibvirtInventory> inventories = new LinkedHashMap<>();
  private final Duration migrationTimeout;
  private final QemuImg qemuImg;
  private final Path imageDir;
  private final ConversionCache conversions;
  private final ExecutorService migrations;

  /**
   * @param hosts the fleet's hosts, unique ids
   * @param callTimeout the longest a short call may take
   * @param migrationTimeout the longest a migration may take
   * @param imageDir where converted images go
   * @param qemuImg the image tool
   */
  public LibvirtHypervisor(
      List<Host> hosts,
      Duration callTimeout,
      Duration migrationTimeout,
      Path imageDir,
      QemuImg qemuImg) {
    for (Host h : hosts) {
      if (this.hosts.put(h.hostId(), h) != null) {
        throw new IllegalArgumentException("libvirt: host '" + h.hostId() + "' is listed twice");
      }
      inventories.put(
          h.hostId(), new LibvirtInventory(h.hostId(), h.uri(), callTimeout, h.formats()));
    }
    this.migrationTimeout = migrationTimeout;
    this.imageDir = imageDir;
    this.qemuImg = qemuImg;
    this.conversions =
        new ConversionCache(
            imageDir.resolve(".conversion-cache"), CONVERSION_CACHE_ENTRIES, qemuImg);
    this.migrations =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "libvirt-migrate");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * The converted bases {@link MigrationStrategy#WARM} keeps (in {@code
   * imageDir/.conversion-cache}, at most {@link #CONVERSION_CACHE_ENTRIES}): a WARM move of a base
   * whose bytes were converted to the target's format before copies that instead of converting
   * again.
   */
  public ConversionCache conversionCache() {
    return conversions;
  }

  @Override
  public String name() {
    return "libvirt";
  }

  @Override
  public List<HostInfo> hosts() {
    return inventories.values().stream().map(LibvirtInventory::host).toList();
  }

  @Override
  public List<VmInfo> vms() {
    List<VmInfo> out = new ArrayList<>();
    for (LibvirtInventory i : inventories.values()) {
      out.addAll(i.vms());
    }
    return out;
  }

  @Override
  public Optional<VmInfo> vm(String vmId) {
    Optional<String> at = locate(vmId);
    if (at.isEmpty()) {
      return Optional.empty();
    }
    return inventories.get(at.get()).vms().stream().filter(v -> v.vmId().equals(vmId)).findFirst();
  }

  /** The host whose daemon runs the domain now; a domain defined but shut off does not count. */
  @Override
  public Optional<String> locate(String vmId) {
    for (Map.Entry<String, LibvirtInventory> e : inventories.entrySet()) {
      if (running(e.getValue(), vmId)) {
        return Optional.of(e.getKey());
      }
    }
    return Optional.empty();
  }

  private static boolean running(LibvirtInventory host, String vmId) {
    return host.withConnection(
        "lookup " + vmId,
        c -> {
          Domain d = lookup(c, vmId);
          return d != null && d.isActive() == 1;
        });
  }

  /** The domain, or null when the daemon has none of that name. */
  private static Domain lookup(Connect c, String vmId) throws LibvirtException {
    for (Domain d : c.listAllDomains(0)) {
      if (d.getName().equals(vmId)) {
        return d;
      }
    }
    return null;
  }

  @Override
  public MigrationResult migrate(MigrationRequest r) {
    if (r.targetImage() != null) {
      // a forward move writes only where converted images live (the request comes from process
      // variables; a path elsewhere is refused before anything is touched)
      requireUnderImageDir("migrate " + r.vmId() + " onto", r.targetImage());
    }
    Host target = requireHost("migrate " + r.vmId(), r.targetHostId());
    Host source = requireHost("migrate " + r.vmId(), r.sourceHostId());
    if (running(inventories.get(target.hostId()), r.vmId())) {
      return new MigrationResult(
          r.migrationId(), r.vmId(), r.sourceHostId(), r.targetHostId(), 0, 0, 0, true);
    }
    if (!running(inventories.get(source.hostId()), r.vmId())) {
      throw new HypervisorException(
          "libvirt: migrate %s: the VM does not run on the source %s (it runs on %s)"
              .formatted(r.vmId(), source.hostId(), locate(r.vmId()).orElse("no host")));
    }
    if (r.targetHostId().equals(r.sourceHostId())) {
      throw new HypervisorException(
          "libvirt: migrate %s: source and target are both %s"
              .formatted(r.vmId(), source.hostId()));
    }
    return r.strategy() == MigrationStrategy.WARM
        ? warm(r.migrationId(), r.vmId(), source, target, r.targetImage())
        : live(
            r.migrationId(), r.vmId(), source, target, r.targetImage(), r.stateTransferOptions());
  }

  /**
   * A peer-to-peer live migration on its own connection and thread, within the timeout. With an
   * image, the guest's disk is copied while it runs ({@code NON_SHARED_DISK}) into that image,
   * which the destination XML names (the pre-converted image in the target's format); without one
   * the disk stays where it is (shared storage).
   */
  private MigrationResult live(
      String migrationId,
      String vmId,
      Host source,
      Host target,
      ImageRef image,
      Map<String, String> options) {
    int flags =
        Domain.MigrateFlags.LIVE
            | Domain.MigrateFlags.PEER2PEER
            | Domain.MigrateFlags.PERSIST_DEST
            | Domain.MigrateFlags.UNDEFINE_SOURCE
            | Domain.MigrateFlags.ABORT_ON_ERROR;
    if (Boolean.parseBoolean(options.get(OPTION_AUTO_CONVERGE))) {
      flags |= Domain.MigrateFlags.AUTO_CONVERGE;
    }
    if (Boolean.parseBoolean(options.get(OPTION_POSTCOPY))) {
      flags |= Domain.MigrateFlags.POSTCOPY;
    }
    if (Boolean.parseBoolean(options.get(OPTION_COMPRESSED))) {
      flags |= Domain.MigrateFlags.COMPRESSED;
    }
    long bw = positiveWhole(options, OPTION_BANDWIDTH_MIBPS, "MiB/s", 0, vmId);
    long maxDowntimeMs =
        positiveWhole(options, OPTION_MAX_DOWNTIME_MS, "ms", DEFAULT_MAX_DOWNTIME_MS, vmId);
    if (image != null) {
      flags |= Domain.MigrateFlags.NON_SHARED_DISK;
    }
    int f = flags;
    String op = "migrate %s to %s".formatted(vmId, target.hostId());
    long t0 = System.nanoTime();
    Future<Void> job =
        migrations.submit(
            () -> {
              Connect c = new Connect(source.uri(), false);
              try {
                Domain d = lookup(c, vmId);
                if (d == null) {
                  throw new HypervisorException(
                      "libvirt: %s: no domain %s on %s".formatted(op, vmId, source.hostId()));
                }
                // QEMU stops the guest for the final copy once what is left to send fits in
                // this time at the measured bandwidth
                d.migrateSetMaxDowntime(maxDowntimeMs);
                // peer to peer: the source daemon connects to the target's URI itself
                if (image == null) {
                  d.migrateToURI(target.peerUri(), f, null, bw);
                } else {
                  List<TypedParameter> params = new ArrayList<>();
                  params.add(
                      new TypedStringParameter(
                          "destination_xml", onImage(d.getXMLDesc(MIGRATABLE_XML), image, op)));
                  if (bw > 0) {
                    params.add(new TypedUlongParameter("bandwidth", bw));
                  }
                  d.migrateToURI(target.peerUri(), params.toArray(new TypedParameter[0]), f);
                }
                return null;
              } finally {
                c.close();
              }
            });
    await(job, source, op, () -> abort(source, vmId));
    long durationMs = (System.nanoTime() - t0) / 1_000_000;
    Map<String, String> stats = completedJob(inventories.get(target.hostId()), vmId);
    return new MigrationResult(
        migrationId,
        vmId,
        source.hostId(),
        target.hostId(),
        durationMs,
        parse(stats.get("downtime"), -1),
        parse(stats.getOrDefault("data_total", stats.get("memory_total")), 0),
        false);
  }

  /**
   * A whole number > 0 from the options, {@code fallback} when absent.
   *
   * @throws HypervisorException naming the option, its unit and the value given
   */
  private static long positiveWhole(
      Map<String, String> options, String key, String unit, long fallback, String vmId) {
    String text = options.get(key);
    if (text == null) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      value = -1;
    }
    if (value <= 0) {
      throw new HypervisorException(
          "libvirt: migrate %s: %s must be a whole number of %s > 0, was '%s'"
              .formatted(vmId, key, unit, text));
    }
    return value;
  }

  /** The domain XML with its first file disk on {@code image} (path and format). */
  static String onImage(String xml, ImageRef image, String op) {
    Matcher m = FILE_DISK.matcher(xml);
    if (!m.find()) {
      throw new HypervisorException(
          "libvirt: %s onto %s: the domain has no file-backed disk".formatted(op, image.path()));
    }
    String disk =
        m.group()
            .replaceFirst(
                "(<driver[^>]*type=)['\"][^'\"]*['\"]", "$1'" + image.format().qemuName() + "'")
            .replaceFirst(
                "(<source[^>]*file=)['\"][^'\"]*['\"]",
                "$1'" + Matcher.quoteReplacement(xmlEscape(image.path())) + "'");
    return xml.substring(0, m.start()) + disk + xml.substring(m.end());
  }

  private static String xmlEscape(String s) {
    return s.replace("&", "&amp;").replace("'", "&apos;").replace("<", "&lt;");
  }

  /**
   * A warm migration: the guest keeps running while its disk is frozen and converted, then stops
   * for the cut-over only.
   *
   * <ol>
   *   <li>an external disk-only snapshot on the source: new writes go to an overlay, the base image
   *       no longer changes;
   *   <li>the frozen base is converted to the target's format while the guest runs (the bulk of the
   *       work, outside the downtime);
   *   <li>cut-over: the guest's memory is saved to a file (it stops), the overlay is rebased onto
   *       the converted base and committed into it (only what was written since the snapshot), and
   *       the guest is restored on the target from the converted image, with its memory (it resumes
   *       where it stopped);
   *   <li>the target defines it persistently, the source forgets it; overlay and state file go.
   * </ol>
   *
   * Downtime is from the save to the restore. If the cut-over fails after the save, the guest is
   * restored on the source and the migration fails.
   */
  private MigrationResult warm(
      String migrationId, String vmId, Host source, Host target, ImageRef requested) {
    String op = "warm-migrate %s to %s".formatted(vmId, target.hostId());
    ImageFormat format =
        requested != null ? requested.format() : target.formats().iterator().next();
    Path converted =
        requested != null
            ? Path.of(requested.path())
            : imageDir.resolve(fileName(migrationId, format));
    Path overlay = imageDir.resolve(fileName(migrationId + ".overlay", ImageFormat.QCOW2));
    Path state = imageDir.resolve(safe(migrationId) + ".state");
    long t0 = System.nanoTime();
    Future<long[]> job =
        migrations.submit(
            () -> {
              Files.createDirectories(imageDir);
              RawConnect src = new RawConnect(source.uri());
              RawConnect dst = new RawConnect(target.uri());
              try {
                Domain d = lookup(src, vmId);
                if (d == null) {
                  throw new HypervisorException(
                      "libvirt: %s: no domain %s on %s".formatted(op, vmId, source.hostId()));
                }
                Matcher disk = DISK_DEV.matcher(d.getXMLDesc(0));
                if (!disk.find()) {
                  throw new HypervisorException(
                      "libvirt: %s: the domain has no file-backed disk".formatted(op));
                }
                ImageFormat baseFormat = ImageFormat.fromName(disk.group(1));
                Path base = Path.of(disk.group(2));
                d.snapshotCreateXML(
                    ("<domainsnapshot><name>vmdna-%s</name><disks><disk name='%s'"
                            + " snapshot='external'><driver type='qcow2'/><source file='%s'/>"
                            + "</disk></disks></domainsnapshot>")
                        .formatted(safe(migrationId), disk.group(3), xmlEscape(overlay.toString())),
                    SNAPSHOT_DISK_ONLY | SNAPSHOT_NO_METADATA | SNAPSHOT_ATOMIC);
                // the base is frozen now; QEMU still holds it open read-only. Converted once per
                // content and format (the cache), copied so that folding the overlay in below
                // leaves the cached image as it was
                Path cached = conversions.converted(base, baseFormat, format, true);
                Files.copy(cached, converted, StandardCopyOption.REPLACE_EXISTING);
                // the restored guest runs from the converted image alone: no backing chain
                String dxml =
                    onImage(
                            d.getXMLDesc(MIGRATABLE_XML),
                            new ImageRef(converted.toString(), format),
                            op)
                        .replaceAll("(?s)<backingStore/>|<backingStore.*?</backingStore>", "");
                long stop = System.nanoTime();
                d.save(state.toString());
                try {
                  qemuImg.rebaseUnsafe(overlay, converted, format);
                  qemuImg.commit(overlay);
                  dst.restore(state, dxml);
                } catch (RuntimeException e) {
                  src.restore(state, null); // back where it was, on the overlay chain
                  throw e;
                }
                long downtimeMs = (System.nanoTime() - stop) / 1_000_000;
                Domain moved = lookup(dst, vmId);
                dst.domainDefineXML(moved.getXMLDesc(0));
                d.undefine();
                Files.deleteIfExists(overlay);
                Files.deleteIfExists(state);
                return new long[] {downtimeMs, Files.size(converted)};
              } finally {
                src.close();
                dst.close();
              }
            });
    long[] done = await(job, source, op, () -> {});
    return new MigrationResult(
        migrationId,
        vmId,
        source.hostId(),
        target.hostId(),
        (System.nanoTime() - t0) / 1_000_000,
        done[0],
        done[1],
        false);
  }

  /**
   * Waits for a migration job within the migration timeout. On timeout the job is cancelled, {@code
   * onTimeout} runs (e.g. asking the source to abort), and the caller learns that the outcome is
   * unknown ({@link HypervisorUnavailableException}: reconcile where the VM runs).
   */
  private <T> T await(Future<T> job, Host source, String op, Runnable onTimeout) {
    try {
      return job.get(migrationTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      job.cancel(true);
      onTimeout.run();
      throw new HypervisorUnavailableException(
          source.hostId(),
          op,
          "not finished within %s: reconcile where the VM runs".formatted(migrationTimeout));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof HypervisorException he) {
        throw he;
      }
      throw new HypervisorException(
          "libvirt: %s failed: %s".formatted(op, cause.getMessage()), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HypervisorUnavailableException(source.hostId(), op, "interrupted");
    }
  }

  /** libvirt's restore with a new domain XML, which libvirt-java 0.5.4 does not bind. */
  private interface RestoreFlags extends com.sun.jna.Library {
    RestoreFlags LIB = com.sun.jna.Native.load("virt", RestoreFlags.class);

    int virDomainRestoreFlags(ConnectionPointer conn, String from, String dxml, int flags);

    String virGetLastErrorMessage();
  }

  /** A connection that can restore a saved guest with another XML. */
  private static final class RawConnect extends Connect {
    RawConnect(String uri) throws LibvirtException {
      super(uri, false);
    }

    void restore(Path state, String dxml) {
      if (RestoreFlags.LIB.virDomainRestoreFlags(vcp, state.toString(), dxml, 0) != 0) {
        throw new HypervisorException(
            "libvirt: restore %s: %s".formatted(state, RestoreFlags.LIB.virGetLastErrorMessage()));
      }
    }
  }

  private void abort(Host source, String vmId) {
    try {
      inventories
          .get(source.hostId())
          .withConnection(
              "abort migration of " + vmId,
              c -> {
                Domain d = lookup(c, vmId);
                if (d != null) {
                  d.abortJob();
                }
                return null;
              });
    } catch (HypervisorException e) {
      // the source does not answer either: reconcile will find out where the VM is
    }
  }

  /** The target's statistics of the last completed job on the domain, by field name. */
  private static Map<String, String> completedJob(LibvirtInventory host, String vmId) {
    try {
      return host.withConnection(
          "job stats of " + vmId,
          c -> {
            Map<String, String> out = new LinkedHashMap<>();
            Domain d = lookup(c, vmId);
            if (d != null) {
              DomainJobStats s = d.getJobStats(COMPLETED_JOB);
              for (TypedParameter p : s.stats) {
                out.put(p.field, p.getValueAsString());
              }
            }
            return out;
          });
    } catch (HypervisorException e) {
      return Map.of(); // statistics are a report, not the migration's outcome
    }
  }

  private static long parse(String v, long fallback) {
    try {
      return v == null ? fallback : Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  @Override
  public MigrationResult migrateBack(
      String migrationId, String vmId, String originalHostId, ImageRef originalImage) {
    Host original = requireHost("migrateBack " + vmId, originalHostId);
    Optional<String> now = locate(vmId);
    if (now.isEmpty()) {
      throw new HypervisorException(
          "libvirt: migrateBack %s: the VM runs on no host".formatted(vmId));
    }
    if (now.get().equals(originalHostId)) {
      return new MigrationResult(migrationId, vmId, originalHostId, originalHostId, 0, 0, 0, true);
    }
    return live(migrationId, vmId, hosts.get(now.get()), original, originalImage, Map.of());
  }

  /**
   * The domain runs on {@code hostId} and on no other host, and its guest is alive: its state is
   * running and its CPU time advances within two seconds. Blocks up to two seconds.
   */
  @Override
  public boolean isHealthy(String vmId, String hostId) {
    LibvirtInventory host = inventories.get(hostId);
    if (host == null) {
      return false;
    }
    for (Map.Entry<String, LibvirtInventory> e : inventories.entrySet()) {
      if (!e.getKey().equals(hostId) && running(e.getValue(), vmId)) {
        return false;
      }
    }
    return host.withConnection(
        "health of " + vmId,
        c -> {
          Domain d = lookup(c, vmId);
          if (d == null || d.isActive() != 1) {
            return false;
          }
          DomainInfo before = d.getInfo();
          // QEMU's CPU time moves in coarse steps: watch it for up to two seconds
          for (int i = 0; i < 10; i++) {
            try {
              Thread.sleep(200);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return false;
            }
            DomainInfo after = d.getInfo();
            if (after.state.ordinal() != RUNNING) {
              return false;
            }
            if (after.cpuTime > before.cpuTime) {
              return true;
            }
          }
          return false;
        });
  }

  @Override
  public ImageRef convertImage(String migrationId, String vmId, ImageFormat targetFormat) {
    Optional<ImageRef> done = convertedImage(migrationId);
    if (done.isPresent()) {
      return done.get();
    }
    ImageRef source =
        vm(vmId)
            .map(VmInfo::image)
            .orElseThrow(
                () ->
                    new HypervisorException(
                        "libvirt: convertImage %s: the VM runs on no host or has no file disk"
                            .formatted(vmId)));
    Path target = imageDir.resolve(fileName(migrationId, targetFormat));
    try {
      Files.createDirectories(imageDir);
    } catch (IOException e) {
      throw new HypervisorException(
          "libvirt: cannot create the converted-image folder " + imageDir + ": " + e.getMessage(),
          e);
    }
    // the guest runs from the source: read it unlocked; a live migration with storage copy then
    // overwrites this pre-copy with the disk's current content
    qemuImg.convert(Path.of(source.path()), source.format(), target, targetFormat, true);
    return new ImageRef(target.toString(), targetFormat);
  }

  private static String fileName(String migrationId, ImageFormat f) {
    return safe(migrationId) + "." + f.extension();
  }

  /** A migration id as a file or snapshot name: anything but letters, digits, {@code ._-} → _. */
  private static String safe(String migrationId) {
    return migrationId.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  @Override
  public Optional<ImageRef> convertedImage(String migrationId) {
    for (ImageFormat f : ImageFormat.values()) {
      Path p = imageDir.resolve(fileName(migrationId, f));
      if (Files.exists(p)) {
        return Optional.of(new ImageRef(p.toString(), f));
      }
    }
    return Optional.empty();
  }

  private Path requireUnderImageDir(String what, ImageRef image) {
    Path p = Path.of(image.path()).toAbsolutePath().normalize();
    if (!p.startsWith(imageDir.toAbsolutePath().normalize())) {
      throw new HypervisorException(
          "libvirt: refusing to %s %s: not under the converted-image folder %s"
              .formatted(what, p, imageDir));
    }
    return p;
  }

  @Override
  public boolean deleteImage(ImageRef image) {
    Path p = requireUnderImageDir("delete", image);
    for (VmInfo vm : vms()) {
      if (vm.image() != null && Path.of(vm.image().path()).toAbsolutePath().normalize().equals(p)) {
        throw new HypervisorException(
            "libvirt: refusing to delete %s: VM %s runs from it".formatted(p, vm.vmId()));
      }
    }
    try {
      return Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new HypervisorException("libvirt: cannot delete " + p + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean imageExists(ImageRef image) {
    return Files.exists(Path.of(image.path()));
  }

  private Host requireHost(String op, String hostId) {
    Host h = hosts.get(hostId);
    if (h == null) {
      throw new HypervisorException(
          "libvirt: %s: unknown host '%s'; hosts: %s".formatted(op, hostId, hosts.keySet()));
    }
    return h;
  }

  /** Closes every connection and thread. Idempotent. */
  @Override
  public void close() {
    inventories.values().forEach(LibvirtInventory::close);
    migrations.shutdownNow();
  }
}
