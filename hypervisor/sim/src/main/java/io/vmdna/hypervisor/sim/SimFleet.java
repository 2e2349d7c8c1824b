package io.vmdna.hypervisor.sim;

import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.hypervisor.api.HypervisorException;
import io.vmdna.hypervisor.api.HypervisorUnavailableException;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.hypervisor.api.MigrationRequest;
import io.vmdna.hypervisor.api.MigrationResult;
import io.vmdna.hypervisor.api.SampleFeed;
import io.vmdna.hypervisor.api.VmInfo;
import io.vmdna.hypervisor.image.QemuImg;
import io.vmdna.models.VmSample;
import io.vmdna.models.trace.BitbrainsTraceReader;
import io.vmdna.models.trace.SkippedLine;
import io.vmdna.models.trace.VmTrace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code sim} hypervisor: a fleet of simulated hosts whose VMs replay Bitbrains traces.
 *
 * <p>Time is simulated: each {@link #nextStep()} advances the clock by one sample interval (300 s)
 * and returns the samples of that interval, each tagged with the host the VM runs on at that
 * moment. A migration moves the VM, and so its load, to the target host from the next step on.
 * Every VM has a small real disk image (created with {@code qemu-img create}); {@link
 * #convertImage} converts it with the real {@code qemu-img convert}.
 *
 * <p>Migrations cost no wall time: their simulated duration and downtime ({@link
 * MigrationCost#defaults()}) are reported, not slept.
 *
 * <p>Thread-safe: every method is synchronized (workers and the Flink source call it concurrently).
 * Idempotent where {@link Hypervisor} says so, by migration id.
 */
public final class SimFleet implements Hypervisor, SampleFeed {
  private static final Logger LOG = LoggerFactory.getLogger(SimFleet.class);

  /** Sample interval of the replay, seconds. */
  public static final long STEP_S = 300;

  private static final MigrationCost COST = MigrationCost.defaults();
  private static final long IMAGE_SIZE_BYTES = 16L << 20;
  private static final int TREND_STEPS = 12;

  private final Map<String, FleetSpec.Host> hosts = new LinkedHashMap<>();
  private final Map<String, SimVm> vms = new LinkedHashMap<>();
  private final Map<String, MigrationResult> completed = new HashMap<>();
  private final Map<String, ImageRef> converted = new HashMap<>();
  private final Map<String, Set<SimFault>> faults = new HashMap<>();
  private final List<SimMigration> history = new ArrayList<>();
  private final List<SkippedLine> skippedLines = new ArrayList<>();
  private final Map<String, Long> overloadSteps = new LinkedHashMap<>();
  private final Map<String, java.util.ArrayDeque<Double>> recentCpu = new HashMap<>();
  private final QemuImg qemuImg;

  /**
   * Serialise conversions per migration (a migration always maps to the same stripe), so that a
   * retried step never runs {@code qemu-img} twice at once onto the same temporary file.
   */
  private final Object[] conversionLocks = newLocks(64);

  private final Path imageDir;

  /**
   * {@link #hosts()}'s answer until a step or a move changes it (null: build it again from {@link
   * #hostUse}): the workers ask for every host several times per migration, and a pass over a large
   * fleet's VMs each time was a fifth of the workers' CPU in {@code ./vmdna bench}.
   */
  private List<HostInfo> hostsView;

  /**
   * What each host's VMs use, {cpu MHz, memory KiB, disk bytes}, kept up to date by a move (the
   * VM's use taken from one host's sums and added to the other's); null after a step, which changes
   * every VM's sample (then one pass over the VMs). A move used to throw the whole view away, and
   * every migration's next host lookup paid a pass over all the VMs: two fifths of the workers' job
   * threads in {@code ./vmdna bench} on 3,500 VMs.
   */
  private Map<String, double[]> hostUse;

  private long stepStartS;
  private long remaining;
  private CountDownLatch hangs = new CountDownLatch(1);
  private final java.util.concurrent.atomic.AtomicInteger waiting =
      new java.util.concurrent.atomic.AtomicInteger();

  private static final class SimVm {
    final String vmId;
    final List<VmSample> samples;
    final ImageRef originalImage;
    final String originalHostId;
    String hostId;
    ImageRef image;
    int cursor;
    VmSample latest;

    SimVm(String vmId, String hostId, List<VmSample> samples, ImageRef image) {
      this.vmId = vmId;
      this.hostId = hostId;
      this.originalHostId = hostId;
      this.samples = samples;
      this.image = image;
      this.originalImage = image;
    }
  }

  private SimFleet(QemuImg qemuImg, Path imageDir) {
    this.qemuImg = qemuImg;
    this.imageDir = imageDir;
  }

  /**
   * Builds a fleet: reads each VM's trace from {@code traceDir} ({@code <vmId>.csv[.gz]}), places
   * it as {@code spec} says, and creates its disk image in {@code imageDir} in its host's format.
   *
   * @throws IllegalArgumentException when a VM of the spec has no trace file or no valid sample
   * @throws HypervisorException when {@code qemu-img} cannot create an image
   */
  public static SimFleet load(Path traceDir, FleetSpec spec, Path imageDir, QemuImg qemuImg) {
    SimFleet fleet = new SimFleet(qemuImg, imageDir);
    try {
      Files.createDirectories(imageDir);
    } catch (IOException e) {
      throw new HypervisorException("sim: cannot create image folder " + imageDir, e);
    }
    spec.hosts().forEach(h -> fleet.hosts.put(h.hostId(), h));
    BitbrainsTraceReader reader = new BitbrainsTraceReader();
    long start = Long.MAX_VALUE;
    for (Map.Entry<String, String> e : spec.placement().entrySet()) {
      String vmId = e.getKey();
      Path file = traceFile(traceDir, spec.traceOf(vmId));
      VmTrace trace = reader.read(file);
      if (trace.samples().isEmpty()) {
        throw new IllegalArgumentException("sim: trace " + file + " has no valid sample");
      }
      fleet.skippedLines.addAll(trace.skipped());
      ImageFormat format = fleet.hosts.get(e.getValue()).imageFormat();
      Path image = imageDir.resolve(vmId + "." + format.extension());
      if (!Files.exists(image)) {
        qemuImg.create(image, format, IMAGE_SIZE_BYTES);
      }
      ImageRef ref = new ImageRef(image.toString(), format);
      List<VmSample> samples =
          vmId.equals(trace.vmId())
              ? trace.samples()
              : trace.samples().stream().map(x -> x.asVm(vmId)).toList();
      fleet.vms.put(vmId, new SimVm(vmId, e.getValue(), samples, ref));
      fleet.remaining += trace.samples().size();
      start = Math.min(start, trace.samples().getFirst().timestampS());
    }
    fleet.stepStartS = start;
    LOG.info(
        "sim fleet: {} hosts, {} VMs, {} samples from {}",
        fleet.hosts.size(),
        fleet.vms.size(),
        fleet.remaining,
        traceDir);
    return fleet;
  }

  private static Path traceFile(Path dir, String vmId) {
    for (String ext : List.of(".csv.gz", ".csv")) {
      Path p = dir.resolve(vmId + ext);
      if (Files.exists(p)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "sim: no trace file for VM '%s' in %s (expected %s.csv or %s.csv.gz)"
            .formatted(vmId, dir, vmId, vmId));
  }

  // ---- SampleFeed ----

  @Override
  public synchronized List<VmSample> nextStep() {
    long end = stepStartS + STEP_S;
    List<VmSample> out = new ArrayList<>();
    for (SimVm vm : vms.values()) {
      while (vm.cursor < vm.samples.size() && vm.samples.get(vm.cursor).timestampS() < end) {
        VmSample s = vm.samples.get(vm.cursor++).onHost(vm.hostId);
        vm.latest = s;
        out.add(s);
      }
    }
    remaining -= out.size();
    stepStartS = end;
    hostsView = null;
    hostUse = null;
    countOverloads();
    return out;
  }

  @Override
  public synchronized long remainingSamples() {
    return remaining;
  }

  private void countOverloads() {
    for (FleetSpec.Host h : hosts.values()) {
      double cpu = 0;
      for (SimVm vm : vms.values()) {
        if (vm.hostId.equals(h.hostId()) && vm.latest != null) {
          cpu += vm.latest.cpuUsageMhz();
        }
      }
      if (cpu > h.cpuMhz()) {
        overloadSteps.merge(h.hostId(), 1L, Long::sum);
      }
      java.util.ArrayDeque<Double> window =
          recentCpu.computeIfAbsent(h.hostId(), k -> new java.util.ArrayDeque<>());
      window.addLast(cpu);
      if (window.size() > TREND_STEPS) {
        window.removeFirst();
      }
    }
  }

  /** Least-squares slope of the host's CPU over the last hour of steps, MHz per hour. */
  private double trendPerHour(String hostId) {
    java.util.ArrayDeque<Double> window = recentCpu.get(hostId);
    if (window == null || window.size() < 2) {
      return 0;
    }
    double[] y = window.stream().mapToDouble(Double::doubleValue).toArray();
    return io.vmdna.models.dna.Stats.slope(y) * (3600.0 / STEP_S);
  }

  /**
   * Steps (of {@link #STEP_S} seconds) in which each host's VMs used more CPU than the host has, so
   * far; hosts never overloaded are absent. This is the degradation vmdna exists to avoid.
   */
  public synchronized Map<String, Long> overloadSteps() {
    return Map.copyOf(overloadSteps);
  }

  /** The simulated time: the start of the next step, epoch seconds. */
  public synchronized long nowS() {
    return stepStartS;
  }

  /** Lines skipped while reading the traces (bad samples), with file and line. */
  public synchronized List<SkippedLine> skippedLines() {
    return List.copyOf(skippedLines);
  }

  /** The moves made so far, oldest first. */
  public synchronized List<SimMigration> history() {
    return List.copyOf(history);
  }

  /** Makes {@code fault} happen for {@code vmId} until {@link #clearFaults}. */
  public synchronized void inject(SimFault fault, String vmId) {
    requireVm("inject", vmId);
    faults.computeIfAbsent(vmId, k -> EnumSet.noneOf(SimFault.class)).add(fault);
  }

  /** Removes every injected fault. */
  public synchronized void clearFaults() {
    faults.clear();
  }

  // ---- Hypervisor ----

  @Override
  public String name() {
    return "sim";
  }

  @Override
  public synchronized List<HostInfo> hosts() {
    if (hostsView != null) {
      return hostsView;
    }
    if (hostUse == null) {
      // one pass over the VMs (not one per host)
      hostUse = new HashMap<>();
      for (SimVm vm : vms.values()) {
        addUse(hostUse.computeIfAbsent(vm.hostId, k -> new double[3]), vm, 1);
      }
    }
    List<HostInfo> out = new ArrayList<>();
    for (FleetSpec.Host h : hosts.values()) {
      double[] u = hostUse.getOrDefault(h.hostId(), new double[3]);
      out.add(
          new HostInfo(
              h.hostId(),
              h.cpuMhz(),
              h.memoryKb(),
              u[0],
              u[1],
              Set.of(h.imageFormat()),
              true,
              h.storageBytes() - (long) u[2],
              trendPerHour(h.hostId())));
    }
    hostsView = List.copyOf(out);
    return hostsView;
  }

  /** Adds ({@code sign} 1) or takes away (-1) what {@code vm} uses to or from a host's sums. */
  private static void addUse(double[] u, SimVm vm, int sign) {
    u[2] += sign * (double) IMAGE_SIZE_BYTES;
    if (vm.latest != null) {
      u[0] += sign * vm.latest.cpuUsageMhz();
      u[1] += sign * vm.latest.memUsageKb();
    }
  }

  @Override
  public synchronized List<VmInfo> vms() {
    return vms.values().stream().map(SimFleet::info).toList();
  }

  @Override
  public synchronized Optional<VmInfo> vm(String vmId) {
    return Optional.ofNullable(vms.get(vmId)).map(SimFleet::info);
  }

  private static VmInfo info(SimVm vm) {
    VmSample s = vm.latest != null ? vm.latest : vm.samples.getFirst();
    return new VmInfo(
        vm.vmId,
        vm.hostId,
        s.cpuCores(),
        s.cpuProvisionedMhz(),
        s.memProvisionedKb(),
        vm.image,
        IMAGE_SIZE_BYTES);
  }

  @Override
  public synchronized Optional<String> locate(String vmId) {
    return Optional.ofNullable(vms.get(vmId)).map(vm -> vm.hostId);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Conversions of different migrations run in parallel ({@code qemu-img} runs outside the
   * fleet's lock); two calls for the same migration run one after the other, the second finding the
   * first one's image.
   */
  @Override
  public ImageRef convertImage(String migrationId, String vmId, ImageFormat targetFormat) {
    ImageRef image;
    synchronized (conversionLocks[Math.floorMod(migrationId.hashCode(), conversionLocks.length)]) {
      image = convertOnce(migrationId, vmId, targetFormat);
    }
    if (hasFaultLocked(vmId, SimFault.CONVERSION_HANGS)) {
      hang("convertImage " + vmId);
    }
    return image;
  }

  private ImageRef convertOnce(String migrationId, String vmId, ImageFormat targetFormat) {
    ImageRef source;
    Path target;
    synchronized (this) {
      SimVm vm = requireVm("convertImage", vmId);
      ImageRef done = converted.get(migrationId);
      if (done != null && Files.exists(Path.of(done.path()))) {
        return done;
      }
      if (hasFault(vmId, SimFault.HOST_UNREACHABLE)) {
        throw new HypervisorUnavailableException(
            vm.hostId, "convertImage " + vmId, "connection refused (injected fault)");
      }
      if (hasFault(vmId, SimFault.CONVERSION_FAILS)) {
        throw new HypervisorException(
            "sim: convertImage %s of VM %s to %s failed (injected fault)"
                .formatted(vm.image.path(), vmId, targetFormat.qemuName()));
      }
      source = vm.image;
      target = imageDir.resolve(vmId + "-" + safe(migrationId) + "." + targetFormat.extension());
    }
    qemuImg.convert(Path.of(source.path()), source.format(), target, targetFormat);
    ImageRef ref = new ImageRef(target.toString(), targetFormat);
    synchronized (this) {
      converted.put(migrationId, ref);
    }
    return ref;
  }

  private static Object[] newLocks(int n) {
    Object[] locks = new Object[n];
    for (int i = 0; i < n; i++) {
      locks[i] = new Object();
    }
    return locks;
  }

  private static String safe(String id) {
    return id.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  @Override
  public synchronized boolean deleteImage(ImageRef image) {
    for (SimVm vm : vms.values()) {
      if (vm.image.path().equals(image.path()) || vm.originalImage.path().equals(image.path())) {
        throw new HypervisorException(
            "sim: refusing to delete %s: it is VM %s's disk".formatted(image.path(), vm.vmId));
      }
    }
    try {
      converted.values().removeIf(r -> r.path().equals(image.path()));
      return Files.deleteIfExists(Path.of(image.path()));
    } catch (IOException e) {
      throw new HypervisorException(
          "sim: cannot delete " + image.path() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized boolean imageExists(ImageRef image) {
    return Files.exists(Path.of(image.path()));
  }

  @Override
  public MigrationResult migrate(MigrationRequest r) {
    if (hasFaultLocked(r.vmId(), SimFault.MIGRATION_HANGS_BEFORE_MOVE)) {
      hang("migrate " + r.vmId());
    }
    if (hasFaultLocked(r.vmId(), SimFault.MIGRATION_WAITS)) {
      awaitRelease("migrate " + r.vmId());
    }
    MigrationResult result = migrateLocked(r);
    if (hasFaultLocked(r.vmId(), SimFault.MIGRATION_HANGS_AFTER_MOVE)) {
      hang("migrate " + r.vmId());
    }
    return result;
  }

  private synchronized MigrationResult migrateLocked(MigrationRequest r) {
    MigrationResult done = completed.get(r.migrationId());
    if (done != null) {
      return new MigrationResult(
          done.migrationId(), done.vmId(), done.fromHostId(), done.toHostId(), 0, 0, 0, true);
    }
    SimVm vm = requireVm("migrate", r.vmId());
    FleetSpec.Host target = hosts.get(r.targetHostId());
    if (target == null) {
      throw new HypervisorException(
          "sim: migrate %s: unknown target host '%s'".formatted(r.vmId(), r.targetHostId()));
    }
    if (!vm.hostId.equals(r.sourceHostId())) {
      throw new HypervisorException(
          "sim: migrate %s: VM runs on %s, not on the source %s"
              .formatted(r.vmId(), vm.hostId, r.sourceHostId()));
    }
    if (r.targetHostId().equals(vm.hostId)) {
      throw new HypervisorException(
          "sim: migrate %s: source and target are both %s".formatted(r.vmId(), vm.hostId));
    }
    ImageRef image = r.targetImage() != null ? r.targetImage() : vm.image;
    if (image.format() != target.imageFormat()) {
      throw new HypervisorException(
          "sim: migrate %s: host %s runs %s images, the VM's image is %s"
              .formatted(
                  r.vmId(),
                  target.hostId(),
                  target.imageFormat().qemuName(),
                  image.format().qemuName()));
    }
    if (hasFault(r.vmId(), SimFault.MIGRATION_FAILS)) {
      throw new HypervisorException(
          "sim: migrate %s from %s to %s failed (injected fault)"
              .formatted(r.vmId(), vm.hostId, target.hostId()));
    }
    MigrationResult result = move(r.migrationId(), vm, target.hostId(), image, false);
    completed.put(r.migrationId(), result);
    return result;
  }

  @Override
  public synchronized MigrationResult migrateBack(
      String migrationId, String vmId, String originalHostId, ImageRef originalImage) {
    SimVm vm = requireVm("migrateBack", vmId);
    if (!hosts.containsKey(originalHostId)) {
      throw new HypervisorException(
          "sim: migrateBack %s: unknown host '%s'".formatted(vmId, originalHostId));
    }
    if (vm.hostId.equals(originalHostId)) {
      return new MigrationResult(migrationId, vmId, originalHostId, originalHostId, 0, 0, 0, true);
    }
    completed.remove(migrationId);
    return move(migrationId, vm, originalHostId, originalImage, true);
  }

  private MigrationResult move(
      String migrationId, SimVm vm, String to, ImageRef image, boolean back) {
    String from = vm.hostId;
    double memKb = vm.latest != null ? vm.latest.memUsageKb() : vm.samples.getFirst().memUsageKb();
    long bytes = COST.bytes(memKb);
    if (hostUse != null) {
      addUse(hostUse.computeIfAbsent(from, k -> new double[3]), vm, -1);
      addUse(hostUse.computeIfAbsent(to, k -> new double[3]), vm, 1);
    }
    vm.hostId = to;
    vm.image = image;
    hostsView = null;
    history.add(new SimMigration(migrationId, vm.vmId, from, to, stepStartS, back));
    LOG.info("sim: {} {} {} -> {}", back ? "migrated back" : "migrated", vm.vmId, from, to);
    return new MigrationResult(
        migrationId, vm.vmId, from, to, COST.durationMs(memKb), COST.downtimeMs(), bytes, false);
  }

  @Override
  public synchronized boolean isHealthy(String vmId, String hostId) {
    SimVm vm = vms.get(vmId);
    if (vm == null || !vm.hostId.equals(hostId)) {
      return false;
    }
    boolean moved = !vm.hostId.equals(vm.originalHostId);
    return !(moved && hasFault(vmId, SimFault.GUEST_DIES_ON_TARGET));
  }

  @Override
  public synchronized Optional<ImageRef> convertedImage(String migrationId) {
    return Optional.ofNullable(converted.get(migrationId))
        .filter(i -> Files.exists(Path.of(i.path())));
  }

  /** Lets every call blocked by a hang fault return (it then fails as a timed-out call would). */
  public void releaseHangs() {
    CountDownLatch old;
    synchronized (this) {
      old = hangs;
      hangs = new CountDownLatch(1);
    }
    old.countDown();
  }

  /** Blocks outside the fleet's lock, so reconcile and other calls go on while this one hangs. */
  private void hang(String what) {
    awaitRelease(what);
    throw new HypervisorException("sim: " + what + " hung and was released (injected fault)");
  }

  /** Blocks, outside the fleet's lock, until {@link #releaseHangs}; counted in {@link #waiting}. */
  private void awaitRelease(String what) {
    CountDownLatch latch;
    synchronized (this) {
      latch = hangs;
    }
    LOG.warn("sim: {} waits to be released (injected fault)", what);
    waiting.incrementAndGet();
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      waiting.decrementAndGet();
    }
  }

  /** How many calls are blocked right now by a hang or wait fault. Thread-safe. */
  public int waiting() {
    return waiting.get();
  }

  private synchronized boolean hasFaultLocked(String vmId, SimFault f) {
    return hasFault(vmId, f);
  }

  private boolean hasFault(String vmId, SimFault f) {
    return faults.getOrDefault(vmId, Set.of()).contains(f);
  }

  private SimVm requireVm(String op, String vmId) {
    SimVm vm = vms.get(vmId);
    if (vm == null) {
      throw new HypervisorException("sim: %s: unknown VM '%s'".formatted(op, vmId));
    }
    return vm;
  }
}
