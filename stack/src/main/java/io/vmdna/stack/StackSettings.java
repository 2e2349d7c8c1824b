package io.vmdna.stack;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where the local Camunda stack lives and which ports it takes. All ports are on 127.0.0.1.
 *
 * @param home the stack's folder: distributions, configuration, data (kept between restarts), logs
 *     and process ids
 * @param gatewayPort Zeebe gateway, gRPC (clients and job workers connect here)
 * @param webPort Operate's web UI and REST API ({@code http://localhost:PORT/operate})
 * @param managementPort the broker's health and metrics ({@code /actuator/health})
 * @param commandPort broker command API (internal)
 * @param internalPort broker cluster API (internal)
 * @param openSearchPort OpenSearch HTTP (Operate's storage)
 * @param openSearchTransportPort OpenSearch transport (internal)
 * @param camundaHeapMib heap of the broker + Operate JVM
 * @param openSearchHeapMib heap of OpenSearch
 */
public record StackSettings(
    Path home,
    int gatewayPort,
    int webPort,
    int managementPort,
    int commandPort,
    int internalPort,
    int openSearchPort,
    int openSearchTransportPort,
    int camundaHeapMib,
    int openSearchHeapMib) {

  private static final String FILE = "stack.properties";

  /** Validates: ports 1..65535 and all different, heaps of at least 256 MiB. */
  public StackSettings {
    if (home == null) {
      throw new IllegalArgumentException("the stack's home folder is required");
    }
    home = home.toAbsolutePath().normalize();
    int[] ports = {
      gatewayPort,
      webPort,
      managementPort,
      commandPort,
      internalPort,
      openSearchPort,
      openSearchTransportPort
    };
    String[] names = {
      "gateway", "web", "management", "command", "internal", "opensearch", "opensearch-transport"
    };
    for (int i = 0; i < ports.length; i++) {
      if (ports[i] < 1 || ports[i] > 65535) {
        throw new IllegalArgumentException(
            "the " + names[i] + " port must be 1..65535, was " + ports[i]);
      }
      for (int j = 0; j < i; j++) {
        if (ports[i] == ports[j]) {
          throw new IllegalArgumentException(
              "the " + names[i] + " and " + names[j] + " ports are both " + ports[i]);
        }
      }
    }
    if (camundaHeapMib < 256 || openSearchHeapMib < 256) {
      throw new IllegalArgumentException(
          "heaps must be at least 256 MiB, were camunda "
              + camundaHeapMib
              + ", opensearch "
              + openSearchHeapMib);
    }
  }

  /** Camunda's and OpenSearch's usual ports (26500, 8080, 9600, 26501, 26502, 9200, 9300). */
  public static StackSettings defaults(Path home) {
    return new StackSettings(home, 26500, 8080, 9600, 26501, 26502, 9200, 9300, 1024, 512);
  }

  /**
   * The default home: {@code $VMDNA_STACK_HOME}, else {@code /var/lib/vmdna/stack} for root (the
   * OpenSearch process runs as {@code nobody} and must reach it; root's home folder is closed),
   * else {@code ~/.local/share/vmdna/stack}.
   */
  public static Path defaultHome() {
    String env = System.getenv("VMDNA_STACK_HOME");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    if ("root".equals(System.getProperty("user.name"))) {
      return Path.of("/var/lib/vmdna/stack");
    }
    return Path.of(System.getProperty("user.home"), ".local", "share", "vmdna", "stack");
  }

  /** The Zeebe gateway's address for clients, e.g. {@code http://localhost:26500}. */
  public String gatewayAddress() {
    return "http://localhost:" + gatewayPort;
  }

  /** Operate's address, e.g. {@code http://localhost:8080/operate}. */
  public String operateAddress() {
    return "http://localhost:" + webPort + "/operate";
  }

  /**
   * Writes these settings into the home folder ({@link #load} reads them: status and down use the
   * ports of the last up). Idempotent.
   */
  public void save() throws IOException {
    Properties p = new Properties();
    p.setProperty("gatewayPort", Integer.toString(gatewayPort));
    p.setProperty("webPort", Integer.toString(webPort));
    p.setProperty("managementPort", Integer.toString(managementPort));
    p.setProperty("commandPort", Integer.toString(commandPort));
    p.setProperty("internalPort", Integer.toString(internalPort));
    p.setProperty("openSearchPort", Integer.toString(openSearchPort));
    p.setProperty("openSearchTransportPort", Integer.toString(openSearchTransportPort));
    p.setProperty("camundaHeapMib", Integer.toString(camundaHeapMib));
    p.setProperty("openSearchHeapMib", Integer.toString(openSearchHeapMib));
    Files.createDirectories(home);
    try (Writer w = Files.newBufferedWriter(home.resolve(FILE))) {
      p.store(w, "vmdna stack settings (written by 'vmdna stack up')");
    }
  }

  /**
   * The settings saved by the last {@code up} in {@code home}, or the defaults when there are none.
   *
   * @throws IOException when the file exists but cannot be read or a value is not a number (the
   *     message names the file and the key)
   */
  public static StackSettings load(Path home) throws IOException {
    Path file = home.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return defaults(home);
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    StackSettings d = defaults(home);
    try {
      return new StackSettings(
          home,
          intOf(p, "gatewayPort", d.gatewayPort),
          intOf(p, "webPort", d.webPort),
          intOf(p, "managementPort", d.managementPort),
          intOf(p, "commandPort", d.commandPort),
          intOf(p, "internalPort", d.internalPort),
          intOf(p, "openSearchPort", d.openSearchPort),
          intOf(p, "openSearchTransportPort", d.openSearchTransportPort),
          intOf(p, "camundaHeapMib", d.camundaHeapMib),
          intOf(p, "openSearchHeapMib", d.openSearchHeapMib));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  private static int intOf(Properties p, String key, int fallback) {
    String v = p.getProperty(key);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " is not a number: '" + v + "'");
    }
  }
}
