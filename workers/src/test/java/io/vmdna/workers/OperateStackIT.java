package io.vmdna.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camunda.client.CamundaClient;
import io.vmdna.bpmn.ProcessContract;
import io.vmdna.bpmn.ProcessContract.EndEvents;
import io.vmdna.hypervisor.sim.SimFault;
import io.vmdna.hypervisor.sim.SimFleet;
import io.vmdna.stack.ArtifactFetcher;
import io.vmdna.stack.CamundaStack;
import io.vmdna.stack.StackSettings;
import io.vmdna.store.EmbeddedDatabase;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.MigrationStatus;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The workers against the real Camunda 8.6 distribution, started as {@code ./vmdna stack up} starts
 * it ({@link CamundaStack}: broker, gateway and Operate in one JVM, exporting to a local
 * OpenSearch; data on disk), with the simulated fleet, real qemu-img and an embedded PostgreSQL.
 *
 * <ul>
 *   <li>A migrated and a rolled-back instance, as ops see them: Operate's REST API says where each
 *       ended, and Debian's Chromium, driven by Selenium, logs into Operate's web UI and sees both
 *       in the process's instance list and each one's variables (forecast, chosen host, reason).
 *       Screenshots are kept in {@code target/operate/}.
 *   <li>Drill: the broker is stopped (SIGTERM) while {@code vmdna.migrate} is in flight and started
 *       again on its data: the instance goes on from where it was and the VM moves once.
 * </ul>
 *
 * Needs Debian's {@code chromium} and {@code chromium-driver} (skipped with the reason when
 * missing; {@code .ci/run} installs them and fails on a skip) and Maven Central or the local Maven
 * repository for the distributions.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperateStackIT {
  private static final Path SCREENSHOTS = Path.of("target/operate");
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path images;
  static Path home;
  static CamundaStack stack;
  static EmbeddedDatabase db;
  static SimFleet fleet;
  static ConfigurableApplicationContext workers;
  static CamundaClient client;
  static MigrationRepository migrations;

  @BeforeAll
  static void startStack() throws IOException {
    assumeTrue(
        OperateBrowser.installed(),
        "Debian's chromium and chromium-driver are not installed"
            + " (apt-get install chromium chromium-driver)");
    // OpenSearch runs as nobody when we are root: the home must be reachable by others
    home = Files.createTempDirectory(Path.of("/tmp"), "vmdna-stack-it-");
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
    StackSettings settings =
        new StackSettings(
            home,
            EmbeddedLoop.freePort(),
            EmbeddedLoop.freePort(),
            EmbeddedLoop.freePort(),
            EmbeddedLoop.freePort(),
            EmbeddedLoop.freePort(),
            EmbeddedLoop.freePort(),
            EmbeddedLoop.freePort(),
            1024,
            512);
    stack =
        new CamundaStack(
            settings, ArtifactFetcher.defaults(), line -> System.out.println("[stack] " + line));
    stack.up(Duration.ofMinutes(5));

    db = EmbeddedDatabase.start();
    fleet = EmbeddedLoop.demoFleet(images);
    workers =
        WorkersApplication.startEmbedded(
            fleet,
            db.jdbcUrl(),
            "postgres",
            "postgres",
            settings.gatewayAddress(),
            Map.of(),
            false);
    client =
        CamundaClient.newClientBuilder()
            .grpcAddress(URI.create(settings.gatewayAddress()))
            .preferRestOverGrpc(false)
            .build();
    migrations = new MigrationRepository(db.dataSource());
  }

  @AfterAll
  static void stopStack() throws IOException {
    if (fleet != null) {
      fleet.releaseHangs();
    }
    if (client != null) {
      client.close();
    }
    if (workers != null) {
      workers.close();
    }
    if (db != null) {
      db.close();
    }
    if (stack != null) {
      stack.down();
    }
    if (home != null && System.getenv("VMDNA_KEEP_STACK") == null) {
      org.apache.commons.io.FileUtils.deleteDirectory(home.toFile());
    }
  }

  @Test
  @Order(1)
  void opsShouldSeeMigratedAndRolledBackInstancesWithTheirVariablesInOperate() throws Exception {
    // given a migration that completes and one whose guest dies on the target
    String migratedVm = "9";
    String rolledBackVm = "33";
    String migratedId = "stack-migrate-" + migratedVm;
    String rolledBackId = "stack-rollback-" + rolledBackVm;
    fleet.inject(SimFault.GUEST_DIES_ON_TARGET, rolledBackVm);

    // when both signals arrive
    publish(migratedId, migratedVm);
    publish(rolledBackId, rolledBackVm);

    // then the store and Operate agree on where each ended
    awaitStatus(migratedId, MigrationStatus.MIGRATED);
    awaitStatus(rolledBackId, MigrationStatus.ROLLED_BACK);
    String target = migrations.find(migratedId).orElseThrow().targetHostId();
    try (Operate operate = Operate.login(stack.settings())) {
      long migrated = operate.awaitCompleted(migratedId);
      long rolledBack = operate.awaitCompleted(rolledBackId);
      operate.awaitElementCompleted(migrated, EndEvents.MIGRATED);
      operate.awaitElementCompleted(rolledBack, EndEvents.ROLLED_BACK);

      // and an ops engineer sees them in Operate's web UI
      try (OperateBrowser browser =
          new OperateBrowser(
              stack.settings().operateAddress(),
              Files.createTempDirectory("chromium-profile-"),
              WAIT)) {
        browser.login("demo", "demo");
        String list =
            browser.instanceList(
                ProcessContract.PROCESS_ID,
                List.of(Long.toString(migrated), Long.toString(rolledBack)));
        assertThat(list).contains("Predictive migration");
        browser.screenshot(SCREENSHOTS.resolve("instances.png"));

        String migratedPage =
            browser.instance(migrated, List.of("targetHostId", "forecast", "reason", "verified"));
        assertThat(migratedPage)
            .contains("targetHostId\n\"" + target + "\"")
            .contains("reason\n\"test " + migratedId + "\"")
            .contains("hostDemandP90Mhz")
            .contains("verified\ntrue");
        browser.screenshot(SCREENSHOTS.resolve("migrated.png"));

        String rolledBackPage =
            browser.instance(rolledBack, List.of("forecast", "reason", "targetHostId"));
        assertThat(rolledBackPage)
            .contains("reason\n\"test " + rolledBackId + "\"")
            .as("verification failed: no verified variable")
            .doesNotContain("verified\n");
        browser.screenshot(SCREENSHOTS.resolve("rolled-back.png"));
      }
    }
  }

  @Test
  @Order(2)
  void instanceShouldGoOnAfterTheBrokerRestartsMidMigration() throws Exception {
    // given a migration whose hypervisor call is in flight
    String vm = "65";
    String source = fleet.locate(vm).orElseThrow();
    String id = "stack-restart-" + vm;
    fleet.inject(SimFault.MIGRATION_WAITS, vm);
    publish(id, vm);
    await().atMost(WAIT).until(() -> fleet.waiting() == 1);
    fleet.clearFaults(); // a retried migrate finds the move done instead of waiting again

    // when the broker stops and starts again on its data, and only then the migration returns
    stack.stop(CamundaStack.Component.CAMUNDA);
    assertThat(stack.status().camunda().running()).isFalse();
    stack.up(Duration.ofMinutes(5));
    fleet.releaseHangs();

    // then the same instance completes: the VM moved once, and Operate shows it completed
    awaitStatus(id, MigrationStatus.MIGRATED);
    assertThat(fleet.locate(vm).orElseThrow()).isNotEqualTo(source);
    assertThat(fleet.history())
        .filteredOn(m -> m.migrationId().equals(id))
        .extracting(m -> m.back())
        .containsExactly(false);
    try (Operate operate = Operate.login(stack.settings())) {
      long key = operate.awaitCompleted(id);
      assertThat(operate.instancesOf(id)).containsExactly(key);
      operate.awaitElementCompleted(key, EndEvents.MIGRATED);
    }
  }

  private static void publish(String id, String vm) {
    String host = fleet.locate(vm).orElseThrow();
    Signals.publish(
        client,
        id,
        Signals.signal(
            id, vm, host, Signals.overloadedForecast(1_000.0, 8_000_000.0), Instant.now()));
  }

  private static void awaitStatus(String id, MigrationStatus status) {
    await()
        .atMost(WAIT)
        .until(() -> migrations.find(id).map(r -> r.status() == status).orElse(false));
  }

  /** Operate's REST API (v1) with a logged-in session, for what the UI shows. */
  private record Operate(HttpClient http, String base, String csrf) implements AutoCloseable {
    static Operate login(StackSettings settings) throws Exception {
      HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
      String base = "http://localhost:" + settings.webPort();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/login?username=demo&password=demo"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("Operate login").isEqualTo(204);
      return new Operate(http, base, r.headers().firstValue("X-CSRF-TOKEN").orElseThrow());
    }

    JsonNode search(String path, String body) throws Exception {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + path))
                  .header("Content-Type", "application/json")
                  .header("X-CSRF-TOKEN", csrf)
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
      return JSON.readTree(r.body()).path("items");
    }

    /** Process instances whose migrationId variable is {@code id}. */
    List<Long> instancesOf(String id) throws Exception {
      String value = JSON.writeValueAsString(JSON.writeValueAsString(id));
      List<Long> keys = new ArrayList<>();
      for (JsonNode v :
          search(
              "/v1/variables/search",
              "{\"filter\":{\"name\":\"migrationId\",\"value\":" + value + "},\"size\":50}")) {
        long key = v.path("processInstanceKey").asLong();
        if (!keys.contains(key)) {
          keys.add(key);
        }
      }
      return keys;
    }

    /** Waits until Operate has imported the instance of {@code id} as completed; its key. */
    long awaitCompleted(String id) {
      long[] key = new long[1];
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                List<Long> keys = instancesOf(id);
                if (keys.size() != 1) {
                  return false;
                }
                JsonNode items =
                    search(
                        "/v1/process-instances/search",
                        "{\"filter\":{\"key\":" + keys.getFirst() + "}}");
                key[0] = keys.getFirst();
                return items.size() == 1 && items.get(0).path("state").asText().equals("COMPLETED");
              });
      return key[0];
    }

    /**
     * Waits until Operate shows the element (e.g. an end event) completed in the instance: Operate
     * imports an instance's flow nodes separately from its state, and after a broker restart they
     * can come seconds later.
     */
    void awaitElementCompleted(long instanceKey, String elementId) {
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(() -> assertThat(completedElements(instanceKey)).contains(elementId));
    }

    /** Ids of the completed elements (flow nodes) of an instance. */
    List<String> completedElements(long instanceKey) throws Exception {
      List<String> ids = new ArrayList<>();
      for (JsonNode n :
          search(
              "/v1/flownode-instances/search",
              "{\"filter\":{\"processInstanceKey\":"
                  + instanceKey
                  + ",\"state\":\"COMPLETED\"},\"size\":200}")) {
        ids.add(n.path("flowNodeId").asText());
      }
      return ids;
    }

    @Override
    public void close() {
      http.close();
    }
  }
}
