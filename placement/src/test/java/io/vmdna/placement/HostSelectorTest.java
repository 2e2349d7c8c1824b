package io.vmdna.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.store.EmbeddedDatabase;
import io.vmdna.store.Reservation;
import io.vmdna.store.ReservationRepository;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HostSelectorTest {
  static EmbeddedDatabase db;
  static ReservationRepository reservations;

  @BeforeAll
  static void start() {
    db = EmbeddedDatabase.start();
    reservations = new ReservationRepository(db.dataSource());
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  private static HostInfo host(String id, double capacity, double used, boolean online) {
    return new HostInfo(
        id, capacity, 100e6, used, 10e6, Set.of(ImageFormat.QCOW2), online, 1L << 40);
  }

  @Test
  void shouldChooseTheHostWithMostRoomAndExplainRejections() {
    HostSelector selector = HostSelector.defaults(0.8, reservations);
    List<HostInfo> hosts =
        List.of(
            host("src", 50_000, 45_000, true),
            host("busy", 50_000, 35_000, true),
            host("roomy", 50_000, 5_000, true),
            host("half", 50_000, 20_000, true),
            host("down", 90_000, 0, false));

    Placement p = selector.select(new PlacementRequest("p-1", "vm", "src", 10_000, 1e6), hosts);

    assertThat(p.targetHostId()).contains("roomy");
    assertThat(p.scores()).containsOnlyKeys("roomy", "half");
    assertThat(p.rejections())
        .containsEntry("src", "is the source host")
        .containsEntry("down", "is offline");
    assertThat(p.rejections().get("busy")).startsWith("CPU headroom 5000 MHz < need 10000 MHz");
    assertThat(p.explain()).startsWith("chose roomy");
  }

  @Test
  void otherMigrationsBookingsShouldCountButNotOurOwn() {
    HostSelector selector = HostSelector.defaults(0.8, reservations);
    List<HostInfo> hosts = List.of(host("only", 50_000, 10_000, true));
    reservations.reserve(new Reservation("other", "only", "vmX", 25_000, 0), 30_000, 1e9);
    reservations.reserve(new Reservation("mine", "only", "vmY", 4_000, 0), 30_000, 1e9);

    Placement p = selector.select(new PlacementRequest("mine", "vm", "src", 4_000, 1e6), hosts);
    Placement q = selector.select(new PlacementRequest("third", "vm", "src", 4_000, 1e6), hosts);

    assertThat(p.targetHostId()).contains("only");
    assertThat(q.targetHostId()).isEmpty();
    assertThat(q.explain()).startsWith("no suitable host:").contains("booked 29000");
  }

  @Test
  void shouldAvoidHostsTheVmLeftAndHostsAtTheirCap() {
    HostSelector selector =
        HostSelector.from(
            new PlacementConfig(
                0.8, 1, java.util.Map.of(), java.util.Map.of(), java.util.Map.of(), 1, 0, 0, 0),
            reservations);
    List<HostInfo> hosts =
        List.of(
            host("left", 50_000, 0, true),
            host("capped", 50_000, 0, true),
            host("ok", 50_000, 30_000, true));
    reservations.reserve(new Reservation("cap-other", "capped", "vmZ", 1, 0), 1e9, 1e9);

    Placement p =
        selector.select(
            new PlacementRequest("cap-mine", "vm", "src", 1_000, 1e6, 0, java.util.Set.of("left")),
            hosts);

    assertThat(p.targetHostId()).contains("ok");
    assertThat(p.rejections())
        .containsEntry("left", "the VM left it recently (ping-pong guard)")
        .containsEntry("capped", "1 migrations already in flight to it (cap 1)");
    assertThatThrownBy(() -> new TargetCapFilter(0)).hasMessageContaining("maxPerTarget");
  }

  @Test
  void everyRegisteredUnitShouldTakePart() {
    // given a config with groups and a topology
    PlacementConfig c =
        new PlacementConfig(
            0.8,
            5,
            java.util.Map.of("db", Set.of("db-1", "db-2")),
            java.util.Map.of("shop", Set.of("db-1", "web-1")),
            java.util.Map.of(
                "src", "z1/r1", "near", "z1/r1", "zone", "z1/r2", "far", "z2/r9", "mate", "z2/r8"),
            1.0,
            0.5,
            0.25,
            0.25);
    HostSelector selector = HostSelector.from(c, reservations);
    List<HostInfo> hosts =
        List.of(
            host("near", 50_000, 10_000, true),
            host("zone", 50_000, 10_000, true),
            host("far", 50_000, 10_000, true),
            host("mate", 50_000, 10_000, true),
            host("twin", 50_000, 0, true),
            new HostInfo("tiny-disk", 50_000, 100e6, 0, 0, Set.of(ImageFormat.RAW), true, 10),
            new HostInfo("no-format", 50_000, 100e6, 0, 0, Set.of(), true, 1L << 40));
    java.util.Map<String, String> vmHosts =
        java.util.Map.of("db-2", "twin", "web-1", "mate", "db-1", "src");

    // when
    Placement p =
        selector.select(
            new PlacementRequest("units", "db-1", "src", 1_000, 1e6, 1_000_000, Set.of()),
            hosts,
            vmHosts);

    // then
    assertThat(p.rejections())
        .containsEntry("twin", "anti-affinity group 'db': [db-2] already runs there")
        .containsEntry("tiny-disk", "storage free 10 bytes < image 1000000 bytes")
        .containsEntry("no-format", "runs no disk format vmdna can convert to");
    assertThat(p.scores().get("mate"))
        .as("affinity mate there")
        .isGreaterThan(p.scores().get("far"));
    assertThat(p.scores().get("near")).isGreaterThan(p.scores().get("zone"));
    assertThat(p.scores().get("zone")).isGreaterThan(p.scores().get("far"));
    assertThat(p.targetHostId()).contains("mate");
    assertThat(p.asVariable())
        .containsKeys("chosen", "scores", "rejections")
        .containsEntry("chosen", "mate");
    assertThatThrownBy(() -> new ProximityWeigher(java.util.Map.of("h", "rack-only")))
        .hasMessageContaining("<zone>/<rack>");
  }

  @Test
  void shouldAskWhereEveryVmRunsOnlyForAVmInAGroup() {
    PlacementConfig d = PlacementConfig.defaults();
    PlacementConfig c =
        new PlacementConfig(
            0.8,
            5,
            java.util.Map.of("db", Set.of("db-1", "db-2")),
            java.util.Map.of("shop", Set.of("web-1", "web-2")),
            d.topology(),
            1.0,
            0.5,
            0.25,
            0.25);
    HostSelector selector = HostSelector.from(c, reservations);
    List<HostInfo> hosts = List.of(host("one", 50_000, 0, true), host("two", 50_000, 0, true));
    java.util.Map<String, String> vmHosts = java.util.Map.of("db-2", "one", "web-2", "two");
    java.util.concurrent.atomic.AtomicInteger asked =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.function.Supplier<java.util.Map<String, String>> counting =
        () -> {
          asked.incrementAndGet();
          return vmHosts;
        };

    // a VM in no group: nothing reads the placements
    Placement loner =
        selector.select(new PlacementRequest("l", "loner", "src", 1_000, 1e6), hosts, counting);
    assertThat(asked).hasValue(0);
    assertThat(loner)
        .isEqualTo(
            selector.select(new PlacementRequest("l", "loner", "src", 1_000, 1e6), hosts, vmHosts));

    // anti-affinity and affinity: asked once per decision, and they act on the answer
    Placement db =
        selector.select(new PlacementRequest("d", "db-1", "src", 1_000, 1e6), hosts, counting);
    assertThat(asked).hasValue(1);
    assertThat(db.rejections()).containsKey("one");
    Placement web =
        selector.select(new PlacementRequest("w", "web-1", "src", 1_000, 1e6), hosts, counting);
    assertThat(asked).hasValue(2);
    assertThat(web.targetHostId()).contains("two");
  }

  @Test
  void loadTrendShouldPreferHostsThatAreNotHeatingUp() {
    LoadTrendWeigher w = new LoadTrendWeigher(0.2);
    PlacementRequest r = new PlacementRequest("t", "vm", "src", 1, 1);
    HostInfo flat =
        new HostInfo("flat", 10_000, 1e6, 0, 0, Set.of(ImageFormat.RAW), true, 1L << 40, -500);
    HostInfo warming =
        new HostInfo("warm", 10_000, 1e6, 0, 0, Set.of(ImageFormat.RAW), true, 1L << 40, 1_000);
    HostInfo hot =
        new HostInfo("hot", 10_000, 1e6, 0, 0, Set.of(ImageFormat.RAW), true, 1L << 40, 5_000);

    assertThat(w.weigh(new HostState(flat, 0, 0, 0, Set.of()), r)).isEqualTo(1.0);
    assertThat(w.weigh(new HostState(warming, 0, 0, 0, Set.of()), r)).isEqualTo(0.5);
    assertThat(w.weigh(new HostState(hot, 0, 0, 0, Set.of()), r)).isZero();
    assertThatThrownBy(() -> new LoadTrendWeigher(0)).hasMessageContaining("risingShare");
  }

  @Test
  void shouldRejectInvalidRequestsAndBounds() {
    assertThatThrownBy(() -> new PlacementRequest("x", "vm", "h", -1, 0))
        .hasMessageContaining("needs must be >= 0");
    assertThatThrownBy(() -> new HeadroomFilter(0)).hasMessageContaining("maxUtilization");
  }
}
