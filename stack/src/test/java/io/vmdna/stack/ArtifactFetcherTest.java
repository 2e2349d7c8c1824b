package io.vmdna.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetcher against a real HTTP server laid out as a Maven repository. */
class ArtifactFetcherTest {
  private static final MavenArtifact JAR = MavenArtifact.parse("org.example:tool:1.0");

  @TempDir Path local;
  HttpServer server;
  final Map<String, byte[]> files = new ConcurrentHashMap<>();
  final AtomicInteger requests = new AtomicInteger();
  ArtifactFetcher fetcher;

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/maven2/",
        exchange -> {
          requests.incrementAndGet();
          byte[] body =
              files.get(exchange.getRequestURI().getPath().substring("/maven2/".length()));
          if (body == null) {
            exchange.sendResponseHeaders(404, -1);
          } else {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    server.start();
    fetcher =
        new ArtifactFetcher(
            local, URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/maven2"));
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void shouldDownloadCheckAndKeepAnArtefactThenServeItLocally() throws Exception {
    // given a 20 MiB artefact and its published SHA-1
    byte[] content = new byte[20 << 20];
    new java.util.Random(7).nextBytes(content);
    publish(JAR, content, sha1(content));
    List<Long> progress = new ArrayList<>();

    // when
    Path first = fetcher.fetch(JAR, (a, done, total) -> progress.add(done));
    int afterFirst = requests.get();
    Path second = fetcher.fetch(JAR, (a, done, total) -> progress.add(-1L));

    // then
    assertThat(first).isEqualTo(local.resolve("org/example/tool/1.0/tool-1.0.jar"));
    assertThat(Files.readAllBytes(first)).isEqualTo(content);
    assertThat(Files.readString(first.resolveSibling("tool-1.0.jar.sha1")))
        .isEqualTo(sha1(content));
    assertThat(progress).as("every 8 MiB and at the end").hasSize(3).last().isEqualTo(20L << 20);
    assertThat(second).isEqualTo(first);
    assertThat(requests.get()).as("the second fetch is local").isEqualTo(afterFirst);
  }

  @Test
  void shouldRefuseADownloadWhoseSha1DiffersAndLeaveNothingBehind() throws Exception {
    publish(JAR, "tampered".getBytes(StandardCharsets.UTF_8), sha1("original".getBytes()));

    assertThatThrownBy(() -> fetcher.fetch(JAR, (a, d, t) -> {}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("org.example:tool:1.0:jar")
        .hasMessageContaining("has SHA-1 " + sha1("tampered".getBytes()))
        .hasMessageContaining("the repository says " + sha1("original".getBytes()));
    try (var left = Files.walk(local)) {
      assertThat(left.filter(Files::isRegularFile).toList()).isEmpty();
    }
  }

  @Test
  void shouldNameTheArtefactAndStatusWhenTheRepositoryLacksIt() {
    assertThatThrownBy(() -> fetcher.fetch(JAR, (a, d, t) -> {}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("org.example:tool:1.0:jar is not available from http://127.0.0.1:")
        .hasMessageContaining("(HTTP 404)");
  }

  @Test
  void shouldNameTheAddressWhenTheRepositoryCannotBeReached() {
    server.stop(0);
    assertThatThrownBy(() -> fetcher.fetch(JAR, (a, d, t) -> {}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot fetch org.example:tool:1.0:jar from http://127.0.0.1:");
  }

  @Test
  void shouldRefuseAChecksumFileThatIsNotOne() {
    files.put(JAR.repositoryPath(), new byte[] {1});
    files.put(JAR.repositoryPath() + ".sha1", "<html>not found</html>".getBytes());

    assertThatThrownBy(() -> fetcher.fetch(JAR, (a, d, t) -> {}))
        .hasMessageContaining("tool-1.0.jar.sha1 is not a SHA-1");
  }

  private void publish(MavenArtifact a, byte[] content, String sha1) {
    files.put(a.repositoryPath(), content);
    // as Maven Central publishes some: the hex digest, then the file name
    files.put(a.repositoryPath() + ".sha1", (sha1 + "  " + a.fileName() + "\n").getBytes());
  }

  private static String sha1(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(content));
  }
}
