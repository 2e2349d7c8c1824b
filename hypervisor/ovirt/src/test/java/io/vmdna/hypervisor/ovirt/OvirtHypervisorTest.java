package io.vmdna.hypervisor.ovirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.hypervisor.api.HypervisorException;
import io.vmdna.hypervisor.api.HypervisorUnavailableException;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.hypervisor.api.MigrationRequest;
import io.vmdna.hypervisor.api.MigrationResult;
import io.vmdna.hypervisor.api.MigrationStrategy;
import io.vmdna.hypervisor.api.VmInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.commons.io.output.TeeOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OvirtHypervisor} with the real oVirt Java SDK against {@link OvirtEngineReplay}: HTTPS
 * with a test CA (certificates checked), the SSO token call, {@code Version: 4}, XML shaped like
 * the REST API guide's examples.
 */
class OvirtHypervisorTest {
  private static final long GIB = 1L << 30;

  /** The test CA, made once for the class (keytool takes a while). */
  @TempDir static Path ca;

  @TempDir Path dir;
  private OvirtEngineReplay engine;
  private OvirtHypervisor hv;

  /** A wrong password a caller might try; it must not be printed either. */
  private static final String WRONG_PASSWORD = "guess-s3cret";

  /**
   * Everything the class's tests print (the SDK's and the adapter's logs go to the console), kept
   * to check that no password is ever printed.
   */
  private static final ByteArrayOutputStream PRINTED = new ByteArrayOutputStream();

  private static final PrintStream STDOUT = System.out;
  private static final PrintStream STDERR = System.err;

  @BeforeAll
  static void copyWhatIsPrinted() {
    System.setOut(new PrintStream(new TeeOutputStream(STDOUT, PRINTED), true));
    System.setErr(new PrintStream(new TeeOutputStream(STDERR, PRINTED), true));
  }

  @AfterAll
  static void noPasswordShouldHaveBeenPrinted() {
    System.setOut(STDOUT);
    System.setErr(STDERR);
    assertThat(PRINTED.toString(StandardCharsets.UTF_8))
        .doesNotContain(OvirtEngineReplay.PASSWORD)
        .doesNotContain(WRONG_PASSWORD);
  }

  @BeforeEach
  void start() throws Exception {
    engine = OvirtEngineReplay.start(ca);
    // 2 sockets × 8 cores × 2 threads at 2600 MHz = 83,200 MHz
    engine.addHost(host("a", "up", 20, 5));
    engine.addHost(host("b", "up", 10, 2));
    engine.addHost(host("c", "maintenance", 0, 0));
    engine.addVm("web-1", 4, 8 * GIB, "host-a");
    engine.addVm("db-1", 2, 16 * GIB, "host-b");
    hv = new OvirtHypervisor(settings(OvirtEngineReplay.PASSWORD, engine.url(), engine.caPem()));
  }

