package io.vmdna.workers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmdna.store.MigrationRecord;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.MigrationStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A start request while the engine is down: 503, nothing left half-done, the VM not blocked. */
class EngineDownApiIT {
  private static final String TOKEN = "t0ken";
  @TempDir static Path images;
  static EmbeddedLoop loop;

  @BeforeAll
  static void start() {
    loop = EmbeddedLoop.start(images, Map.of("vmdna.api.tokens.ops", TOKEN), true);
  }

  @AfterAll
  static void stop() {
    if (loop != null) {
      loop.close();
    }
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://localhost:" + loop.httpPort() + "/api/migrations"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldAnswer503AndNotLeaveTheVmMarkedAsMigrating() throws Exception {
    // given the engine is down
    loop.engine.stop();

    // when
    HttpResponse<String> first = post("{\"vmId\":\"9\"}");
    HttpResponse<String> second = post("{\"vmId\":\"9\"}");

    // then
    assertThat(first.statusCode()).isEqualTo(503);
    JsonNode body = new ObjectMapper().readTree(first.body());
    assertThat(body.path("error").asText()).contains("process engine did not accept it");
    assertThat(second.statusCode())
        .as("not 409: the failed request does not block the VM")
        .isEqualTo(503);
    assertThat(loop.migrations.inFlight("9")).isEmpty();
    MigrationRecord failed = loop.migrations.forVm("9").getFirst();
    assertThat(failed.status()).isEqualTo(MigrationStatus.CANCELLED);
    assertThat(loop.migrations.steps(failed.migrationId()))
        .extracting(MigrationRepository.Step::outcome)
        .containsExactly("FAILED");
  }
}
