package io.vmdna.cli;

import io.camunda.zeebe.process.test.api.ZeebeTestEngine;
import io.camunda.zeebe.process.test.engine.EngineFactory;
import io.vmdna.flink.DnaHistorySink;
import io.vmdna.flink.DnaProfilerJob;
import io.vmdna.flink.FeedSource;
import io.vmdna.flink.InJvmFeeds;
import io.vmdna.flink.ProfilerConfig;
import io.vmdna.flink.ZeebeSignalSink;
import io.vmdna.hypervisor.image.QemuImg;
import io.vmdna.hypervisor.sim.FleetSpec;
import io.vmdna.hypervisor.sim.SimFleet;
import io.vmdna.store.DnaHistoryRepository;
import io.vmdna.store.EmbeddedDatabase;
import io.vmdna.store.MigrationRecord;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.MigrationStatus;
import io.vmdna.workers.WorkersApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole vmdna loop in one JVM, on real engines: the in-process Zeebe engine (or a real broker's
 * gateway, {@link DemoSettings#gateway()}), an embedded PostgreSQL, the simulated fleet replaying
 * traces, the Spring Boot workers and {@link DnaProfilerJob} on a Flink MiniCluster. Used by {@code
 * ./vmdna demo} and the end-to-end test.
 *
 * <p>Start order matters: database and engine first, then the workers (which deploy the process),
 * then the Flink job. {@link #close()} stops everything in reverse. Not thread-safe; one loop per
 * JVM at a time when the Zeebe port is fixed.
 */
public final class DemoLoop implements AutoCloseable {
  private final DemoSettings settings;
  private final String feedName = "vmdna-demo-" + UUID.randomUUID();
  private static final int DNA_BATCH = 200;
  private EmbeddedDatabase database;
  private ZeebeTestEngine engine;
  private SimFleet fleet;
  private ConfigurableApplicationContext workers;

  /** The Zeebe gateway the workers and the job talk to (the in-process engine's, or given). */
  private String gateway;

  /** Creates the loop; nothing starts until {@link #start()}. */
  public DemoLoop(DemoSettings settings) {
    this.settings = settings;
  }

  /**
   * Snapshot of progress while the job runs.
   *
   * @param simTimeS simulated time, epoch seconds
   * @param samplesLeft samples still to replay
   * @param migrations migration records by status
   */
  public record Progress(long simTimeS, long samplesLeft, Map<MigrationStatus, Long> migrations) {}

  /** Starts database, engine, fleet and workers. */
  public DemoLoop start() {
    if (!Files.isRegularFile(settings.dataDir().resolve("fleet.csv"))) {
      throw new IllegalArgumentException(
          "no fleet.csv in %s: pass --data with a folder of traces and a fleet.csv (see data/bitbrains-demo)"
              .formatted(settings.dataDir().toAbsolutePath()));
    }
    try {
      Files.createDirectories(settings.workDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + settings.workDir(), e);
    }
    database = EmbeddedDatabase.start();
    if (settings.gateway() == null) {
      int zeebePort = settings.zeebePort() == 0 ? freePort() : settings.zeebePort();
      engine = EngineFactory.create(zeebePort);
      engine.start();
      gateway = "http://localhost:" + zeebePort;
    } else {
      gateway = settings.gateway();
    }
    FleetSpec spec = FleetSpec.read(settings.dataDir().resolve("fleet.csv"));
    fleet =
        SimFleet.load(
            settings.dataDir(),
            spec,
            settings.workDir().resolve("images-" + System.currentTimeMillis()),
            QemuImg.onPath());
    workers =
        WorkersApplication.startEmbedded(
            fleet, database.jdbcUrl(), "postgres", "postgres", gateway);
    return this;
  }

  /**
   * Replays the whole fleet through the Flink job, calling {@code progress} every {@code every},
   * then waits up to {@code settle} for the migrations it started to finish.
   *
   * @return the job's counters
   */
  public DnaProfilerJob.Counters run(Duration every, Duration settle, Consumer<Progress> progress)
      throws Exception {
    InJvmFeeds.register(feedName, fleet);
    try {
      Configuration conf = new Configuration();
      conf.set(CoreOptions.DEFAULT_PARALLELISM, settings.flinkParallelism());
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
      Map<String, Double> capacities = new LinkedHashMap<>();
      fleet.hosts().forEach(h -> capacities.put(h.hostId(), h.cpuCapacityMhz()));
      int vmCount = fleet.vms().size();
      DnaProfilerJob job =
          new DnaProfilerJob(
                  FeedSource.of(feedName, settings.stepsPerSecond() * vmCount),
                  new ZeebeSignalSink(gateway, Duration.ofSeconds(10)),
                  ProfilerConfig.defaults(capacities).withForecastModel(settings.forecastModel()))
              .withDnaHistory(
                  new DnaHistorySink(database.jdbcUrl(), "postgres", "postgres", DNA_BATCH));
      job.build(env);
      JobClient client = env.executeAsync("vmdna DnaProfilerJob");
      while (!client.getJobExecutionResult().isDone()) {
        progress.accept(progress());
        try {
          client.getJobExecutionResult().get(every.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException ignored) {
          // report progress and keep waiting
        }
      }
      JobExecutionResult result = client.getJobExecutionResult().get();
      long deadline = System.nanoTime() + settle.toNanos();
      while (inFlight() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(250);
      }
      progress.accept(progress());
      return DnaProfilerJob.Counters.of(result);
    } finally {
      InJvmFeeds.unregister(feedName);
    }
  }

  private long inFlight() {
    return migrations().all().stream()
        .filter(
            r -> Set.of(MigrationStatus.STARTED, MigrationStatus.ROLLING_BACK).contains(r.status()))
        .count();
  }

  private Progress progress() {
    Map<MigrationStatus, Long> byStatus = new LinkedHashMap<>();
    for (MigrationRecord r : migrations().all()) {
      byStatus.merge(r.status(), 1L, Long::sum);
    }
    return new Progress(fleet.nowS(), fleet.remainingSamples(), byStatus);
  }

  /** The store's DNA history, which the job writes (one embedding per VM every 3 hours). */
  public DnaHistoryRepository dnaHistory() {
    return new DnaHistoryRepository(database.dataSource());
  }

  /** The store's migration records. */
  public MigrationRepository migrations() {
    return new MigrationRepository(database.dataSource());
  }

  /** The simulated fleet. */
  public SimFleet fleet() {
    return fleet;
  }

  /**
   * The in-process engine's outcomes (its record stream); empty on a real gateway, whose records
   * Operate shows.
   */
  public Optional<EngineOutcomes> outcomes() {
    return engine == null
        ? Optional.empty()
        : Optional.of(new EngineOutcomes(engine.getRecordStreamSource()));
  }

  /** Records of every migration, oldest first. */
  public List<MigrationRecord> records() {
    return migrations().all();
  }

  @Override
  public void close() {
    if (workers != null) {
      workers.close();
    }
    if (engine != null) {
      engine.stop();
    }
    if (database != null) {
      database.close();
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port for the Zeebe engine", e);
    }
  }
}
