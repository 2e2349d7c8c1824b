package io.vmdna.kafka.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Kafka broker in KRaft mode (broker and controller in one node), started from Maven
 * Central's {@code kafka_2.13} artefacts in a child JVM, for tests.
 *
 * <p>It runs in its own JVM because the broker is Scala 2.13 and XGBoost4J, on the tests' class
 * path, is Scala 2.12. The child gets the same {@code java} as the caller, 512 MiB of heap, a fresh
 * storage directory formatted with Kafka's own {@code StorageTool}, and free ports chosen at start.
 * Its log (Kafka at INFO) is {@link #log()}.
 *
 * <p>Not thread-safe; one test class owns one broker. {@link #close()} stops the JVM (SIGTERM, then
 * SIGKILL after 10 s) and deletes the directory.
 */
public final class KafkaBroker implements AutoCloseable {
  private static final String CLASSPATH_RESOURCE = "broker.classpath";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path dir;
  private final int port;
  private final Process process;

  private KafkaBroker(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /**
   * Formats a storage directory under {@code workDir} and starts the broker, returning once it
   * accepts connections.
   *
   * @throws IOException if the broker cannot be started; the message carries the end of its log
   * @throws IllegalStateException if this jar was built without the broker's class path
   */
  public static KafkaBroker start(Path workDir) throws IOException {
    String classpath = brokerClasspath();
    Files.createDirectories(workDir);
    Path dir = Files.createTempDirectory(workDir, "kafka-");
    int port = freePort();
    int controllerPort = freePort();
    Path config = dir.resolve("server.properties");
    Files.writeString(config, serverProperties(dir, port, controllerPort));
    Path log4j = dir.resolve("log4j2.properties");
    Files.writeString(log4j, LOG4J);
    Path log = dir.resolve("broker.log");

    Process format =
        java(
                classpath,
                log4j,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                clusterId(),
                "-c",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("format.log").toFile())
            .start();
    try {
      if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
        format.destroyForcibly();
        throw new IOException(
            "formatting Kafka storage failed: " + tail(dir.resolve("format.log")));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while formatting Kafka storage", e);
    }

    Process broker =
        java(classpath, log4j, "kafka.Kafka", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    KafkaBroker b = new KafkaBroker(dir, port, broker);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!broker.isAlive()) {
        b.deleteDir();
        throw new IOException(
            "Kafka broker exited with " + broker.exitValue() + " while starting: " + tail(log));
      }
      if (Files.readString(log).contains("Kafka Server started") && accepts(port)) {
        return b;
      }
      sleep(200);
    }
    b.close();
    throw new IOException(
        "Kafka broker did not start within " + START_TIMEOUT.toSeconds() + " s: " + tail(log));
  }

  /** {@code localhost:<port>}, for the clients' {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "localhost:" + port;
  }

  /** The broker's log file (stdout and stderr of its JVM). */
  public Path log() {
    return dir.resolve("broker.log");
  }

  /** Stops the broker's JVM and deletes its storage. Idempotent. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    deleteDir();
  }

  private void deleteDir() {
    if (!Files.exists(dir) || System.getenv("VMDNA_KEEP_KAFKA") != null) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String brokerClasspath() {
    try (InputStream in = KafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "no "
                + CLASSPATH_RESOURCE
                + " beside KafkaBroker: build vmdna-kafka-testkit with Maven (its"
                + " dependency plugin writes the broker's class path)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ProcessBuilder java(String classpath, Path log4j, String... mainAndArgs) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Dlog4j2.configurationFile=" + log4j);
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.addAll(List.of(mainAndArgs));
    return new ProcessBuilder(cmd);
  }

  private static String serverProperties(Path dir, int port, int controllerPort) {
    return String.join(
        "\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@localhost:" + controllerPort,
        "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
        "advertised.listeners=PLAINTEXT://localhost:" + port,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + dir.resolve("data"),
        "num.partitions=4",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=4",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=true",
        "");
  }

  private static final String LOG4J =
      String.join(
          "\n",
          "status=warn",
          "appender.out.type=Console",
          "appender.out.name=OUT",
          "appender.out.layout.type=PatternLayout",
          "appender.out.layout.pattern=[%d] %p %m (%c)%n",
          "rootLogger.level=INFO",
          "rootLogger.appenderRef.out.ref=OUT",
          "");

  /**
   * A Kafka cluster id: 16 random bytes, URL-safe base64 without padding, not starting with '-'.
   */
  static String clusterId() {
    // base64url has '-': an id starting with it reads as an option to the storage tool ("argument
    // --cluster-id/-t: expected one argument", one run in 64), so draw again, as Kafka's own
    // Uuid.randomUuid() does
    while (true) {
      UUID u = UUID.randomUUID();
      ByteBuffer b = ByteBuffer.allocate(16);
      b.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
      String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
      if (!id.startsWith("-")) {
        return id;
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("localhost", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String tail(Path log) {
    try {
      String s = Files.exists(log) ? Files.readString(log) : "(no log)";
      return s.length() > 3000 ? "…" + s.substring(s.length() - 3000) : s;
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the Kafka broker", e);
    }
  }
}
