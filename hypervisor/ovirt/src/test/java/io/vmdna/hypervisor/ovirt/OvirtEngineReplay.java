package io.vmdna.hypervisor.ovirt;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A local HTTPS server replaying the part of an oVirt engine's REST API that {@link
 * OvirtHypervisor} uses, as the Red Hat Virtualization 4.4 REST API Guide documents it: the SSO
 * token call ({@code POST /ovirt-engine/sso/oauth/token}, section "Authentication"), the hosts
 * (with {@code follow=statistics}), VMs (with {@code search=name=...}), storage domains, the {@code
 * migrate} action, faults, and the SSO logout. Responses are built from the XML fixtures in {@code
 * src/test/resources/ovirt-api/}, each naming the documentation section it follows.
 *
 * <p>Every API request must carry {@code Version: 4} and the bearer token the SSO call issued, else
 * 401 (recorded, so a test sees what the SDK sent). Its certificate is signed by a test CA made
 * with the JDK's {@code keytool}; clients trust that CA ({@link #caPem()}), never "insecure".
 *
 * <p>A migration moves the VM to the target at once and reports it {@code migrating} for the next
 * read, then {@code up}. Thread-safe (synchronised state).
 */
final class OvirtEngineReplay implements AutoCloseable {
  static final String USER = "admin@internal";
  static final String PASSWORD = "s3cret-ovirt-password";
  private static final Pattern ID = Pattern.compile("/ovirt-engine/api/vms/([^/?]+)(/migrate)?");

  record HostState(
      String id,
      String name,
      int speed,
      int cores,
      int sockets,
      int threads,
      long memory,
      String status,
      double cpuUserPct,
      double cpuSystemPct,
      long memoryUsed) {}

  static final class VmState {
    final String id;
    final String name;
    final int cores;
    final long memory;
    String hostId;
    String status = "up";

    VmState(String name, int cores, long memory, String hostId) {
      this.id = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
      this.name = name;
      this.cores = cores;
      this.memory = memory;
      this.hostId = hostId;
    }
  }

  /** What the SDK sent: method, path with query, and the two headers the API needs. */
  record Seen(String method, String path, String version, String authorization) {}

  private final HttpsServer server;
  private final Path dir;
  private final String token = "fqbR1ftzh8wBCviLxJcYuV5oSDI=" + UUID.randomUUID();
  private final Map<String, HostState> hosts = new LinkedHashMap<>();
  private final Map<String, VmState> vms = new LinkedHashMap<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private String refuseNextMigrate;
  private long storageAvailable = 107_374_182_400L;

  private OvirtEngineReplay(HttpsServer server, Path dir) {
    this.server = server;
    this.dir = dir;
  }