  @AfterEach
  void stop() {
    if (hv != null) {
      hv.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  private static OvirtEngineReplay.HostState host(
      String x, String status, double user, double sys) {
    return new OvirtEngineReplay.HostState(
        "0000000" + x.charAt(0) + "-0000-4000-8000-00000000000" + x.charAt(0),
        "host-" + x,
        2600,
        8,
        2,
        2,
        512 * GIB,
        status,
        user,
        sys,
        100 * GIB);
  }

  private static OvirtSettings settings(String password, String url, Path ca) {
    return OvirtSettings.of(url, OvirtEngineReplay.USER, password, ca)
        .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofMillis(50));
  }

  private static MigrationRequest live(String id, String vm, String from, String to) {
    return new MigrationRequest(id, vm, from, to, MigrationStrategy.LIVE, null, Map.of());
  }

  @Test
  void hostsShouldBeTranslatedToTheCommonUnits() {
    Map<String, HostInfo> hosts =
        hv.hosts().stream().collect(java.util.stream.Collectors.toMap(HostInfo::hostId, h -> h));

    HostInfo a = hosts.get("host-a");
    assertThat(a.cpuCapacityMhz()).isEqualTo(83_200.0);
    assertThat(a.cpuUsedMhz()).isEqualTo(83_200.0 * 0.25);
    assertThat(a.memCapacityKb()).isEqualTo(512.0 * 1024 * 1024);
    assertThat(a.memUsedKb()).isEqualTo(100.0 * 1024 * 1024);
    assertThat(a.online()).isTrue();
    assertThat(a.storageFreeBytes()).isEqualTo(100 * GIB);
    assertThat(a.imageFormats()).contains(ImageFormat.RAW, ImageFormat.QCOW2);
    assertThat(hosts.get("host-c").online()).as("a host in maintenance").isFalse();
  }

  @Test
  void vmsShouldBeTranslatedAndPlaced() {
    VmInfo web = hv.vm("web-1").orElseThrow();

    assertThat(web.hostId()).isEqualTo("host-a");
    assertThat(web.cpuCores()).isEqualTo(4);
    assertThat(web.cpuProvisionedMhz()).isEqualTo(4 * 2600.0);
    assertThat(web.memProvisionedKb()).isEqualTo(8.0 * 1024 * 1024);
    assertThat(hv.vms()).extracting(VmInfo::vmId).containsExactlyInAnyOrder("web-1", "db-1");
    assertThat(hv.locate("db-1")).contains("host-b");
    assertThat(hv.vm("nope")).isEmpty();
  }

  @Test
  void everyCallShouldAuthenticateThroughSsoAndSayVersion4() {
    hv.hosts();
    hv.vms();

    var seen = engine.seen();
    assertThat(seen.getFirst().method()).isEqualTo("POST");
    assertThat(seen.getFirst().path()).isEqualTo("/ovirt-engine/sso/oauth/token");
    assertThat(seen.stream().filter(s -> s.path().startsWith("/ovirt-engine/api")))
        .isNotEmpty()
        .allSatisfy(
            s -> {
              assertThat(s.version()).isEqualTo("4");
              assertThat(s.authorization()).startsWith("Bearer fqbR1ftzh8wBCviLxJcYuV5oSDI=");
            });
    assertThat(seen).anyMatch(s -> s.path().equals("/ovirt-engine/api/hosts?follow=statistics"));
  }

  @Test
  void shouldMigrateLiveIdempotentlyAndBack() {
    MigrationResult r = hv.migrate(live("m-1", "web-1", "host-a", "host-b"));

    assertThat(r.alreadyDone()).isFalse();
    assertThat(r.fromHostId()).isEqualTo("host-a");
    assertThat(r.toHostId()).isEqualTo("host-b");
    assertThat(engine.hostOf("web-1")).isEqualTo("host-b");
    assertThat(hv.locate("web-1")).contains("host-b");
    assertThat(hv.isHealthy("web-1", "host-b")).isTrue();
    assertThat(hv.isHealthy("web-1", "host-a")).isFalse();
    assertThat(engine.seen())
        .anyMatch(s -> s.method().equals("POST") && s.path().endsWith("/migrate"));

    assertThat(hv.migrate(live("m-1", "web-1", "host-a", "host-b")).alreadyDone())
        .as("a retried step")
        .isTrue();
    assertThat(hv.migrateBack("m-1", "web-1", "host-a", null).toHostId()).isEqualTo("host-a");
    assertThat(engine.hostOf("web-1")).isEqualTo("host-a");
  }

  @Test
  void shouldCarryTheEnginesWordsWhenItRefuses() {
    engine.refuseNextMigrate(
        "[Cannot migrate VM. There is no host that satisfies current scheduling constraints.]");

    assertThatThrownBy(() -> hv.migrate(live("m-2", "web-1", "host-a", "host-b")))
        .isInstanceOf(HypervisorException.class)
        .isNotInstanceOf(HypervisorUnavailableException.class)
        .hasMessageContaining("migrate web-1 to host-b")
        .hasMessageContaining("409")
        .hasMessageContaining("no host that satisfies current scheduling constraints");
    assertThat(engine.hostOf("web-1")).isEqualTo("host-a");
  }

  @Test
  void shouldRefuseWhatOvirtDoesNotOfferAndNameWhatIsMissing() {
    assertThatThrownBy(() -> hv.migrate(live("m", "nope", "host-a", "host-b")))
        .hasMessageContaining("no VM nope");
    assertThatThrownBy(() -> hv.migrate(live("m", "web-1", "host-a", "host-z")))
        .hasMessageContaining("no host host-z");
    assertThatThrownBy(() -> hv.migrate(live("m", "web-1", "host-b", "host-c")))
        .hasMessageContaining("runs on host-a, not on host-b");
    assertThatThrownBy(
            () ->
                hv.migrate(
                    new MigrationRequest(
                        "m", "web-1", "host-a", "host-b", MigrationStrategy.WARM, null, Map.of())))
        .hasMessageContaining("strategy WARM is not offered");
    assertThatThrownBy(
            () ->
                hv.migrate(
                    new MigrationRequest(
                        "m",
                        "web-1",
                        "host-a",
                        "host-b",
                        MigrationStrategy.LIVE,
                        new ImageRef("/x.raw", ImageFormat.RAW),
                        Map.of())))
        .hasMessageContaining("disks stay on their storage");
    assertThatThrownBy(() -> hv.convertImage("m", "web-1", ImageFormat.RAW))
        .hasMessageContaining("disk conversion is not offered");
  }

  @Test
  void aWrongPasswordShouldNameTheUser() {
    try (OvirtHypervisor wrong =
        new OvirtHypervisor(settings(WRONG_PASSWORD, engine.url(), engine.caPem()))) {
      assertThatThrownBy(wrong::hosts)
          .isInstanceOf(HypervisorException.class)
          .isNotInstanceOf(HypervisorUnavailableException.class)
          .hasMessageContaining("admin@internal")
          .hasMessageContaining("Cannot authenticate")
          .message()
          .doesNotContain(WRONG_PASSWORD);
    }
  }

  @Test
  void anEngineThatCannotBeReachedShouldBeUnavailableNotFailed() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try (OvirtHypervisor gone =
        new OvirtHypervisor(
            settings(
                OvirtEngineReplay.PASSWORD,
                "https://localhost:" + closed + "/ovirt-engine/api",
                engine.caPem()))) {
      assertThatThrownBy(gone::hosts)
          .isInstanceOf(HypervisorUnavailableException.class)
          .hasMessageContaining("engine unreachable");
    }
  }

