package io.vmdna.workers;

import static org.awaitility.Awaitility.await;

import io.camunda.client.CamundaClient;
import io.camunda.zeebe.process.test.api.ZeebeTestEngine;
import io.camunda.zeebe.process.test.engine.EngineFactory;
import io.camunda.zeebe.process.test.filters.RecordStream;
import io.camunda.zeebe.protocol.record.Record;
import io.camunda.zeebe.protocol.record.intent.JobIntent;
import io.camunda.zeebe.protocol.record.intent.ProcessInstanceIntent;
import io.camunda.zeebe.protocol.record.value.BpmnElementType;
import io.camunda.zeebe.protocol.record.value.ProcessInstanceRecordValue;
import io.vmdna.bpmn.ProcessContract;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.hypervisor.image.QemuImg;
import io.vmdna.hypervisor.sim.FleetSpec;
import io.vmdna.hypervisor.sim.SimFleet;
import io.vmdna.store.EmbeddedDatabase;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.ReservationRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Test support: the real engines the workers run against (in-process Zeebe engine, embedded
 * PostgreSQL, the simulated demo fleet with real qemu-img, the Spring Boot workers), and readers of
 * the engine's records.
 */
final class EmbeddedLoop implements AutoCloseable {
  static final Path DATA = Path.of("../data/bitbrains-demo");
  static final Duration WAIT = Duration.ofSeconds(60);

  EmbeddedDatabase db;
  private final Path dbData;
  final ZeebeTestEngine engine;
  final SimFleet fleet;
  final Hypervisor hypervisor;
  ConfigurableApplicationContext workers;
  private final String gateway;
  final CamundaClient client;
  final MigrationRepository migrations;
  final ReservationRepository reservations;

  /** The store password the workers get, or null: from their own configuration. */
  private final String storePassword;

  private EmbeddedLoop(Path images, Map<String, String> extra, boolean web, String storePassword) {
    this(demoFleet(images), extra, web, storePassword);
  }

  /** The demo's simulated fleet, an hour into its traces so hosts report real usage. */
  static SimFleet demoFleet(Path images) {
    SimFleet fleet =
        SimFleet.load(DATA, FleetSpec.read(DATA.resolve("fleet.csv")), images, QemuImg.onPath());
    for (int i = 0; i < 12; i++) {
      fleet.nextStep();
    }
    return fleet;
  }

