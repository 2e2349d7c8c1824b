package io.vmdna.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.vmdna.bpmn.ProcessContract.EndEvents;
import io.vmdna.hypervisor.sim.SimFault;
import io.vmdna.store.MigrationStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.io.output.TeeOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API over a real HTTP server, on the real engines. */
class MigrationApiIT {
  private static final String TOKEN = "s3cret-ops-token";
  private static final String BURST_TOKEN = "burst-caller-token";
  private static final String DB_PASSWORD = "s3cret-db-password";
  private static final String OAUTH_SECRET = "s3cret-oauth-client-secret";
  private static final String ACCESS_TOKEN = "s3cret-issued-access-token";

  /** Every secret the run is given or handed: none may be printed or become a variable. */
  private static final List<String> SECRETS =
      List.of(TOKEN, BURST_TOKEN, DB_PASSWORD, OAUTH_SECRET, ACCESS_TOKEN);

  private static HttpServer oauth;
  private static final List<String> tokenRequests =
      java.util.Collections.synchronizedList(new java.util.ArrayList<>());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path images;
  static EmbeddedLoop loop;
  static String base;

  /**
   * Everything the run prints (the workers log to the console), from before they start: a copy of
   * stdout and stderr (Spring Boot re-initialises logging at start, so an appender added before
   * would be dropped).
   */
  private static final java.io.ByteArrayOutputStream OUTPUT = new java.io.ByteArrayOutputStream();

  private static final java.io.PrintStream STDOUT = System.out;
  private static final java.io.PrintStream STDERR = System.err;