  @Test
  void certificatesShouldBeCheckedAgainstTheGivenCa() throws Exception {
    OvirtEngineReplay.TestCa.make(dir.resolve("other-ca"));
    try (OvirtHypervisor untrusting =
        new OvirtHypervisor(
            settings(OvirtEngineReplay.PASSWORD, engine.url(), dir.resolve("other-ca/ca.pem")))) {
      assertThatThrownBy(untrusting::hosts)
          .isInstanceOf(HypervisorUnavailableException.class)
          .hasMessageContaining("SSLHandshakeException");
    }
    assertThat(engine.seen()).noneMatch(s -> s.path().startsWith("/ovirt-engine/api"));
  }

  @Test
  void settingsShouldNeverShowThePasswordAndNameABadCaFile() {
    OvirtSettings s = settings(OvirtEngineReplay.PASSWORD, engine.url(), engine.caPem());
    assertThat(s.toString()).doesNotContain(OvirtEngineReplay.PASSWORD).contains("password=***");
    assertThatThrownBy(() -> settings("p", engine.url(), dir.resolve("missing.pem")))
        .hasMessageContaining("missing.pem does not exist");
    assertThatThrownBy(
            () -> settings("p", engine.url(), engine.caPem().resolveSibling("server.csr")))
        .hasMessageContaining("server.csr");
    assertThatThrownBy(() -> settings("p", "http://engine/ovirt-engine/api", engine.caPem()))
        .hasMessageContaining("must be https://");
  }
}