  private EmbeddedLoop(
      Hypervisor hypervisor, Map<String, String> extra, boolean web, String storePassword) {
    this.storePassword = storePassword;
    try {
      dbData = java.nio.file.Files.createTempDirectory("vmdna-pg-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    db = EmbeddedDatabase.start(dbData, 0);
    int port = freePort();
    engine = EngineFactory.create(port);
    engine.start();
    this.hypervisor = hypervisor;
    this.fleet = hypervisor instanceof SimFleet sim ? sim : null;
    gateway = "http://localhost:" + port;
    workers =
        WorkersApplication.startEmbedded(
            hypervisor, db.jdbcUrl(), "postgres", storePassword, gateway, extra, web);
    client =
        CamundaClient.newClientBuilder()
            .grpcAddress(URI.create(gateway))
            .preferRestOverGrpc(false)
            .build();
    migrations = new MigrationRepository(db.dataSource());
    reservations = new ReservationRepository(db.dataSource());
    await()
        .atMost(WAIT)
        .until(
            () ->
                retrying(
                    () ->
                        stream(records().processRecords())
                            .anyMatch(
                                r ->
                                    r.getValue()
                                        .getBpmnProcessId()
                                        .equals(ProcessContract.PROCESS_ID))));
  }

  /** Starts everything; {@code web} adds the REST API on a free port ({@link #httpPort()}). */
  static EmbeddedLoop start(Path images, Map<String, String> extra, boolean web) {
    Map<String, String> props = new java.util.HashMap<>(extra);
    if (web) {
      props.putIfAbsent("server.port", "0");
    }
    return new EmbeddedLoop(images, props, web, "postgres");
  }

  /**
   * As {@link #start(Path, Map, boolean)}, the workers taking the store password from their own
   * configuration (the embedded PostgreSQL trusts local connections: any password connects).
   */
  static EmbeddedLoop startWithConfiguredStorePassword(
      Path images, Map<String, String> extra, boolean web) {
    Map<String, String> props = new java.util.HashMap<>(extra);
    if (web) {
      props.putIfAbsent("server.port", "0");
    }
    return new EmbeddedLoop(images, props, web, null);
  }

  /** Starts everything around another hypervisor (e.g. real libvirt hosts); no web server. */
  static EmbeddedLoop start(Hypervisor hypervisor, Map<String, String> extra) {
    return new EmbeddedLoop(hypervisor, extra, false, "postgres");
  }

  /** Stops the workers and starts them again with other properties (same engine and store). */
  void restartWorkers(Map<String, String> extra) {
    workers.close();
    workers =
        WorkersApplication.startEmbedded(
            hypervisor, db.jdbcUrl(), "postgres", storePassword, gateway, extra, false);
  }

  /**
   * Starts another workers app instance against the same engine, store and hypervisors (a second
   * replica); the caller closes it.
   */
  ConfigurableApplicationContext startReplica(Map<String, String> extra) {
    return startReplica(hypervisor, extra);
  }

  /** As {@link #startReplica(Map)}, the replica seeing the hypervisors through {@code view}. */
  ConfigurableApplicationContext startReplica(Hypervisor view, Map<String, String> extra) {
    return WorkersApplication.startEmbedded(
        view, db.jdbcUrl(), "postgres", storePassword, gateway, extra, false);
  }

  /** Stops PostgreSQL (fast shutdown: open connections are cut), as a crash or restart would. */
  void stopDatabase() {
    db.close();
  }

  /**
   * Starts PostgreSQL again on the same data folder and port; clients (the workers' pool, the
   * repositories here) reconnect to it as to the restarted server.
   */
  void startDatabase(int port) {
    db = EmbeddedDatabase.start(dbData, port);
  }

  /** The REST API's port (web mode only). */
  int httpPort() {
    return Integer.parseInt(workers.getEnvironment().getProperty("local.server.port"));
  }

  @Override
  public void close() {
    client.close();
    workers.close();
    try {
      engine.stop();
    } catch (RuntimeException alreadyStopped) {
      // a test may have stopped the engine to drill a failure
    }
    try {
      db.close();
    } catch (RuntimeException alreadyStopped) {
      // a drill may have stopped it
    }
    try {
      org.apache.commons.io.FileUtils.deleteDirectory(dbData.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dbData, e);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T> Stream<T> stream(Iterable<T> records) {
    return StreamSupport.stream(records.spliterator(), false);
  }

  /**
   * Reads the engine's record stream, which the engine appends to while we read: a read that meets
   * a concurrent append is repeated. The in-memory log is a plain list read without a lock, so such
   * a read fails as a {@link ConcurrentModificationException} or, when it sees a slot the list has
   * grown to but not yet filled, as a {@link NullPointerException} inside the engine's {@code
   * InMemoryLogStorage} (seen once in CI); any other exception is ours and is thrown.
   */
  static <T> T retrying(Supplier<T> read) {
    for (int attempt = 1; ; attempt++) {
      try {
        return read.get();
      } catch (ConcurrentModificationException | NullPointerException e) {
        if (attempt == 20 || !isConcurrentAppend(e)) {
          throw e;
        }
      }
    }
  }

  /** Whether {@code e} is a read of the engine's in-memory log meeting a concurrent append. */
  static boolean isConcurrentAppend(RuntimeException e) {
    if (e instanceof ConcurrentModificationException) {
      return true;
    }
    return Arrays.stream(e.getStackTrace())
        .anyMatch(f -> f.getClassName().startsWith(IN_MEMORY_LOG_STORAGE));
  }

  private static final String IN_MEMORY_LOG_STORAGE =
      "io.camunda.zeebe.process.test.engine.InMemoryLogStorage";

  RecordStream records() {
    return RecordStream.of(engine.getRecordStreamSource());
  }

  /** Process instances whose migrationId variable is {@code id}. */
  List<Long> instancesOf(String id) {
    String json = "\"" + id + "\"";
    return retrying(
        () ->
            stream(records().variableRecords())
                .filter(
                    r ->
                        r.getValue().getName().equals("migrationId")
                            && r.getValue().getValue().equals(json))
                .map(r -> r.getValue().getProcessInstanceKey())
                .distinct()
                .toList());
  }

  /** The end event an instance completed in, if it has. */
  Optional<String> endOf(long instanceKey) {
    List<Record<ProcessInstanceRecordValue>> ends =
        retrying(
            () ->
                stream(records().processInstanceRecords())
                    .filter(r -> r.getValue().getProcessInstanceKey() == instanceKey)
                    .filter(r -> r.getIntent() == ProcessInstanceIntent.ELEMENT_COMPLETED)
                    .filter(r -> r.getValue().getBpmnElementType() == BpmnElementType.END_EVENT)
                    .toList());
    return ends.stream().map(r -> r.getValue().getElementId()).findFirst();
  }

  /** Waits for the single instance of a migration id to complete and returns its end event. */
  String awaitEnd(String id) {
    await()
        .atMost(WAIT)
        .until(() -> instancesOf(id).size() == 1 && endOf(instancesOf(id).getFirst()).isPresent());
    return endOf(instancesOf(id).getFirst()).orElseThrow();
  }

  /**
   * Starts a migration of {@code vm} as the REST API does (message {@code vm-migration-requested}
   * with correlation key and message id {@code id}), without going through HTTP.
   */
  void requestMigration(String id, String vm) {
    requestMigration(id, vm, Map.of());
  }

  /**
   * As {@link #requestMigration(String, String)}, with the request's hypervisor options (a map;
   * anything else to test a malformed variable).
   */
  void requestMigration(String id, String vm, Object options) {
    requestMigrationWith(id, vm, Map.of(ProcessContract.Vars.OPTIONS, options));
  }

  /**
   * As {@link #requestMigration(String, String)}, with {@code variables} added to the message's or
   * replacing them (e.g. a malformed one).
   */
  void requestMigrationWith(String id, String vm, Map<String, Object> variables) {
    Map<String, Object> message = new java.util.HashMap<>();
    message.put("migrationId", id);
    message.put("vmId", vm);
    message.put("hostId", hypervisor.locate(vm).orElseThrow());
    message.put("signalType", "API");
    message.put("reason", "test");
    message.putAll(variables);
    client
        .newPublishMessageCommand()
        .messageName(ProcessContract.MESSAGE_REQUESTED)
        .correlationKey(id)
        .messageId(id)
        .variables(message)
        .send()
        .join();
  }

  /** The incidents created for the migration's instance. */
  List<Record<io.camunda.zeebe.protocol.record.value.IncidentRecordValue>> incidents(String id) {
    long instance = instancesOf(id).getFirst();
    return retrying(
        () ->
            stream(records().incidentRecords())
                .filter(
                    r ->
                        r.getIntent()
                            == io.camunda.zeebe.protocol.record.intent.IncidentIntent.CREATED)
                .filter(r -> r.getValue().getProcessInstanceKey() == instance)
                .toList());
  }

  /** Waits until a job of the given type was created for the migration's instance. */
  void awaitJobActivated(String id, String jobType) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                !instancesOf(id).isEmpty()
                    && retrying(
                        () ->
                            stream(records().jobRecords())
                                .anyMatch(
                                    r ->
                                        r.getIntent() == JobIntent.CREATED
                                            && r.getValue().getType().equals(jobType)
                                            && r.getValue().getProcessInstanceKey()
                                                == instancesOf(id).getFirst())));
  }
}
