package io.vmdna.stack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The real Camunda 8.6 distribution run on this machine: one JVM with the Zeebe broker, its gateway
 * and Operate (profiles {@code broker,operate,auth}; login {@code demo}/{@code demo}), exporting to
 * a local OpenSearch 2.19.1 that Operate reads. Both come from Maven Central (see {@link
 * Distributions}); nothing needs Docker.
 *
 * <p>The processes run detached (their own session, so a Ctrl-C in the shell that started them does
 * not stop them); their ids are kept in {@code HOME/run}, their output in {@code HOME/logs}, and
 * their data in {@code HOME/data}, which survives {@link #down} and is used again by the next
 * {@link #up}. When started by root, OpenSearch (which refuses to run as root) runs as {@code
 * nobody}: HOME must then be reachable by other users.
 *
 * <p>OpenSearch runs on a Java 17 to 21 (it needs the security manager, which Java 24 removed),
 * found under {@code /usr/lib/jvm} or given by {@code VMDNA_OPENSEARCH_JAVA_HOME}; Camunda runs on
 * the Java running this class when it is 21 or newer, else one found under {@code /usr/lib/jvm}.
 *
 * <p>Not thread-safe: one caller drives one stack. {@link #up} and {@link #down} are idempotent.
 */
public final class CamundaStack {
  /** The stack's two processes. */
  public enum Component {
    /** OpenSearch: the records Operate shows. */
    OPENSEARCH,
    /** The broker, gateway and Operate in one JVM. */
    CAMUNDA
  }

  /**
   * One process's state.
   *
   * @param pid the process id, or -1 when not running
   * @param healthy whether its health check answers healthy now
   * @param detail what the health check said, or why it is not running
   */
  public record ComponentStatus(Component component, long pid, boolean healthy, String detail) {
    /** Whether the process is alive. */
    public boolean running() {
      return pid > 0;
    }
  }

  /** The whole stack's state. */
  public record Status(
      StackSettings settings, ComponentStatus openSearch, ComponentStatus camunda) {
    /** Both processes running and healthy. */
    public boolean healthy() {
      return openSearch.healthy() && camunda.healthy();
    }

    /** A few lines for people: each process, its state and its addresses. */
    public String describe() {
      return String.format(
          "opensearch  %-36s http://localhost:%d%n"
              + "camunda     %-36s gateway %s, Operate %s (login demo/demo)%n"
              + "home        %s%n",
          state(openSearch),
          settings.openSearchPort(),
          state(camunda),
          settings.gatewayAddress(),
          settings.operateAddress(),
          settings.home());
    }

    private static String state(ComponentStatus c) {
      if (!c.running()) {
        return "stopped";
      }
      return "pid " + c.pid() + (c.healthy() ? ", healthy" : ", not healthy: " + c.detail());
    }
  }

  private static final Duration STOP_GRACE = Duration.ofSeconds(60);

  private final StackSettings settings;
  private final ArtifactFetcher fetcher;
  private final Consumer<String> log;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * @param log receives progress lines (downloads, starts, waits)
   */
  public CamundaStack(StackSettings settings, ArtifactFetcher fetcher, Consumer<String> log) {
    this.settings = settings;
    this.fetcher = fetcher;
    this.log = log;
  }

  /** The settings this stack runs with. */
  public StackSettings settings() {
    return settings;
  }

  /**
   * Installs what is missing, starts what is not running, and returns once both are healthy. What
   * is already running is left as it is. A process that dies while starting or is not healthy in
   * time is stopped, and the message carries the end of its output; the other one keeps running
   * ({@link #status} shows it, {@link #down} stops it).
   *
   * @throws IOException when an artefact cannot be fetched, a port is taken by another program, no
   *     suitable Java is found, or a process dies or is not healthy within {@code timeout}
   */
  public Status up(Duration timeout) throws IOException {
    Instant deadline = Instant.now().plus(timeout);
    Path home = settings.home();
    for (String dir : List.of("dist", "config", "data/opensearch", "data/zeebe", "logs", "run")) {
      Files.createDirectories(home.resolve(dir));
    }
    boolean root = isRoot();
    if (root) {
      openForNobody(home);
    }
    // what must start, and whether its ports are free: checked before any download
    boolean startOpenSearch = pid(Component.OPENSEARCH).isEmpty();
    boolean startCamunda = pid(Component.CAMUNDA).isEmpty();
    if (startOpenSearch) {
      requireFree(
          Component.OPENSEARCH, settings.openSearchPort(), settings.openSearchTransportPort());
    }
    if (startCamunda) {
      requireFree(
          Component.CAMUNDA,
          settings.gatewayPort(),
          settings.webPort(),
          settings.managementPort(),
          settings.commandPort(),
          settings.internalPort());
    }
    settings.save();
    Path openSearchHome = Distributions.openSearch(home.resolve("dist"), fetcher, log);
    Path camundaHome = Distributions.camunda(home.resolve("dist"), fetcher, log);

    if (startOpenSearch) {
      startOpenSearch(openSearchHome, root);
    }
    awaitHealthy(Component.OPENSEARCH, deadline);
    if (startCamunda) {
      startCamunda(camundaHome);
    }
    awaitHealthy(Component.CAMUNDA, deadline);
    return status();
  }

  /**
   * Stops Camunda, then OpenSearch (SIGTERM, then SIGKILL after a minute). Data stays on disk. Does
   * nothing for a process that is not running.
   */
  public void down() throws IOException {
    stop(Component.CAMUNDA);
    stop(Component.OPENSEARCH);
  }

  /**
   * Stops one process (SIGTERM, SIGKILL after a minute); the other keeps running. {@link #up}
   * starts it again on the same data.
   */
  public void stop(Component component) throws IOException {
    Optional<ProcessHandle> process = pid(component);
    if (process.isPresent()) {
      ProcessHandle p = process.get();
      log.accept("stopping " + name(component) + " (pid " + p.pid() + ")");
      p.destroy();
      if (!waitForExit(p, STOP_GRACE)) {
        log.accept(name(component) + " did not stop within " + STOP_GRACE + "; killing it");
        p.destroyForcibly();
        waitForExit(p, Duration.ofSeconds(15));
      }
    }
    Files.deleteIfExists(pidFile(component));
  }

  /** Each process's state, from its process id and its health check. */
  public Status status() {
    return new Status(settings, status(Component.OPENSEARCH), status(Component.CAMUNDA));
  }

  /** Where a process's output goes. */
  public Path logFile(Component component) {
    return settings.home().resolve("logs").resolve(name(component) + ".out");
  }

  private ComponentStatus status(Component c) {
    Optional<ProcessHandle> p = pid(c);
    if (p.isEmpty()) {
      return new ComponentStatus(c, -1, false, "not running");
    }
    String problem = healthProblem(c);
    return new ComponentStatus(c, p.get().pid(), problem == null, problem == null ? "ok" : problem);
  }

  // --- starting

  private void startOpenSearch(Path openSearchHome, boolean root) throws IOException {
    Path java = openSearchJava();
    Files.writeString(
        openSearchHome.resolve("config/opensearch.yml"),
        String.join(
            "\n",
            "# written by vmdna stack up",
            "cluster.name: vmdna",
            "node.name: vmdna-1",
            "discovery.type: single-node",
            "network.host: 127.0.0.1",
            "http.port: " + settings.openSearchPort(),
            "transport.port: " + settings.openSearchTransportPort(),
            "path.data: " + settings.home().resolve("data/opensearch"),
            "path.logs: " + settings.home().resolve("logs/opensearch"),
            ""));
    List<String> command = new ArrayList<>(List.of("setsid"));
    if (root) {
      Path logs = Files.createDirectories(settings.home().resolve("logs/opensearch"));
      giveToNobody(openSearchHome);
      giveToNobody(settings.home().resolve("data/opensearch"));
      giveToNobody(logs);
      command.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
    }
    command.add(openSearchHome.resolve("bin/opensearch").toString());
    int heap = settings.openSearchHeapMib();
    start(
        Component.OPENSEARCH,
        command,
        openSearchHome,
        Map.of(
            "OPENSEARCH_JAVA_HOME", java.toString(),
            "OPENSEARCH_JAVA_OPTS", "-Xms" + heap + "m -Xmx" + heap + "m",
            "OPENSEARCH_PATH_CONF", openSearchHome.resolve("config").toString()));
  }

  private void startCamunda(Path camundaHome) throws IOException {
    Path config = settings.home().resolve("config/camunda.yaml");
    Files.writeString(config, camundaConfig());
    start(
        Component.CAMUNDA,
        List.of("setsid", camundaHome.resolve("bin/camunda").toString()),
        camundaHome,
        Map.of(
            "JAVA_HOME",
            camundaJava().toString(),
            "JAVA_OPTS",
            "-Xmx" + settings.camundaHeapMib() + "m",
            "SPRING_PROFILES_ACTIVE",
            "broker,operate,auth",
            "SPRING_CONFIG_ADDITIONAL_LOCATION",
            "file:" + config));
  }

  /** The configuration that ran here (../shared/recipes/camunda-local), with our ports and data. */
  String camundaConfig() {
    String os = "http://localhost:" + settings.openSearchPort();
    String gateway = "localhost:" + settings.gatewayPort();
    return """
        # written by vmdna stack up
        server:
          port: %d
        management:
          server:
            port: %d
        zeebe:
          broker:
            exporters:
              opensearch:
                className: io.camunda.zeebe.exporter.opensearch.OpensearchExporter
                args:
                  url: %s
                  # batches of up to 1000 records, sent at least every second: Operate shows an
                  # instance a second later than with the recipe's size 1, and the broker can
                  # then run tens of migrations a second instead of spending itself on exports
                  bulk:
                    size: 1000
                    delay: 1
            gateway:
              enable: true
              network:
                host: 127.0.0.1
                port: %d
              security:
                enabled: false
                authentication:
                  mode: none
            network:
              host: 127.0.0.1
              commandApi:
                port: %d
              internalApi:
                port: %d
            data:
              directory: %s
              snapshotPeriod: 5m
            cluster:
              clusterSize: 1
              replicationFactor: 1
              partitionsCount: 1
            threads:
              cpuThreadCount: 2
              ioThreadCount: 2
        camunda:
          database:
            type: opensearch
            url: %s
          operate:
            database: opensearch
            opensearch:
              url: %s
            zeebe:
              gatewayAddress: %s
            zeebeOpensearch:
              url: %s
              prefix: zeebe-record
            archiver:
              ilmEnabled: false
        """
        .formatted(
            settings.webPort(),
            settings.managementPort(),
            os,
            settings.gatewayPort(),
            settings.commandPort(),
            settings.internalPort(),
            settings.home().resolve("data/zeebe"),
            os,
            os,
            gateway,
            os);
  }

  private void start(Component c, List<String> command, Path workDir, Map<String, String> env)
      throws IOException {
    Path out = logFile(c);
    log.accept("starting " + name(c) + " (output in " + out + ")");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
    pb.environment().putAll(env);
    Process p = pb.start();
    Files.writeString(pidFile(c), Long.toString(p.pid()));
  }

  private void awaitHealthy(Component c, Instant deadline) throws IOException {
    log.accept("waiting for " + name(c) + " to be healthy");
    Instant started = Instant.now();
    String problem = "not checked yet";
    while (Instant.now().isBefore(deadline)) {
      if (pid(c).isEmpty()) {
        Files.deleteIfExists(pidFile(c));
        throw new IOException(
            name(c) + " stopped while starting; its output ends with:\n" + tail(c));
      }
      problem = healthProblem(c);
      if (problem == null) {
        log.accept(
            name(c)
                + " healthy after "
                + Duration.between(started, Instant.now()).toSeconds()
                + " s");
        return;
      }
      sleep(Duration.ofSeconds(1));
    }
    stop(c);
    throw new IOException(
        name(c)
            + " was not healthy in time ("
            + problem
            + "); stopped it. Its output ends with:\n"
            + tail(c));
  }

  /** Null when healthy, else what is wrong. */
  private String healthProblem(Component c) {
    return switch (c) {
      case OPENSEARCH -> {
        String body = get("http://127.0.0.1:" + settings.openSearchPort() + "/_cluster/health");
        yield body != null && (body.contains("\"green\"") || body.contains("\"yellow\""))
            ? null
            : "cluster health is not green or yellow" + (body == null ? " (no answer)" : "");
      }
      case CAMUNDA -> {
        String health = get("http://127.0.0.1:" + settings.managementPort() + "/actuator/health");
        if (health == null || !health.startsWith("{\"status\":\"UP\"")) {
          yield "broker health is not UP" + (health == null ? " (no answer)" : ": " + health);
        }
        yield get("http://127.0.0.1:" + settings.webPort() + "/operate/login") == null
            ? "Operate does not answer yet"
            : null;
      }
    };
  }

  /** The body of a 200 answer, else null. */
  private String get(String address) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(address)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  // --- processes

  private Path pidFile(Component c) {
    return settings.home().resolve("run").resolve(name(c) + ".pid");
  }

  /**
   * The running process recorded in the pid file, when it is alive and still ours (its command line
   * names this stack's home; a reused pid is not taken for it).
   */
  private Optional<ProcessHandle> pid(Component c) {
    Path file = pidFile(c);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readString(file).strip());
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
    String home = settings.home().toString();
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(cmd -> cmd.contains(home)).orElse(true));
  }

  private static boolean waitForExit(ProcessHandle p, Duration limit) {
    try {
      p.onExit().get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return !p.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !p.isAlive();
    }
  }

  private void requireFree(Component c, int... ports) throws IOException {
    for (int port : ports) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress("127.0.0.1", port));
      } catch (IOException e) {
        throw new IOException(
            name(c)
                + " needs port "
                + port
                + ", which another program holds; stop it or choose other ports");
      }
    }
  }

  private String tail(Component c) {
    try {
      List<String> lines = Files.readAllLines(logFile(c));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  private static String name(Component c) {
    return c.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static void sleep(Duration d) throws IOException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  // --- users and Java runtimes

  static boolean isRoot() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /**
   * Makes the home folder and its parts readable by others (OpenSearch runs as nobody) and checks
   * that every folder above it lets others through.
   */
  private static void openForNobody(Path home) throws IOException {
    for (Path p = home.getParent(); p != null; p = p.getParent()) {
      if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
        throw new IOException(
            "OpenSearch runs as 'nobody' when the stack is started by root, and nobody cannot"
                + " enter "
                + p
                + " (on the way to the stack's home "
                + home
                + "); choose a home under a folder others can enter (--home, e.g."
                + " /var/lib/vmdna/stack)");
      }
    }
    for (Path p : List.of(home, home.resolve("dist"), home.resolve("data"), home.resolve("logs"))) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  private static void giveToNobody(Path dir) throws IOException {
    var lookup = FileSystems.getDefault().getUserPrincipalLookupService();
    UserPrincipal nobody = lookup.lookupPrincipalByName("nobody");
    GroupPrincipal nogroup = lookup.lookupPrincipalByGroupName("nogroup");
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.toList()) {
        PosixFileAttributeView view =
            Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (!view.readAttributes().owner().equals(nobody)) {
          view.setOwner(nobody);
          view.setGroup(nogroup);
        }
      }
    }
  }

  /** A JDK 17 to 21 for OpenSearch. */
  static Path openSearchJava() throws IOException {
    String env = System.getenv("VMDNA_OPENSEARCH_JAVA_HOME");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return findJava(17, 21)
        .orElseThrow(
            () ->
                new IOException(
                    "OpenSearch 2.19 needs a Java 17 to 21 (it uses the security manager, which"
                        + " Java 24 removed) and none is under /usr/lib/jvm: install"
                        + " openjdk-17-jre-headless or set VMDNA_OPENSEARCH_JAVA_HOME"));
  }

  /** This JVM when it is 21 or newer, else a JDK 21+ under /usr/lib/jvm. */
  static Path camundaJava() throws IOException {
    if (Runtime.version().feature() >= 21) {
      return Path.of(System.getProperty("java.home"));
    }
    return findJava(21, 99)
        .orElseThrow(() -> new IOException("Camunda 8.6 needs Java 21 or newer; none found"));
  }

  /** A runtime under /usr/lib/jvm whose {@code release} file says a version in [min, max]. */
  static Optional<Path> findJava(int min, int max) throws IOException {
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(jvms)) {
      for (Path dir : dirs.sorted().toList()) {
        int v = releaseVersion(dir);
        if (v >= min && v <= max && Files.isExecutable(dir.resolve("bin/java"))) {
          return Optional.of(dir);
        }
      }
    }
    return Optional.empty();
  }

  /** The feature version in a runtime's {@code release} file, or -1. */
  static int releaseVersion(Path javaHome) {
    try {
      for (String line : Files.readAllLines(javaHome.resolve("release"))) {
        if (line.startsWith("JAVA_VERSION=")) {
          String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
          String feature = v.startsWith("1.") ? v.substring(2) : v;
          return Integer.parseInt(feature.split("[.+-]")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
