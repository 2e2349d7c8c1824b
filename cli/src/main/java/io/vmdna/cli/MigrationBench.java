package io.vmdna.cli;

import io.camunda.client.CamundaClient;
import io.camunda.zeebe.process.test.api.ZeebeTestEngine;
import io.camunda.zeebe.process.test.engine.EngineFactory;
import io.vmdna.bpmn.ProcessContract;
import io.vmdna.bpmn.ProcessContract.Vars;
import io.vmdna.hypervisor.image.QemuImg;
import io.vmdna.hypervisor.sim.FleetSpec;
import io.vmdna.hypervisor.sim.SimFleet;
import io.vmdna.store.EmbeddedDatabase;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.MigrationStatus;
import io.vmdna.workers.WorkersApplication;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code ./vmdna bench}: drives N migrations through the real process with the real workers,
 * PostgreSQL and qemu-img, on a simulated fleet large enough that caps and cooldowns do not bind;
 * on the in-process engine, or on a real Zeebe broker ({@code --gateway}). Reports completed
 * migrations per second, the latency from publishing the request to the migration's completion, and
 * the time each step adds, all measured from the store's records, so the two engines are measured
 * the same way.
 *
 * <p>Requests are published as fast as the engine accepts them (at most 64 unanswered), or, with a
 * {@code ratePerS}, paced at that many per second: a rate the system sustains keeps request → end
 * latency flat; above it, latency grows with the queue (the way to find the sustainable rate).
 *
 * <p>{@code warmups} migrations of other VMs run first, unmeasured, the same way: the bench's JVM
 * (workers, simulator) starts cold, and its JIT compilers took half of its CPU through a 1,500
 * migration run without them, which a long-running worker service does not pay.
 *
 * @param migrations migrations to run (one per VM)
 * @param hosts simulated hosts
 * @param dataDir the traces the simulated VMs replay (the bundled extract)
 * @param workDir folder for the fleet file and disk images
 * @param gateway a Zeebe gateway to use instead of the in-process engine, or null
 * @param ratePerS requests per second to publish at, or 0 for as fast as accepted
 * @param hostMhz each simulated host's CPU capacity, MHz: {@link #UNBOUND_HOST_MHZ} by default, so
 *     that capacity never binds; a few hundred thousand makes concurrent scans compete for the same
 *     headroom ({@code CAPACITY_GONE} and rescans, then {@code RolledBackEndEvent} after three)
 * @param warmups unmeasured migrations of other VMs run before the measured ones (0: none)
 */
