package io.vmdna.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
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

  @Test
  void shouldFailNamingTheKeyWhenARecordIsMissing() {
    assertThatThrownBy(() -> migrations.setStatus("ghost", MigrationStatus.MIGRATED))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("no migration record ghost");
    assertThatThrownBy(() -> migrations.recordStep("ghost", "migrate", "OK", ""))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("record step migrate of ghost");
  }
}