  @BeforeAll
  static void start() throws IOException {
    System.setOut(new java.io.PrintStream(new TeeOutputStream(STDOUT, OUTPUT), true));
    System.setErr(new java.io.PrintStream(new TeeOutputStream(STDERR, OUTPUT), true));
    // secrets as the chart mounts them: a Secret's keys as files, read through a config tree
    Path secrets = images.resolve("secrets");
    Path tokens = Files.createDirectories(secrets.resolve("vmdna.api.tokens"));
    Files.writeString(tokens.resolve("ops"), TOKEN);
    Files.writeString(tokens.resolve("burst"), BURST_TOKEN + "\n");
    Files.writeString(secrets.resolve("vmdna.store.password"), DB_PASSWORD);
    Files.writeString(secrets.resolve("camunda.client.auth.client-secret"), OAUTH_SECRET);
    // the Zeebe client logs in with OAuth (client credentials) at a real token endpoint; the
    // in-process engine accepts any bearer token, so the whole path runs as against a cluster
    oauth = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    oauth.createContext(
        "/token",
        exchange -> {
          tokenRequests.add(new String(exchange.getRequestBody().readAllBytes()));
          byte[] body =
              ("{\"access_token\":\""
                      + ACCESS_TOKEN
                      + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}")
                  .getBytes();
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    oauth.start();
    loop =
        EmbeddedLoop.startWithConfiguredStorePassword(
            images,
            Map.of(
                "spring.config.import",
                "configtree:" + secrets + "/",
                "camunda.client.auth.method",
                "oidc",
                "camunda.client.auth.client-id",
                "vmdna-workers",
                "camunda.client.auth.token-url",
                "http://127.0.0.1:" + oauth.getAddress().getPort() + "/token",
                "camunda.client.auth.audience",
                "zeebe-api",
                "camunda.client.auth.credentials-cache-path",
                images.resolve("oauth-cache.json").toString()),
            true);
    base = "http://localhost:" + loop.httpPort();
  }

  @AfterAll
  static void stop() {
    System.setOut(STDOUT);
    System.setErr(STDERR);
    if (loop != null) {
      loop.close();
    }
    if (oauth != null) {
      oauth.stop(0);
    }
  }

  @AfterEach
  void clearFaults() {
    loop.fleet.clearFaults();
    loop.fleet.releaseHangs();
  }

  private record Answer(int status, JsonNode body) {}

  private static Answer call(String method, String path, String body, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
  }

  private static String status(String id) throws Exception {
    return call("GET", "/api/migrations/" + id, null, null).body().path("status").asText();
  }

  @Test
  void shouldServePrometheusMetricsWithoutAToken() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("jvm_memory_used_bytes", "hikaricp_connections");
    assertThat(r.body()).doesNotContain(TOKEN);
  }

  @Test
  void secretsShouldNeverReachTheLogsOrTheProcessVariables() throws Exception {
    // given a start and a cancel by a caller with a token, and a refused guess
    String id =
        call("POST", "/api/migrations", "{\"vmId\":\"1\",\"dryRun\":true}", TOKEN)
            .body()
            .path("migrationId")
            .asText();
    loop.awaitEnd(id);
    call("POST", "/api/migrations", "{\"vmId\":\"1\"}", "guess-" + TOKEN);

    // then the audit log names the caller, and no log line or variable holds a token
    String printed;
    synchronized (OUTPUT) {
      printed = OUTPUT.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
    List<String> lines = printed.lines().toList();
    assertThat(lines)
        .anyMatch(l -> l.contains("vmdna.audit") && l.contains("ops started migration " + id));
    assertThat(lines).noneMatch(l -> SECRETS.stream().anyMatch(l::contains));
    List<String> variables =
        EmbeddedLoop.retrying(
            () ->
                EmbeddedLoop.stream(loop.records().variableRecords())
                    .map(r -> r.getValue().getName() + "=" + r.getValue().getValue())
                    .toList());
    assertThat(variables).isNotEmpty().noneMatch(v -> SECRETS.stream().anyMatch(v::contains));
    // and the secrets were in use: the client logged in with its secret, the store connected
    assertThat(tokenRequests)
        .anyMatch(r -> r.contains("client_secret=" + OAUTH_SECRET) && r.contains("vmdna-workers"));
    assertThat(loop.workers.getEnvironment().getProperty("vmdna.store.password"))
        .isEqualTo(DB_PASSWORD);
  }

  @Test
  void writesShouldNeedAValidToken() throws Exception {
    Answer none = call("POST", "/api/migrations", "{\"vmId\":\"9\"}", null);
    Answer wrong = call("POST", "/api/migrations", "{\"vmId\":\"9\"}", "guess");
    Answer cancel = call("DELETE", "/api/migrations/whatever", null, null);

    assertThat(none.status()).isEqualTo(401);
    assertThat(none.body().path("error").asText()).contains("bearer token");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(cancel.status()).isEqualTo(401);
    assertThat(call("GET", "/api/migrations", null, null).status())
        .as("reads are open")
        .isEqualTo(200);
  }

  @Test
  void shouldRefuseLargeBodiesAndBodiesOfUnknownLength() throws Exception {
    String big = "{\"vmId\":\"9\",\"reason\":\"" + "x".repeat(20_000) + "\"}";

    Answer tooBig = call("POST", "/api/migrations", big, TOKEN);
    HttpResponse<String> chunked =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/api/migrations"))
                .POST(
                    HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofString("{\"vmId\":\"9\"}")))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(tooBig.status()).isEqualTo(413);
    assertThat(tooBig.body().path("error").asText()).contains("exceeds the limit of 16384 bytes");
    assertThat(chunked.statusCode()).isEqualTo(411);
  }

  @Test
  void shouldLimitMigrationStartsPerCaller() throws Exception {
    // 60 starts a minute: the unknown VM makes each one cheap (404) but each takes a token
    for (int i = 0; i < 60; i++) {
      assertThat(call("POST", "/api/migrations", "{\"vmId\":\"no-vm\"}", BURST_TOKEN).status())
          .isEqualTo(404);
    }

    // the bucket refills one start a second: a few more calls meet the limit
    Answer limited = null;
    for (int i = 0; i < 10 && (limited == null || limited.status() != 429); i++) {
      limited = call("POST", "/api/migrations", "{\"vmId\":\"no-vm\"}", BURST_TOKEN);
    }

    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.body().path("error").asText())
        .contains("burst may start at most 60 migrations per minute");
    assertThat(call("POST", "/api/migrations", "{\"vmId\":\"no-vm\"}", TOKEN).status())
        .as("another caller has its own budget")
        .isEqualTo(404);
  }