  /** Starts on a free port with the test CA under {@code dir} (made there on first use). */
  static OvirtEngineReplay start(Path dir) throws Exception {
    if (!Files.exists(dir.resolve("server.p12"))) {
      TestCa.make(dir);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
      ks.load(in, TestCa.PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, TestCa.PASSWORD.toCharArray());
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    HttpsServer server = HttpsServer.create(new InetSocketAddress("localhost", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ssl));
    OvirtEngineReplay engine = new OvirtEngineReplay(server, dir);
    server.createContext("/ovirt-engine/", engine::handle);
    server.start();
    return engine;
  }

  /** The API URL, on {@code localhost} (the name the certificate carries). */
  String url() {
    return "https://localhost:" + server.getAddress().getPort() + "/ovirt-engine/api";
  }

  /** The test CA's certificate, PEM. */
  Path caPem() {
    return dir.resolve("ca.pem");
  }

  synchronized void addHost(HostState h) {
    hosts.put(h.id(), h);
  }

  synchronized void addVm(String name, int cores, long memoryBytes, String hostName) {
    String hostId = hostId(hostName);
    vms.put(name, new VmState(name, cores, memoryBytes, hostId));
  }

  /** The next migrate action answers 409 with this detail. */
  synchronized void refuseNextMigrate(String detail) {
    refuseNextMigrate = detail;
  }

  synchronized String hostOf(String vm) {
    String id = vms.get(vm).hostId;
    return hosts.get(id).name();
  }

  List<Seen> seen() {
    return Collections.unmodifiableList(seen);
  }

  @Override
  public void close() {
    server.stop(0);
  }

  // ---- the API ----

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      String path = x.getRequestURI().getRawPath();
      String query = x.getRequestURI().getRawQuery();
      seen.add(
          new Seen(
              x.getRequestMethod(),
              path + (query == null ? "" : "?" + query),
              x.getRequestHeaders().getFirst("Version"),
              x.getRequestHeaders().getFirst("Authorization")));
      if (path.equals("/ovirt-engine/sso/oauth/token")) {
        sso(x);
      } else if (path.startsWith("/ovirt-engine/services/sso-logout")) {
        send(x, 200, "application/json", "{}");
      } else if (!path.startsWith("/ovirt-engine/api")) {
        send(x, 404, "text/plain", "not found");
      } else if (!"4".equals(x.getRequestHeaders().getFirst("Version"))
          || !("Bearer " + token).equals(x.getRequestHeaders().getFirst("Authorization"))) {
        send(
            x,
            401,
            "application/xml",
            fault("Unauthorized", "a valid bearer token and Version: 4 are required"));
      } else {
        api(x, path, query == null ? "" : URLDecoder.decode(query, StandardCharsets.UTF_8));
      }
    } catch (RuntimeException e) {
      send(x, 500, "text/plain", e.toString());
    }
  }

  /** POST /ovirt-engine/sso/oauth/token: the resource owner password grant of the guide. */
  private void sso(HttpExchange x) throws IOException {
    Map<String, String> form = new LinkedHashMap<>();
    for (String kv :
        new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        form.put(
            URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    if (!"password".equals(form.get("grant_type")) || !"ovirt-app-api".equals(form.get("scope"))) {
      send(
          x,
          400,
          "application/json",
          "{\"error_code\":\"invalid_request\",\"error\":\"grant_type=password and scope=ovirt-app-api are required\"}");
    } else if (!USER.equals(form.get("username")) || !PASSWORD.equals(form.get("password"))) {
      send(
          x,
          401,
          "application/json",
          "{\"error_code\":\"access_denied\",\"error\":\"Cannot authenticate user '"
              + form.get("username")
              + "': The username or password is incorrect.\"}");
    } else {
      send(
          x,
          200,
          "application/json",
          "{\"access_token\":\""
              + token
              + "\",\"token_type\":\"bearer\",\"scope\":\"ovirt-app-api\",\"exp\":\""
              + (System.currentTimeMillis() + TimeUnit.HOURS.toMillis(1))
              + "\"}");
    }
  }

  private synchronized void api(HttpExchange x, String path, String query) throws IOException {
    String method = x.getRequestMethod();
    if (method.equals("GET") && path.equals("/ovirt-engine/api/hosts")) {
      StringBuilder b = new StringBuilder("<hosts>");
      for (HostState h : hosts.values()) {
        b.append(host(h, query.contains("follow=statistics")));
      }
      send(x, 200, "application/xml", b.append("</hosts>").toString());
    } else if (method.equals("GET") && path.equals("/ovirt-engine/api/vms")) {
      String name =
          query.startsWith("search=name=") ? query.substring("search=name=".length()) : null;
      StringBuilder b = new StringBuilder("<vms>");
      for (VmState v : vms.values()) {
        if (name == null || v.name.equals(name)) {
          b.append(vm(v));
        }
      }
      send(x, 200, "application/xml", b.append("</vms>").toString());
    } else if (method.equals("GET") && path.equals("/ovirt-engine/api/storagedomains")) {
      send(
          x,
          200,
          "application/xml",
          "<storage_domains>"
              + fill(
                  "storage_domain.xml",
                  Map.of(
                      "id",
                      "072fbaa1-08f3-4a40-9f34-a5ca22dd1d74",
                      "name",
                      "mydata",
                      "available",
                      Long.toString(storageAvailable)))
              + "</storage_domains>");
    } else if (path.startsWith("/ovirt-engine/api/vms/")) {
      Matcher m = ID.matcher(path);
      VmState v = m.matches() ? byId(m.group(1)) : null;
      if (v == null) {
        send(x, 404, "application/xml", fault("Not Found", "Entity not found: " + path));
      } else if (method.equals("GET") && m.group(2) == null) {
        send(x, 200, "application/xml", vm(v));
        if (v.status.equals("migrating")) {
          v.status = "up";
        }
      } else if (method.equals("POST") && m.group(2) != null) {
        migrate(x, v);
      } else {
        send(x, 405, "text/plain", "method not allowed");
      }
    } else {
      send(x, 404, "application/xml", fault("Not Found", "no such collection: " + path));
    }
  }

  /** POST /ovirt-engine/api/vms/{id}/migrate with {@code <action><host id=".."/></action>}. */
  private void migrate(HttpExchange x, VmState v) throws IOException {
    String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Matcher host = Pattern.compile("<host[^>]*\\bid=\"([^\"]+)\"").matcher(body);
    if (!body.startsWith("<action") || !host.find()) {
      send(
          x,
          400,
          "application/xml",
          fault("Incomplete parameters", "Action [host.id] required for migrate"));
      return;
    }
    if (refuseNextMigrate != null) {
      String detail = refuseNextMigrate;
      refuseNextMigrate = null;
      send(x, 409, "application/xml", fault("Operation Failed", detail));
      return;
    }
    if (!hosts.containsKey(host.group(1))) {
      send(
          x,
          404,
          "application/xml",
          fault("Not Found", "Entity not found: Host: id=" + host.group(1)));
      return;
    }
    v.hostId = host.group(1);
    v.status = "migrating";
    send(x, 200, "application/xml", fill("action.xml", Map.of()));
  }

  // ---- rendering ----

  private String host(HostState h, boolean withStatistics) {
    String stats = "";
    if (withStatistics) {
      stats =
          "<statistics>"
              + statistic(
                  h,
                  "7816602b-c05c-3db7-a4da-3769f7ad8896",
                  "memory.used",
                  "Used memory",
                  "integer",
                  "bytes",
                  Long.toString(h.memoryUsed()))
              + statistic(
                  h,
                  "33a6a2c6-44d4-3e1c-ab3a-8d2e98b4e2a6",
                  "cpu.current.user",
                  "User CPU usage",
                  "decimal",
                  "percent",
                  Double.toString(h.cpuUserPct()))
              + statistic(
                  h,
                  "3bdb7dc3-1f8d-3b2d-bd4a-8b3d4f3c3a6e",
                  "cpu.current.system",
                  "System CPU usage",
                  "decimal",
                  "percent",
                  Double.toString(h.cpuSystemPct()))
              + "</statistics>";
    }
    return fill(
        "host.xml",
        Map.of(
            "id",
            h.id(),
            "name",
            h.name(),
            "speed",
            Integer.toString(h.speed()),
            "cores",
            Integer.toString(h.cores()),
            "sockets",
            Integer.toString(h.sockets()),
            "threads",
            Integer.toString(h.threads()),
            "memory",
            Long.toString(h.memory()),
            "status",
            h.status(),
            "statistics",
            stats));
  }

  private String statistic(
      HostState h,
      String id,
      String name,
      String description,
      String type,
      String unit,
      String datum) {
    return fill(
        "statistic.xml",
        Map.of(
            "host",
            h.id(),
            "id",
            id,
            "name",
            name,
            "description",
            description,
            "type",
            type,
            "unit",
            unit,
            "datum",
            datum));
  }

  private String vm(VmState v) {
    String host =
        v.hostId == null
            ? ""
            : "<host href=\"/ovirt-engine/api/hosts/" + v.hostId + "\" id=\"" + v.hostId + "\"/>";
    return fill(
        "vm.xml",
        Map.of(
            "id",
            v.id,
            "name",
            v.name,
            "cores",
            Integer.toString(v.cores),
            "memory",
            Long.toString(v.memory),
            "status",
            v.status,
            "host",
            host));
  }

  private String fault(String reason, String detail) {
    return fill("fault.xml", Map.of("reason", reason, "detail", detail));
  }

  private static String fill(String fixture, Map<String, String> values) {
    String s;
    try (InputStream in = OvirtEngineReplay.class.getResourceAsStream("/ovirt-api/" + fixture)) {
      s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    s = s.replaceAll("(?s)<!--.*?-->\\s*", "");
    for (Map.Entry<String, String> e : values.entrySet()) {
      s = s.replace("${" + e.getKey() + "}", e.getValue());
    }
    return s;
  }

  private VmState byId(String id) {
    return vms.values().stream().filter(v -> v.id.equals(id)).findFirst().orElse(null);
  }

  private String hostId(String name) {
    return hosts.values().stream()
        .filter(h -> h.name().equals(name))
        .map(HostState::id)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no host " + name));
  }

  private static void send(HttpExchange x, int status, String type, String body)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", type);
    x.sendResponseHeaders(status, b.length);
    x.getResponseBody().write(b);
  }

  /** A test CA and a server certificate for localhost signed by it, made with keytool. */
  static final class TestCa {
    static final String PASSWORD = "changeit-test";

    static void make(Path dir) throws Exception {
      Files.createDirectories(dir);
      keytool(
          dir,
          "-genkeypair",
          "-alias",
          "ca",
          "-keyalg",
          "RSA",
          "-keysize",
          "2048",
          "-dname",
          "CN=vmdna test CA",
          "-ext",
          "bc:c",
          "-validity",
          "2",
          "-keystore",
          "ca.p12",
          "-storetype",
          "PKCS12",
          "-storepass",
          PASSWORD);
      keytool(
          dir,
          "-exportcert",
          "-rfc",
          "-alias",
          "ca",
          "-keystore",
          "ca.p12",
          "-storepass",
          PASSWORD,
          "-file",
          "ca.pem");
      keytool(
          dir,
          "-genkeypair",
          "-alias",
          "server",
          "-keyalg",
          "RSA",
          "-keysize",
          "2048",
          "-dname",
          "CN=localhost",
          "-validity",
          "2",
          "-keystore",
          "server.p12",
          "-storetype",
          "PKCS12",
          "-storepass",
          PASSWORD);
      keytool(
          dir,
          "-certreq",
          "-alias",
          "server",
          "-keystore",
          "server.p12",
          "-storepass",
          PASSWORD,
          "-file",
          "server.csr");
      keytool(
          dir,
          "-gencert",
          "-rfc",
          "-alias",
          "ca",
          "-keystore",
          "ca.p12",
          "-storepass",
          PASSWORD,
          "-infile",
          "server.csr",
          "-outfile",
          "server.pem",
          "-ext",
          "san=dns:localhost,ip:127.0.0.1",
          "-validity",
          "2");
      keytool(
          dir,
          "-importcert",
          "-noprompt",
          "-alias",
          "ca",
          "-file",
          "ca.pem",
          "-keystore",
          "server.p12",
          "-storepass",
          PASSWORD);
      keytool(
          dir,
          "-importcert",
          "-alias",
          "server",
          "-file",
          "server.pem",
          "-keystore",
          "server.p12",
          "-storepass",
          PASSWORD);
    }

    private static void keytool(Path dir, String... args) throws Exception {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
      cmd.addAll(List.of(args));
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
      }
    }
  }
}
