package io.vmdna.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Repositories against a real PostgreSQL (embedded binaries from Maven Central). */
class StoreTest {
  static EmbeddedDatabase db;
  static ReservationRepository reservations;
  static MigrationRepository migrations;

  @BeforeAll
  static void start() {
    db = EmbeddedDatabase.start();
    reservations = new ReservationRepository(db.dataSource());
    migrations = new MigrationRepository(db.dataSource());
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  @Test
  void migrateShouldBeIdempotent() {
    assertThat(Database.migrate(db.dataSource())).as("already applied at start").isZero();
  }

  @Test
  void shouldReserveOnceAndRefuseWhatNoLongerFits() {
    // given 10 000 MHz free on h1
    Reservation a = new Reservation("r-a", "h1", "vm1", 6_000, 1_000);
    Reservation b = new Reservation("r-b", "h1", "vm2", 6_000, 1_000);

    // when / then
    assertThat(reservations.reserve(a, 10_000, 1e9))
        .isEqualTo(ReservationRepository.Outcome.RESERVED);
    assertThat(reservations.reserve(a, 10_000, 1e9))
        .isEqualTo(ReservationRepository.Outcome.ALREADY_RESERVED);
    assertThat(reservations.reserve(b, 10_000, 1e9))
        .isEqualTo(ReservationRepository.Outcome.CAPACITY_GONE);
    assertThat(reservations.reserve(b, 10_000, 1_500))
        .isEqualTo(ReservationRepository.Outcome.CAPACITY_GONE);
    assertThat(reservations.onHost("h1"))
        .extracting(Reservation::migrationId)
        .containsExactly("r-a");
    assertThat(reservations.release("r-a")).isTrue();
    assertThat(reservations.release("r-a")).isFalse();
    assertThat(reservations.reserve(b, 10_000, 1e9))
        .isEqualTo(ReservationRepository.Outcome.RESERVED);
    assertThat(reservations.find("r-b")).contains(b);
  }

  @Test
  void shouldReadTheBookingsOfSeveralHostsInOneGo() {
    reservations.reserve(new Reservation("many-a", "m1", "vm1", 100, 10), 10_000, 1e9);
    reservations.reserve(new Reservation("many-b", "m1", "vm2", 200, 20), 10_000, 1e9);
    reservations.reserve(new Reservation("many-c", "m2", "vm3", 300, 30), 10_000, 1e9);
    reservations.reserve(new Reservation("many-d", "m3", "vm4", 400, 40), 10_000, 1e9);

    var byHost = reservations.onHosts(List.of("m1", "m2", "m-empty"));

    assertThat(byHost).containsOnlyKeys("m1", "m2"); // m3 not asked, m-empty has none
    assertThat(byHost.get("m1"))
        .extracting(Reservation::migrationId)
        .containsExactlyInAnyOrder("many-a", "many-b");
    assertThat(byHost.get("m2")).containsExactly(reservations.find("many-c").orElseThrow());
    assertThat(reservations.onHosts(List.of())).isEmpty();
  }

  @Test
  void shouldCountMigrationsByStatusUnderAnIdPrefix() {
    migrations.claim(started("cnt_1-a", 70, "vm-c1", "src-c"));
    migrations.claim(started("cnt_1-b", 71, "vm-c2", "src-c"));
    migrations.claim(started("cnt_1-c", 72, "vm-c3", "src-c"));
    migrations.claim(started("cntX1-d", 73, "vm-c4", "src-c")); // '_' is no wildcard
    // ended ones: the class's rails test counts migrations in flight
    migrations.setStatus("cnt_1-a", MigrationStatus.MIGRATED);
    migrations.setStatus("cnt_1-b", MigrationStatus.ROLLED_BACK);
    migrations.setStatus("cnt_1-c", MigrationStatus.MIGRATED);
    migrations.setStatus("cntX1-d", MigrationStatus.MIGRATED);

    assertThat(migrations.countByStatus("cnt_1-"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(MigrationStatus.MIGRATED, 2L, MigrationStatus.ROLLED_BACK, 1L));
    assertThat(migrations.countByStatus("nothing-")).isEmpty();
  }

  @Test
  void concurrentBookingsShouldNeverOverbookAHost() throws Exception {
    // given 8 replicas racing for 10 000 MHz in 3 000 MHz pieces
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Callable<ReservationRepository.Outcome>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Reservation r = new Reservation("race-" + i, "h-race", "vm" + i, 3_000, 0);
      calls.add(() -> reservations.reserve(r, 10_000, 1e9));
    }

    // when
    List<ReservationRepository.Outcome> outcomes = new ArrayList<>();
    for (Future<ReservationRepository.Outcome> f : pool.invokeAll(calls)) {
      outcomes.add(f.get());
    }
    pool.shutdown();

    // then exactly three fit
    assertThat(outcomes).filteredOn(o -> o == ReservationRepository.Outcome.RESERVED).hasSize(3);
    assertThat(reservations.onHost("h-race").stream().mapToDouble(Reservation::cpuMhz).sum())
        .isEqualTo(9_000);
  }

  @Test
  void shouldClaimAMigrationIdOnceAndKeepItsHistory() {
    MigrationRecord first =
        new MigrationRecord(
            "m-1", 100, "vm1", "h1", null, "FORECAST", "hot", MigrationStatus.STARTED);
    MigrationRecord other =
        new MigrationRecord(
            "m-1", 200, "vm1", "h1", null, "FORECAST", "hot", MigrationStatus.STARTED);

    assertThat(migrations.claim(first)).isEqualTo(MigrationRepository.Claim.CLAIMED);
    assertThat(migrations.claim(first))
        .as("a retried job of the same instance")
        .isEqualTo(MigrationRepository.Claim.OWNED);
    assertThat(migrations.claim(other)).isEqualTo(MigrationRepository.Claim.DUPLICATE);

    migrations.setTarget("m-1", "h2");
    migrations.recordStep("m-1", "scan-hosts", "OK", "chose h2");
    migrations.recordStep("m-1", "migrate", "MIGRATION_FAILED", "boom");
    migrations.setStatus("m-1", MigrationStatus.ROLLED_BACK);

    MigrationRecord stored = migrations.find("m-1").orElseThrow();
    assertThat(stored.processInstanceKey()).isEqualTo(100);
    assertThat(stored.targetHostId()).isEqualTo("h2");
    assertThat(stored.status()).isEqualTo(MigrationStatus.ROLLED_BACK);
    assertThat(migrations.steps("m-1"))
        .extracting(MigrationRepository.Step::outcome)
        .containsExactly("OK", "MIGRATION_FAILED");
    assertThat(migrations.all()).extracting(MigrationRecord::migrationId).contains("m-1");
    assertThat(migrations.find("nope")).isEmpty();
  }

  private static MigrationRecord started(String id, long key, String vm, String source) {
    return new MigrationRecord(
        id, key, vm, source, null, "FORECAST", "hot", MigrationStatus.STARTED);
  }

  @Test
  void railsShouldDeclineACoolingVmAndFullSourcesAndRecordWhy() {
    Rails rails = new Rails(java.time.Duration.ofHours(1), java.time.Duration.ofHours(24), 1, 2, 3);

    // a VM that just migrated is cooling down
    migrations.claim(started("rail-1", 1, "vm-r1", "src-1"));
    migrations.setStatus("rail-1", MigrationStatus.MIGRATED);
    MigrationRepository.ClaimResult cooling =
        migrations.claim(started("rail-2", 2, "vm-r1", "src-9"), rails);
    assertThat(cooling.claim()).isEqualTo(MigrationRepository.Claim.DECLINED);
    assertThat(cooling.veto()).contains("vm-r1 is cooling down after migration rail-1");
    assertThat(migrations.find("rail-2").orElseThrow().status())
        .isEqualTo(MigrationStatus.DECLINED);
    assertThat(migrations.steps("rail-2"))
        .extracting(MigrationRepository.Step::outcome)
        .containsExactly("DECLINED");
    assertThat(migrations.recentlyLeft("vm-r1", java.time.Duration.ofHours(24)))
        .containsExactly("src-1");

    // one migration in flight per source host
    assertThat(migrations.claim(started("rail-3", 3, "vm-r3", "src-2"), rails).claim())
        .isEqualTo(MigrationRepository.Claim.CLAIMED);
    MigrationRepository.ClaimResult full =
        migrations.claim(started("rail-4", 4, "vm-r4", "src-2"), rails);
    assertThat(full.claim()).isEqualTo(MigrationRepository.Claim.DECLINED);
    assertThat(full.veto())
        .contains("host src-2 already has 1 migrations in flight (cap 1 per source host)");

    // a retried job of the claimed instance is not re-checked
    assertThat(migrations.claim(started("rail-3", 3, "vm-r3", "src-2"), rails).claim())
        .isEqualTo(MigrationRepository.Claim.OWNED);
  }

  @Test
  void clusterCapShouldCountEveryMigrationInFlight() {
    // given what other tests left in flight, a cap of exactly that many
    long inFlight =
        migrations.all().stream()
            .filter(
                r ->
                    r.status() == MigrationStatus.STARTED
                        || r.status() == MigrationStatus.ROLLING_BACK)
            .count();
    Rails rails =
        new Rails(java.time.Duration.ZERO, java.time.Duration.ZERO, 100, 100, (int) inFlight + 1);

    assertThat(migrations.claim(started("cap-1", 11, "vm-c1", "c-1"), rails).claim())
        .isEqualTo(MigrationRepository.Claim.CLAIMED);
    MigrationRepository.ClaimResult over =
        migrations.claim(started("cap-2", 12, "vm-c2", "c-2"), rails);
    assertThat(over.claim()).isEqualTo(MigrationRepository.Claim.DECLINED);
    assertThat(over.veto())
        .contains("migrations in flight in the cluster (cap " + (inFlight + 1) + ")");
  }

  @Test
  void anInstanceShouldTakeOverARequestedMigration() {
    MigrationRecord requested =
        new MigrationRecord(
            "req-1", 0, "vm-q", "h1", "h2", "API", "ops", MigrationStatus.REQUESTED);
    assertThat(migrations.request(requested)).isTrue();
    assertThat(migrations.request(requested)).isFalse();
    assertThat(migrations.inFlight("vm-q"))
        .extracting(MigrationRecord::migrationId)
        .containsExactly("req-1");

    assertThat(migrations.claim(started("req-1", 77, "vm-q", "h1"), Rails.defaults()).claim())
        .isEqualTo(MigrationRepository.Claim.CLAIMED);
    assertThat(migrations.find("req-1").orElseThrow().processInstanceKey()).isEqualTo(77);
    assertThat(migrations.find("req-1").orElseThrow().status()).isEqualTo(MigrationStatus.STARTED);
    assertThat(migrations.claim(started("req-1", 78, "vm-q", "h1")).name()).isEqualTo("DUPLICATE");
  }

  @Test
  void reservationsShouldRespectTheCapPerTarget() {
    assertThat(reservations.reserve(new Reservation("t-1", "h-cap", "v1", 1, 1), 1e9, 1e9, 1))
        .isEqualTo(ReservationRepository.Outcome.RESERVED);
    assertThat(reservations.reserve(new Reservation("t-2", "h-cap", "v2", 1, 1), 1e9, 1e9, 1))
        .isEqualTo(ReservationRepository.Outcome.CAPACITY_GONE);
    assertThat(reservations.reserve(new Reservation("t-1", "h-cap", "v1", 1, 1), 1e9, 1e9, 1))
        .isEqualTo(ReservationRepository.Outcome.ALREADY_RESERVED);
  }

  @Test
  void railsShouldRejectNonsense() {
    assertThatThrownBy(
            () -> new Rails(java.time.Duration.ofHours(-1), java.time.Duration.ZERO, 1, 1, 1))
        .hasMessageContaining("must not be negative");
    assertThatThrownBy(() -> new Rails(java.time.Duration.ZERO, java.time.Duration.ZERO, 0, 1, 1))
        .hasMessageContaining("caps must be >= 1");
  }

  @Test
  void shouldFailNamingTheKeyWhenARecordIsMissing() {
    assertThatThrownBy(() -> migrations.setStatus("ghost", MigrationStatus.MIGRATED))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("no migration record ghost");
    assertThatThrownBy(() -> migrations.recordStep("ghost", "migrate", "OK", ""))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("record step migrate of ghost");
  }

  @Test
  void dnaHistoryShouldRecordOnceAndReadNewestFirst() {
    DnaHistoryRepository dna = new DnaHistoryRepository(db.dataSource());
    DnaRecord a = new DnaRecord("vm-d", "h1", 3_600, 2, List.of(0.1, -0.2), 0.4);
    DnaRecord b = new DnaRecord("vm-d", "h2", 7_200, 2, List.of(0.3, 0.5), 0.9);

    // a replay (same VM and time) adds nothing and keeps the first copy
    assertThat(dna.record(List.of(a, b))).isEqualTo(2);
    assertThat(dna.record(List.of(b, new DnaRecord("vm-d", "h9", 3_600, 2, List.of(9.0), 0))))
        .isZero();
    assertThat(dna.record(List.of())).isZero();

    assertThat(dna.history("vm-d", 10)).containsExactly(b, a);
    assertThat(dna.history("vm-d", 1)).containsExactly(b);
    assertThat(dna.history("nobody", 10)).isEmpty();
    assertThat(dna.prune(7_200)).isEqualTo(1);
    assertThat(dna.history("vm-d", 10)).containsExactly(b);
  }

  @Test
  void dnaRecordShouldNameWhatIsWrong() {
    assertThatThrownBy(() -> new DnaRecord("", "h1", 0, 2, List.of(0.1), 0))
        .hasMessageContaining("needs a VM and a host");
    assertThatThrownBy(() -> new DnaRecord("vm", "h1", 60, 2, List.of(), 0))
        .hasMessageContaining("DNA record of vm: empty embedding");
    assertThatThrownBy(() -> new DnaRecord("vm", "h1", 60, 2, List.of(Double.NaN), 0))
        .hasMessageContaining("DNA record of vm at 60: embedding value NaN is not finite");
    assertThatThrownBy(() -> new DnaRecord("vm", "h1", 60, 2, List.of(0.1), 1.5))
        .hasMessageContaining("error score 1.5 is not in [0, 1]");
  }

  @Test
  void dnaHistoryShouldNameTheVmWhenTheDatabaseRefuses() {
    // a closed pool: every call fails; the error names the batch
    com.zaxxer.hikari.HikariDataSource closed =
        Database.pooled(db.jdbcUrl(), "postgres", "postgres", 1);
    closed.close();
    DnaHistoryRepository dna = new DnaHistoryRepository(closed);

    assertThatThrownBy(
            () -> dna.record(List.of(new DnaRecord("vm-x", "h1", 60, 2, List.of(0.1), 0))))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("record 1 DNA(s), first of vm-x");
    assertThatThrownBy(() -> dna.history("vm-x", 1))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("DNA history of vm-x");
  }

  @Test
  void bookingsOfSeveralHostsShouldNameThemWhenTheDatabaseRefuses() {
    com.zaxxer.hikari.HikariDataSource closed =
        Database.pooled(db.jdbcUrl(), "postgres", "postgres", 1);
    closed.close();

    assertThatThrownBy(() -> new ReservationRepository(closed).onHosts(List.of("h7", "h8")))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("reservations on hosts [h7, h8]");
  }
}