  @Test
  void shouldAnswer400WithAMessagePerField() throws Exception {
    Answer bad = call("POST", "/api/migrations", "{\"vmId\":\"\",\"priority\":500}", TOKEN);
    Answer notJson = call("POST", "/api/migrations", "{vmId:", TOKEN);
    Answer badTarget =
        call("POST", "/api/migrations", "{\"vmId\":\"9\",\"targetHostId\":\"host-z\"}", TOKEN);

    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().path("fields").path("vmId").asText()).contains("is required");
    assertThat(bad.body().path("fields").path("priority").asText())
        .isEqualTo("must be between 0 and 100");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.body().path("error").asText()).contains("not a valid JSON");
    assertThat(notJson.body().toString()).doesNotContain("Exception", "at org.");
    assertThat(badTarget.status()).isEqualTo(400);
    assertThat(badTarget.body().path("error").asText()).isEqualTo("unknown target host 'host-z'");
    Answer badStrategy =
        call(
            "POST",
            "/api/migrations",
            "{\"vmId\":\"9\",\"options\":{\"strategy\":\"sideways\"}}",
            TOKEN);
    assertThat(badStrategy.status()).isEqualTo(400);
    assertThat(badStrategy.body().path("error").asText())
        .isEqualTo("options.strategy must be LIVE or WARM, was 'sideways'");
  }

  @Test
  void shouldAnswer404ForUnknownVmsAndMigrations() throws Exception {
    assertThat(call("POST", "/api/migrations", "{\"vmId\":\"nope\"}", TOKEN).status())
        .isEqualTo(404);
    Answer get = call("GET", "/api/migrations/nope", null, null);
    assertThat(get.status()).isEqualTo(404);
    assertThat(get.body().path("error").asText()).isEqualTo("unknown migration 'nope'");
    assertThat(call("DELETE", "/api/migrations/nope", null, TOKEN).status()).isEqualTo(404);
  }

  @Test
  void shouldMigrateOnRequestToTheRequestedTargetAndShowTheHistory() throws Exception {
    // given VM 9 on host-b
    String source = loop.fleet.locate("9").orElseThrow();

    // when
    Answer started =
        call(
            "POST",
            "/api/migrations",
            "{\"vmId\":\"9\",\"targetHostId\":\"host-c\",\"priority\":70}",
            TOKEN);

    // then
    assertThat(started.status()).isEqualTo(202);
    String id = started.body().path("migrationId").asText();
    assertThat(started.body().path("status").asText()).isEqualTo("REQUESTED");
    assertThat(started.body().path("reason").asText()).contains("requested by ops");
    assertThat(loop.awaitEnd(id)).isEqualTo(EndEvents.MIGRATED);
    assertThat(loop.fleet.locate("9")).contains("host-c").isNotEqualTo(source);
    Answer view = call("GET", "/api/migrations/" + id, null, null);
    assertThat(view.body().path("status").asText()).isEqualTo("MIGRATED");
    assertThat(view.body().path("targetHostId").asText()).isEqualTo("host-c");
    assertThat(view.body().path("steps").findValuesAsText("step"))
        .containsExactly(
            "scan-hosts",
            "reserve-capacity",
            "convert-image",
            "migrate",
            "verify-migration",
            "record-dna");
    assertThat(
            call("GET", "/api/migrations?vm=9", null, null).body().findValuesAsText("migrationId"))
        .contains(id);
  }

  @Test
  void aDryRunShouldDecideAndRecordButNotMove() throws Exception {
    String source = loop.fleet.locate("35").orElseThrow();

    Answer started = call("POST", "/api/migrations", "{\"vmId\":\"35\",\"dryRun\":true}", TOKEN);

    String id = started.body().path("migrationId").asText();
    assertThat(loop.awaitEnd(id)).isEqualTo(EndEvents.NOT_NEEDED);
    assertThat(loop.fleet.locate("35")).contains(source);
    Answer view = call("GET", "/api/migrations/" + id, null, null);
    assertThat(view.body().path("status").asText()).isEqualTo("DRY_RUN");
    assertThat(view.body().path("targetHostId").asText()).isNotBlank().isNotEqualTo(source);
    assertThat(view.body().path("steps").get(0).path("detail").asText())
        .startsWith("dry run: chose");
  }

  @Test
  void shouldRefuseASecondMigrationOfABusyVmAndCancelTheFirst() throws Exception {
    // given a migration of VM 97 that hangs after moving it
    String source = loop.fleet.locate("97").orElseThrow();
    loop.fleet.inject(SimFault.MIGRATION_HANGS_AFTER_MOVE, "97");
    String id =
        call("POST", "/api/migrations", "{\"vmId\":\"97\"}", TOKEN)
            .body()
            .path("migrationId")
            .asText();
    await()
        .atMost(EmbeddedLoop.WAIT)
        .until(() -> !loop.fleet.locate("97").orElseThrow().equals(source));

    // when a second one is asked for
    Answer second = call("POST", "/api/migrations", "{\"vmId\":\"97\"}", TOKEN);

    // then
    assertThat(second.status()).isEqualTo(409);
    assertThat(second.body().path("error").asText()).contains("already migrating", id);

    // and when the first is cancelled through the API
    Answer cancel = call("DELETE", "/api/migrations/" + id, null, TOKEN);

    // then it reconciles, moves the VM back and ends cancelled; cancelling again is a conflict
    assertThat(cancel.status()).isEqualTo(202);
    assertThat(loop.awaitEnd(id)).isEqualTo(EndEvents.CANCELLED);
    await()
        .atMost(EmbeddedLoop.WAIT)
        .until(() -> status(id).equals(MigrationStatus.CANCELLED.name()));
    assertThat(loop.fleet.locate("97")).contains(source);
    assertThat(call("DELETE", "/api/migrations/" + id, null, TOKEN).status()).isEqualTo(409);
  }

  @Test
  void shouldServeTheOpenApiDocument() throws Exception {
    Answer doc = call("GET", "/v3/api-docs", null, null);
    assertThat(doc.status()).isEqualTo(200);
    assertThat(doc.body().path("paths").has("/api/migrations")).isTrue();
    assertThat(doc.body().path("paths").has("/api/migrations/{id}")).isTrue();
  }
}