public record MigrationBench(
    int migrations,
    int hosts,
    Path dataDir,
    Path workDir,
    String gateway,
    double ratePerS,
    long hostMhz,
    int warmups) {

  /** The default host capacity, MHz: far more than every VM together. */
  public static final long UNBOUND_HOST_MHZ = 1_000_000_000L;

  /** Validates. */
  public MigrationBench {
    if (migrations < 1 || hosts < 2) {
      throw new IllegalArgumentException(
          "bench needs --migrations >= 1 and --hosts >= 2, were %d and %d"
              .formatted(migrations, hosts));
    }
    if (!(ratePerS >= 0) || Double.isInfinite(ratePerS)) {
      throw new IllegalArgumentException(
          "bench --rate must be a finite number of requests per second >= 0 (0: as fast as"
              + " the engine accepts them), was "
              + ratePerS);
    }
    if (hostMhz < 1) {
      throw new IllegalArgumentException("bench --host-mhz must be >= 1, was " + hostMhz);
    }
    if (warmups < 0) {
      throw new IllegalArgumentException("bench --warmup must be >= 0, was " + warmups);
    }
  }

  /** The default number of warm-up migrations on a real broker. */
  public static final int DEFAULT_WARMUPS = 1000;

  /** As fast as the engine accepts requests, on hosts whose capacity never binds; no warm-up. */
  public MigrationBench(int migrations, int hosts, Path dataDir, Path workDir, String gateway) {
    this(migrations, hosts, dataDir, workDir, gateway, 0, UNBOUND_HOST_MHZ, 0);
  }

  /** Runs the benchmark and prints the report. */
  public void run(PrintStream out) throws Exception {
    Path fleetDir = writeFleet();
    long t0 = System.nanoTime();
    ZeebeTestEngine engine = null;
    String address = gateway;
    if (address == null) {
      int port = freePort();
      engine = EngineFactory.create(port);
      engine.start();
      address = "http://localhost:" + port;
    }
    try (EmbeddedDatabase db = EmbeddedDatabase.start()) {
      SimFleet fleet =
          SimFleet.load(
              fleetDir,
              FleetSpec.read(fleetDir.resolve("fleet.csv")),
              workDir.resolve("images-" + System.nanoTime()),
              QemuImg.onPath());
      for (int i = 0; i < 12; i++) {
        fleet.nextStep();
      }
      Map<String, String> props = new HashMap<>();
      props.put("vmdna.rails.vm-cooldown", "PT0S");
      props.put("vmdna.rails.max-per-source", "100000");
      props.put("vmdna.rails.max-per-target", "100000");
      props.put("vmdna.rails.max-total", "100000");
      // the workers deploy the process before startEmbedded returns (ProcessDeployer)
      ConfigurableApplicationContext workers =
          WorkersApplication.startEmbedded(
              fleet, db.jdbcUrl(), "postgres", "postgres", address, props, false);
      MigrationRepository store = new MigrationRepository(db.dataSource());
      String engineName = engine == null ? "Zeebe broker at " + address : "in-process test engine";
      try (CamundaClient client =
          CamundaClient.newClientBuilder()
              .grpcAddress(URI.create(address))
              .preferRestOverGrpc(false)
              .build()) {
        out.printf(
            "bench: %d migrations on %d hosts, %s, ready in %.1f s%n",
            migrations, hosts, engineName, secs(t0));
        String run = Long.toString(System.currentTimeMillis(), 36);
        if (warmups > 0) {
          String prefix = "warmup-" + run + "-"; // apart from the measured "bench-" ids
          long w0 = System.nanoTime();
          publishAll(client, fleet, prefix, "w", warmups, 0);
          Map<MigrationStatus, Long> warmEnded = awaitEnded(store, prefix, warmups, w0);
          out.printf(
              "bench: warm-up: %d migrations ended %s in %.1f s (not measured)%n",
              warmups, warmEnded, secs(w0));
        }
        String prefix = "bench-" + run + "-";
        java.util.Optional<CpuUse> cpuBefore = CpuUse.now();
        long start = System.nanoTime();
        Map<String, Instant> published =
            publishAll(client, fleet, prefix, "b", migrations, ratePerS);
        double publishS = secs(start);
        Map<MigrationStatus, Long> ended = awaitEnded(store, prefix, migrations, start);
        java.util.Optional<CpuUse> cpuAfter = CpuUse.now();
        double cpuWallS = secs(start); // the report below reads the store: not part of the run
        report(out, store, published, ended, publishS);
        if (cpuBefore.isPresent() && cpuAfter.isPresent()) {
          out.print(cpuReport(cpuAfter.get().since(cpuBefore.get()), migrations, cpuWallS));
        } else {
          out.println("  CPU split: not available here (no Linux /proc)");
        }
      } finally {
        workers.close();
      }
    } finally {
      if (engine != null) {
        engine.stop();
      }
    }
  }

  /**
   * Publishes {@code count} migration requests (ids {@code idPrefix + i}, VMs {@code vmPrefix +
   * i}), at most 64 unanswered, paced at {@code ratePerS} when it is above 0, and returns when the
   * engine has accepted them all.
   *
   * @return when each request was sent, by migration id
   */
  private static Map<String, Instant> publishAll(
      CamundaClient client,
      SimFleet fleet,
      String idPrefix,
      String vmPrefix,
      int count,
      double ratePerS)
      throws InterruptedException {
    Map<String, Instant> published = new HashMap<>();
    long start = System.nanoTime();
    // up to 64 publishes in flight: a blocking publish per request would measure the
    // round trip to the broker, not what the process can do
    java.util.ArrayDeque<java.util.concurrent.CompletionStage<?>> inFlight =
        new java.util.ArrayDeque<>();
    for (int i = 0; i < count; i++) {
      if (ratePerS > 0) {
        // paced: request i is due i / rate seconds after the first
        long wait = start + (long) (i * 1e9 / ratePerS) - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
      if (inFlight.size() >= 64) {
        inFlight.poll().toCompletableFuture().join();
      }
      String vm = vmPrefix + i;
      String id = idPrefix + i;
      published.put(id, Instant.now());
      Map<String, Object> vars =
          Map.of(
              Vars.MIGRATION_ID,
              id,
              Vars.VM_ID,
              vm,
              Vars.HOST_ID,
              fleet.locate(vm).orElseThrow(),
              Vars.SIGNAL_TYPE,
              ProcessContract.SignalTypes.API,
              Vars.SIGNAL_TIME,
              Instant.now().toString(),
              Vars.REASON,
              "bench");
      inFlight.add(
          publish(
              () ->
                  // the message the REST API sends
                  io.vmdna.workers.api.MigrationService.requestMessage(client, id, vars)
                      .send()
                      .toCompletableFuture(),
              0));
    }
    inFlight.forEach(f -> f.toCompletableFuture().join());
    return published;
  }

  /**
   * Waits until {@code count} migrations whose ids start with {@code idPrefix} have ended, polling
   * the store every 500 ms (the figures come from the store's times, not from this poll).
   *
   * @throws IllegalStateException when they have not all ended 15 minutes after {@code start}
   */
  private static Map<MigrationStatus, Long> awaitEnded(
      MigrationRepository store, String idPrefix, int count, long start)
      throws InterruptedException {
    Map<MigrationStatus, Long> ended;
    do {
      Thread.sleep(500);
      ended = ended(store, idPrefix);
      if (secs(start) > 900) {
        throw new IllegalStateException(
            "bench: only %s of %d ended in 15 min".formatted(ended, count));
      }
    } while (ended.values().stream().mapToLong(Long::longValue).sum() < count);
    return ended;
  }

  /**
   * Sends a publish and, when the broker pushes back ({@code RESOURCE_EXHAUSTED}), sends it again
   * after a growing pause: backpressure is the broker working as designed, not a failure.
   */
  private static java.util.concurrent.CompletableFuture<?> publish(
      Supplier<java.util.concurrent.CompletableFuture<?>> send, int attempt) {
    return send.get()
        .handle(
            (r, e) -> {
              if (e == null) {
                return java.util.concurrent.CompletableFuture.completedFuture(r);
              }
              if (attempt < 20
                  && io.grpc.Status.fromThrowable(e).getCode()
                      == io.grpc.Status.Code.RESOURCE_EXHAUSTED) {
                java.util.concurrent.Executor later =
                    java.util.concurrent.CompletableFuture.delayedExecutor(
                        10L << Math.min(attempt, 6), java.util.concurrent.TimeUnit.MILLISECONDS);
                return java.util.concurrent.CompletableFuture.supplyAsync(() -> null, later)
                    .thenCompose(x -> publish(send, attempt + 1));
              }
              return java.util.concurrent.CompletableFuture.failedFuture(e);
            })
        .thenCompose(f -> f);
  }

  private static final Set<MigrationStatus> ENDED =
      EnumSet.of(
          MigrationStatus.MIGRATED,
          MigrationStatus.ROLLED_BACK,
          MigrationStatus.NO_SUITABLE_HOST,
          MigrationStatus.DECLINED,
          MigrationStatus.CANCELLED);

  /**
   * The run's migrations that ended, by status: counted by the database (reading every record at
   * each poll cost the bench's own process and PostgreSQL CPU that the report charged to the
   * migrations).
   */
  private static Map<MigrationStatus, Long> ended(MigrationRepository store, String idPrefix) {
    Map<MigrationStatus, Long> out = new TreeMap<>(store.countByStatus(idPrefix));
    out.keySet().retainAll(ENDED);
    return out;
  }

  private void report(
      PrintStream out,
      MigrationRepository store,
      Map<String, Instant> published,
      Map<MigrationStatus, Long> ended,
      double publishS) {
    Instant first = published.values().stream().min(Instant::compareTo).orElseThrow();
    Instant last = first;
    List<Long> latency = new ArrayList<>();
    String slowest = null;
    long slowestMs = -1;
    Map<String, List<Long>> stepMs = new TreeMap<>();
    Map<String, Long> notOk = new TreeMap<>(); // "step outcome" -> count
    long longestWaitMs = -1;
    String longestWait = "";
    List<Instant> ends = new ArrayList<>();
    Map<String, Long> latencyById = new HashMap<>();
    for (Map.Entry<String, Instant> p : published.entrySet()) {
      MigrationRepository.Times t = store.times(p.getKey()).orElseThrow();
      ends.add(t.updated());
      if (t.updated().isAfter(last)) {
        last = t.updated();
      }
      long ms = Duration.between(p.getValue(), t.updated()).toMillis();
      latency.add(ms);
      latencyById.put(p.getKey(), ms);
      if (ms > slowestMs) {
        slowestMs = ms;
        slowest = p.getKey();
      }
      Instant before = p.getValue();
      for (MigrationRepository.Step s : store.steps(p.getKey())) {
        long waited = Duration.between(before, s.at()).toMillis();
        stepMs.computeIfAbsent(s.step(), k -> new ArrayList<>()).add(waited);
        if (!"OK".equals(s.outcome())) {
          notOk.merge(s.step() + " " + s.outcome(), 1L, Long::sum);
        }
        if (waited > longestWaitMs) {
          longestWaitMs = waited;
          longestWait = s.step() + " of " + p.getKey();
        }
        before = s.at();
      }
    }
    double elapsed = Duration.between(first, last).toMillis() / 1000.0;
    out.printf(
        "bench: %d migrations ended %s in %.1f s = %.1f migrations/s (publishing took %.1f s%s)%n",
        migrations,
        ended,
        elapsed,
        migrations / elapsed,
        publishS,
        ratePerS > 0 ? ", paced at %s/s".formatted(ratePerS) : "");
    out.print(steadyState(first, ends));
    out.printf(
        "  request -> ended, ms: p50 %d, p95 %d, max %d%n",
        pct(latency, 50), pct(latency, 95), pct(latency, 100));
    out.print(drift(published, latencyById));
    out.println("  time each step adds (previous step or request -> this step recorded), ms:");
    out.printf("  slowest migration %s (%d ms):%n", slowest, slowestMs);
    Instant from = published.get(slowest);
    for (MigrationRepository.Step st : store.steps(slowest)) {
      out.printf(
          "    +%6d ms  %-24s %s%n",
          Duration.between(from, st.at()).toMillis(), st.step(), st.outcome());
    }
    stepMs.forEach(
        (step, ms) ->
            out.printf(
                "    %-24s n %5d  p50 %5d  p95 %5d%n", step, ms.size(), pct(ms, 50), pct(ms, 95)));
    out.printf(
        "  outcomes other than OK: %s%n",
        notOk.isEmpty()
            ? "none"
            : String.join(
                ", ",
                notOk.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList()));
    // a job left active until its timeout (60 s for the short steps) would show here
    out.printf("  longest wait for one step: %d ms (%s)%n", longestWaitMs, longestWait);
  }

  /**
   * Whether the run kept pace: the median request → end latency of the first and of the last tenth
   * of the requests, in the order they were sent. At a rate the system sustains the two agree;
   * above it the queue, and with it the latency, grows through the run. Empty for fewer than 10.
   */
  static String drift(Map<String, Instant> published, Map<String, Long> latencyMs) {
    List<String> bySent =
        published.entrySet().stream()
            .sorted(Map.Entry.comparingByValue())
            .map(Map.Entry::getKey)
            .toList();
    int n = bySent.size();
    if (n < 10) {
      return "";
    }
    List<Long> first = bySent.subList(0, n / 10).stream().map(latencyMs::get).toList();
    List<Long> last = bySent.subList(n - n / 10, n).stream().map(latencyMs::get).toList();
    return "  request -> ended p50, first tenth of the requests %d ms, last tenth %d ms%n"
        .formatted(pct(first, 50), pct(last, 50));
  }

  /**
   * The rate without the ramp-up (the first migrations have no queue behind them) and the drain
   * (the last ones have none in front): migrations that ended between the 10th and the 90th
   * percentile of the end times, per second; and how many ended in each 5 s from the first request,
   * to show both.
   */
  static String steadyState(Instant firstRequest, List<Instant> ends) {
    List<Instant> sorted = ends.stream().sorted().toList();
    int n = sorted.size();
    if (n < 10) {
      return "";
    }
    int lo = n / 10;
    int hi = n - 1 - n / 10;
    double s = Duration.between(sorted.get(lo), sorted.get(hi)).toMillis() / 1000.0;
    long[] per5s =
        new long[(int) (Duration.between(firstRequest, sorted.get(n - 1)).toSeconds() / 5) + 1];
    for (Instant e : sorted) {
      per5s[(int) Math.max(0, Duration.between(firstRequest, e).toSeconds() / 5)]++;
    }
    StringBuilder b = new StringBuilder("  ended per 5 s from the first request:");
    for (long c : per5s) {
      b.append(' ').append(c);
    }
    b.append('\n');
    b.append(
        "  steady state (10th to 90th percentile of end times): %d in %.1f s = %.1f migrations/s%n"
            .formatted(hi - lo, s, s > 0 ? (hi - lo) / s : Double.NaN));
    return b.toString();
  }

  /**
   * Where the CPU went while the migrations ran: this process (workers, simulator, bench, and the
   * in-process engine when there is no {@code --gateway}), its ended child processes ({@code
   * qemu-img}), and the rest of the machine (a broker on this machine, PostgreSQL, anything else
   * running), in seconds and milliseconds per migration.
   */
  static String cpuReport(CpuUse used, int migrations, double wallS) {
    int cores = Runtime.getRuntime().availableProcessors();
    return """
          CPU while they ran: %.1f s busy of %.1f s on %d cores (%.0f ms per migration):
            this process (workers, simulator, bench)  %6.1f s  %5.1f ms per migration
            its child processes (qemu-img)            %6.1f s  %5.1f ms per migration
            everything else (engine, PostgreSQL, ...) %6.1f s  %5.1f ms per migration
        """
        .formatted(
            used.machineS(),
            wallS * cores,
            cores,
            1000 * used.machineS() / migrations,
            used.selfS(),
            1000 * used.selfS() / migrations,
            used.childrenS(),
            1000 * used.childrenS() / migrations,
            used.othersS(),
            1000 * used.othersS() / migrations);
  }

  private Path writeFleet() throws IOException {
    Path dir = workDir.resolve("fleet");
    Files.createDirectories(dir);
    List<String> traces =
        List.copyOf(FleetSpec.read(dataDir.resolve("fleet.csv")).placement().keySet());
    List<String> lines = new ArrayList<>();
    for (int h = 0; h < hosts; h++) {
      // hosts far larger than every VM together, so that no reservation ever binds: all the
      // concurrent scans rank the same host first, and on ordinary hosts that herd makes
      // CAPACITY_GONE rescans, which measure the contention, not the process
      lines.add("host,h%d,%d,1099511627776,%s".formatted(h, hostMhz, h % 2 == 0 ? "qcow2" : "raw"));
    }
    for (int i = 0; i < migrations + warmups; i++) {
      String trace = traces.get(i % traces.size());
      // measured VMs b0..; the warm-up's w0.. (other VMs, so that no cooldown or hysteresis
      // carries over)
      String vm = i < migrations ? "b" + i : "w" + (i - migrations);
      lines.add("vm,%s,h%d,%s".formatted(vm, i % hosts, trace));
      Path copy = dir.resolve(trace + ".csv.gz");
      if (!Files.exists(copy)) {
        Files.copy(dataDir.resolve(trace + ".csv.gz"), copy);
      }
    }
    Files.write(dir.resolve("fleet.csv"), lines);
    return dir;
  }

  private static long pct(List<Long> xs, int p) {
    if (xs.isEmpty()) {
      return 0;
    }
    List<Long> s = xs.stream().sorted().toList();
    int i = (int) Math.ceil(p / 100.0 * s.size()) - 1;
    return s.get(Math.max(0, Math.min(s.size() - 1, i)));
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
