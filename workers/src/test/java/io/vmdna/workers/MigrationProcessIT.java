package io.vmdna.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.command.ClientStatusException;
import io.camunda.zeebe.process.test.api.ZeebeTestEngine;
import io.vmdna.bpmn.ProcessContract;
import io.vmdna.bpmn.ProcessContract.EndEvents;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.image.QemuImg;
import io.vmdna.hypervisor.sim.SimFault;
import io.vmdna.hypervisor.sim.SimFleet;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.MigrationStatus;
import io.vmdna.store.ReservationRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration process on real engines: the in-process Zeebe engine, the real Spring Boot workers,
 * a real PostgreSQL, the simulated fleet with real qemu-img. Each test moves its own VM of the
 * bundled demo fleet, so the tests do not depend on each other's order.
 */
class MigrationProcessIT {
  private static final Duration WAIT = EmbeddedLoop.WAIT;

  @TempDir static Path images;
  static ZeebeTestEngine engine;
  static SimFleet fleet;
  static CamundaClient client;
  static MigrationRepository migrations;
  static ReservationRepository reservations;

  static EmbeddedLoop loop;

  @BeforeAll
  static void startEngines() {
    loop = EmbeddedLoop.start(images, Map.of(), false);
    engine = loop.engine;
    fleet = loop.fleet;
    client = loop.client;
    migrations = loop.migrations;
    reservations = loop.reservations;
  }

  @AfterAll
  static void stopEngines() {
    if (loop != null) {
      loop.close();
    }
  }

  @Test
  void shouldMigrateVmToHostWithHeadroomAndReachMigratedEndEvent() throws IOException {
    // given
    String vm = "9";
    String source = fleet.locate(vm).orElseThrow();
    String id = "it-migrate-" + vm;

    // when
    publish(id, vm, source, overloadedForecast(1_000, 8_000_000));

    // then
    assertThat(awaitEnd(id)).isEqualTo(EndEvents.MIGRATED);
    String target = fleet.locate(vm).orElseThrow();
    assertThat(target).isNotEqualTo(source);
    assertThat(migrations.find(id).orElseThrow().status()).isEqualTo(MigrationStatus.MIGRATED);
    assertThat(migrations.find(id).orElseThrow().targetHostId()).isEqualTo(target);
    assertThat(reservations.find(id)).as("booking released once the VM runs there").isEmpty();
    Path image = Path.of(fleet.vm(vm).orElseThrow().image().path());
    ImageFormat targetFormat =
        fleet.hosts().stream()
            .filter(h -> h.hostId().equals(target))
            .findFirst()
            .orElseThrow()
            .preferredFormat();
    assertThat(QemuImg.onPath().info(image).format()).isEqualTo(targetFormat);
    assertThat(Files.readString(Path.of(image + ".dna.json")))
        .contains("\"migrationId\" : \"" + id + "\"")
        .contains("\"state\" : \"MIGRATED\"");
    assertThat(migrations.steps(id))
        .extracting(MigrationRepository.Step::step)
        .containsExactly(
            "scan-hosts",
            "reserve-capacity",
            "convert-image",
            "migrate",
            "verify-migration",
            "record-dna");
  }

  @Test
  void shouldRollBackThroughCompensationWhenVerificationFails() {
    // given
    String vm = "33";
    String source = fleet.locate(vm).orElseThrow();
    String sourceImage = fleet.vm(vm).orElseThrow().image().path();
    String id = "it-rollback-" + vm;
    fleet.inject(SimFault.GUEST_DIES_ON_TARGET, vm);

    // when
    publish(id, vm, source, overloadedForecast(1_000, 8_000_000));

    // then
    assertThat(awaitEnd(id)).isEqualTo(EndEvents.ROLLED_BACK);
    assertThat(fleet.locate(vm)).contains(source);
    assertThat(fleet.vm(vm).orElseThrow().image().path()).isEqualTo(sourceImage);
    assertThat(fleet.history())
        .filteredOn(m -> m.migrationId().equals(id))
        .extracting(m -> m.back())
        .containsExactly(false, true);
    assertThat(convertedImagesOf(vm)).as("converted image deleted by compensation").isEmpty();
    assertThat(reservations.find(id)).isEmpty();
    assertThat(migrations.find(id).orElseThrow().status()).isEqualTo(MigrationStatus.ROLLED_BACK);
    assertThat(migrations.steps(id))
        .extracting(MigrationRepository.Step::step)
        .containsSubsequence(
            "verify-migration",
            "reconcile",
            "migrate-back",
            "delete-converted-image",
            "release-capacity");
  }

  @Test
  void shouldWriteTheDnaSidecarWhenConvertingAndDeleteItWithTheImageOnRollback()
      throws IOException {
    // given a migration that waits in its move, and whose guest then dies on the target
    String vm = "97"; // rolled back here and in shouldRollBackWhenConversionFails: no cooldown
    String source = fleet.locate(vm).orElseThrow();
    String id = "it-sidecar-" + vm;
    fleet.inject(SimFault.MIGRATION_WAITS, vm);
    fleet.inject(SimFault.GUEST_DIES_ON_TARGET, vm);
    publish(id, vm, source, overloadedForecast(1_000, 8_000_000));
    await().atMost(Duration.ofSeconds(60)).until(() -> fleet.waiting() == 1);

    // then, once converted and before the move, the image has its sidecar with the signal's DNA
    Path image = Path.of(fleet.convertedImage(id).orElseThrow().path());
    String sidecar = Files.readString(Path.of(image + ".dna.json"));
    assertThat(sidecar)
        .contains("\"migrationId\" : \"" + id + "\"")
        .contains("\"state\" : \"CONVERTED\"")
        .contains("\"embedding\" : [ 1.0, 2.0 ]");

    // when the move returns and verification fails
    fleet.releaseHangs();

    // then compensation deleted the image and its sidecar
    assertThat(awaitEnd(id)).isEqualTo(EndEvents.ROLLED_BACK);
    assertThat(image).doesNotExist();
    assertThat(Path.of(image + ".dna.json")).doesNotExist();
    assertThat(migrations.steps(id))
        .filteredOn(st -> st.step().equals("delete-converted-image"))
        .extracting(MigrationRepository.Step::detail)
        .anyMatch(d -> d.endsWith("and its DNA sidecar"));
  }

  @Test
  void shouldRollBackWhenConversionFails() {
    // given
    String vm = "97";
    String source = fleet.locate(vm).orElseThrow();
    String id = "it-conversion-" + vm;
    fleet.inject(SimFault.CONVERSION_FAILS, vm);

    // when
    publish(id, vm, source, overloadedForecast(1_000, 8_000_000));

    // then
    assertThat(awaitEnd(id)).isEqualTo(EndEvents.ROLLED_BACK);
    assertThat(fleet.locate(vm)).contains(source);
    assertThat(reservations.find(id)).isEmpty();
    assertThat(migrations.steps(id))
        .extracting(MigrationRepository.Step::outcome)
        .contains(ProcessContract.Errors.CONVERSION_FAILED);
  }

  @Test
  void shouldStartOneInstanceForDuplicateSignals() {
    // given
    String vm = "35";
    String source = fleet.locate(vm).orElseThrow();
    String id = "it-duplicate-" + vm;
    publish(id, vm, source, overloadedForecast(1_000, 8_000_000));

    // when the same message id comes again within the TTL
    assertThatThrownBy(() -> publish(id, vm, source, overloadedForecast(1_000, 8_000_000)))
        .isInstanceOf(ClientStatusException.class)
        .hasMessageContaining("already");
    assertThat(awaitEnd(id)).isEqualTo(EndEvents.MIGRATED);
    String target = fleet.locate(vm).orElseThrow();

    // and when the same migration id comes again after the TTL (a new message id)
    client
        .newPublishMessageCommand()
        .messageName(ProcessContract.MESSAGE_FORECAST)
        .correlationKey(vm)
        .messageId(id + "#late")
        .timeToLive(ProcessContract.FORECAST_TTL)
        .variables(signal(id, vm, target, overloadedForecast(1_000, 8_000_000)))
        .send()
        .join();

    // then one migration happened, and the late duplicate ended as not needed
    await()
        .atMost(WAIT)
        .until(
            () ->
                instancesOf(id).size() == 2
                    && instancesOf(id).stream().allMatch(k -> endOf(k).isPresent()));
    assertThat(instancesOf(id).stream().map(k -> endOf(k).orElseThrow()))
        .containsExactlyInAnyOrder(EndEvents.MIGRATED, EndEvents.NOT_NEEDED);
    assertThat(fleet.history()).filteredOn(m -> m.vmId().equals(vm)).hasSize(1);
    assertThat(fleet.locate(vm)).contains(target);
  }

  @Test
  void shouldEndInNoSuitableHostWhenNoHostHasHeadroom() {
    // given a VM predicted to need more CPU than any host has
    String vm = "25";
    String source = fleet.locate(vm).orElseThrow();
    String id = "it-nohost-" + vm;

    // when
    publish(id, vm, source, overloadedForecast(1_000_000, 8_000_000));

    // then
    assertThat(awaitEnd(id)).isEqualTo(EndEvents.NO_SUITABLE_HOST);
    assertThat(fleet.locate(vm)).contains(source);
    assertThat(migrations.find(id).orElseThrow().status())
        .isEqualTo(MigrationStatus.NO_SUITABLE_HOST);
    assertThat(migrations.steps(id).getFirst().detail()).contains("CPU headroom");
  }

  @Test
  void shouldEndNotNeededWhenPolicySaysNone() {
    // given a forecast well below the policy's thresholds
    String vm = "80";
    String source = fleet.locate(vm).orElseThrow();
    String id = "it-none-" + vm;
    Map<String, Object> calm =
        Map.of(
            "cpuP90",
            100.0,
            "memP90",
            1000.0,
            "pExceed",
            0.01,
            "hostDemandP90Mhz",
            1000.0,
            "hostCapacityMhz",
            48000.0);

    // when
    publish(id, vm, source, calm);

    // then
    assertThat(awaitEnd(id)).isEqualTo(EndEvents.NOT_NEEDED);
    assertThat(migrations.find(id)).as("the policy stops it before anything is recorded").isEmpty();
    assertThat(fleet.locate(vm)).contains(source);
  }

  @Test
  void shouldRollBackWhenMigrationFails() {
    // given
    String vm = "1";
    String source = fleet.locate(vm).orElseThrow();
    String id = "it-migfail-" + vm;
    fleet.inject(SimFault.MIGRATION_FAILS, vm);

    // when
    publish(id, vm, source, overloadedForecast(1_000, 8_000_000));

    // then the conversion and the booking are undone; nothing moved, so nothing moves back
    assertThat(awaitEnd(id)).isEqualTo(EndEvents.ROLLED_BACK);
    assertThat(fleet.locate(vm)).contains(source);
    assertThat(stepsOf(id))
        .containsSubsequence(
            "migrate", "reconcile", "delete-converted-image", "release-capacity", "outcome")
        .doesNotContain("migrate-back");
    assertThat(convertedImagesOf(vm)).isEmpty();
    assertThat(reservations.find(id)).isEmpty();
  }

  @Test
  void shouldMoveTheVmBackWhenMigrateTimesOutAfterMoving() {
    // given a migrate call that moves the VM and then never answers
    String vm = "96";
    String source = fleet.locate(vm).orElseThrow();
    String id = "it-timeout-moved-" + vm;
    fleet.inject(SimFault.MIGRATION_HANGS_AFTER_MOVE, vm);
    publish(id, vm, source, overloadedForecast(1_000, 8_000_000));
    await().atMost(WAIT).until(() -> !fleet.locate(vm).orElseThrow().equals(source));

    // when the step's timer fires
    engine.increaseTime(Duration.ofMinutes(31));

    // then reconcile finds the unfinished move and the process moves the VM back
    assertThat(awaitEnd(id)).isEqualTo(EndEvents.ROLLED_BACK);
    assertThat(fleet.locate(vm)).contains(source);
    assertThat(stepsOf(id))
        .containsSubsequence(
            "convert-image",
            "reconcile",
            "migrate-back",
            "delete-converted-image",
            "release-capacity");
    assertThat(
            migrations.steps(id).stream()
                .filter(st -> st.step().equals("reconcile"))
                .findFirst()
                .orElseThrow()
                .detail())
        .contains("moveUnfinished=true")
        .startsWith("TIMEOUT");
    assertThat(convertedImagesOf(vm)).isEmpty();
    assertThat(migrations.find(id).orElseThrow().status()).isEqualTo(MigrationStatus.ROLLED_BACK);
  }

  @Test
  void shouldCompensateWithoutMovingWhenMigrateTimesOutBeforeMoving() {
    // given a migrate call that hangs before anything moved
    String vm = "34";
    String source = fleet.locate(vm).orElseThrow();
    String id = "it-timeout-unmoved-" + vm;
    fleet.inject(SimFault.MIGRATION_HANGS_BEFORE_MOVE, vm);
    publish(id, vm, source, overloadedForecast(1_000, 8_000_000));
    awaitJobActivated(id, ProcessContract.JobTypes.MIGRATE);

    // when
    engine.increaseTime(Duration.ofMinutes(31));

    // then
    assertThat(awaitEnd(id)).isEqualTo(EndEvents.ROLLED_BACK);
    assertThat(fleet.locate(vm)).contains(source);
    assertThat(stepsOf(id))
        .contains("reconcile", "delete-converted-image", "release-capacity")
        .doesNotContain("migrate-back", "migrate");
    assertThat(fleet.history()).filteredOn(m -> m.migrationId().equals(id)).isEmpty();
  }

  @Test
  void shouldDeleteTheOrphanImageWhenConversionTimesOut() {
    // given a conversion that writes its image and then never answers
    String vm = "65";
    String source = fleet.locate(vm).orElseThrow();
    String id = "it-convert-timeout-" + vm;
    fleet.inject(SimFault.CONVERSION_HANGS, vm);
    publish(id, vm, source, overloadedForecast(1_000, 8_000_000));
    await().atMost(WAIT).until(() -> fleet.convertedImage(id).isPresent());

    // when
    engine.increaseTime(Duration.ofMinutes(16));

    // then the image no completed step owns is found by reconcile and deleted
    assertThat(awaitEnd(id)).isEqualTo(EndEvents.ROLLED_BACK);
    assertThat(fleet.convertedImage(id)).isEmpty();
    assertThat(convertedImagesOf(vm)).isEmpty();
    assertThat(stepsOf(id))
        .containsSubsequence(
            "reserve-capacity",
            "reconcile",
            "release-capacity",
            "delete-converted-image",
            "outcome");
    assertThat(reservations.find(id)).isEmpty();
  }

  @Test
  void shouldCancelMidMigrationAndPutTheVmBack() {
    // given a migration whose migrate step moved the VM but has not answered yet
    String vm = "56";
    String source = fleet.locate(vm).orElseThrow();
    String id = "it-cancel-" + vm;
    fleet.inject(SimFault.MIGRATION_HANGS_AFTER_MOVE, vm);
    publish(id, vm, source, overloadedForecast(1_000, 8_000_000));
    await().atMost(WAIT).until(() -> !fleet.locate(vm).orElseThrow().equals(source));

    // when an operator cancels it
    client
        .newPublishMessageCommand()
        .messageName(ProcessContract.MESSAGE_CANCEL)
        .correlationKey(id)
        .send()
        .join();

    // then
    assertThat(awaitEnd(id)).isEqualTo(EndEvents.CANCELLED);
    assertThat(fleet.locate(vm)).contains(source);
    assertThat(migrations.find(id).orElseThrow().status()).isEqualTo(MigrationStatus.CANCELLED);
    assertThat(stepsOf(id))
        .containsSubsequence(
            "reconcile", "migrate-back", "delete-converted-image", "release-capacity", "outcome");
    assertThat(
            migrations.steps(id).stream()
                .filter(st -> st.step().equals("reconcile"))
                .findFirst()
                .orElseThrow()
                .detail())
        .startsWith("CANCELLED");
    assertThat(convertedImagesOf(vm)).isEmpty();
    assertThat(reservations.find(id)).isEmpty();
  }

  @Test
  void shouldDeclineAStaleSignal() {
    // given a signal sent ten minutes ago
    String vm = "47";
    String source = fleet.locate(vm).orElseThrow();
    String id = "it-stale-" + vm;

    // when
    publish(
        id,
        signal(
            id,
            vm,
            source,
            overloadedForecast(1_000, 8_000_000),
            java.time.Instant.now().minusSeconds(600)));

    // then
    assertThat(awaitEnd(id)).isEqualTo(EndEvents.NOT_NEEDED);
    assertThat(fleet.locate(vm)).contains(source);
  }

  @Test
  void twoMigrationsRacingForTheSameHeadroomShouldNeverOverbook() {
    // given two VMs each needing more than half of the roomiest host's headroom, and more than
    // any other host has
    List<io.vmdna.hypervisor.api.HostInfo> hosts = fleet.hosts();
    double[] free =
        hosts.stream()
            .mapToDouble(h -> h.cpuCapacityMhz() * 0.8 - h.cpuUsedMhz())
            .sorted()
            .toArray();
    double need = Math.max(free[free.length - 2] + 1, free[free.length - 1] * 0.6);
    assertThat(need).isLessThan(free[free.length - 1]);
    String a = "it-race-80";
    String b = "it-race-25";

    // when both are signalled at once
    publish(a, "80", fleet.locate("80").orElseThrow(), overloadedForecast(need, 1_000));
    publish(b, "25", fleet.locate("25").orElseThrow(), overloadedForecast(need, 1_000));

    // then exactly one wins; the other ends cleanly
    String endA = awaitEnd(a);
    String endB = awaitEnd(b);
    assertThat(List.of(endA, endB)).containsOnlyOnce(EndEvents.MIGRATED);
    assertThat(List.of(endA, endB))
        .filteredOn(e -> !e.equals(EndEvents.MIGRATED))
        .allMatch(e -> e.equals(EndEvents.NO_SUITABLE_HOST) || e.equals(EndEvents.ROLLED_BACK));
    assertThat(reservations.find(a)).isEmpty();
    assertThat(reservations.find(b)).isEmpty();
  }

  @Test
  void shouldDeclineANewMigrationOfAVmThatJustMoved() {
    // given VM 47 just migrated
    String vm = "47";
    String first = "it-cool-first-" + vm;
    publish(first, vm, fleet.locate(vm).orElseThrow(), overloadedForecast(1_000, 8_000_000));
    String firstEnd = awaitEnd(first);
    String where = fleet.locate(vm).orElseThrow();

    // when another signal comes for it
    String second = "it-cool-second-" + vm;
    publish(second, vm, where, overloadedForecast(1_000, 8_000_000));

    // then the VM cooldown declines it, and says why
    assertThat(awaitEnd(second)).isEqualTo(EndEvents.NOT_NEEDED);
    assertThat(fleet.locate(vm)).contains(where);
    assertThat(migrations.find(second).orElseThrow().status()).isEqualTo(MigrationStatus.DECLINED);
    assertThat(migrations.steps(second).getFirst().detail())
        .contains("is cooling down after migration");
    assertThat(firstEnd).isEqualTo(EndEvents.MIGRATED);
  }

  @AfterEach
  void clearFaults() {
    fleet.clearFaults();
    fleet.releaseHangs();
  }

  // ---- helpers ----

  private static String awaitEnd(String id) {
    return loop.awaitEnd(id);
  }

  private static List<Long> instancesOf(String id) {
    return loop.instancesOf(id);
  }

  private static Optional<String> endOf(long instanceKey) {
    return loop.endOf(instanceKey);
  }

  private static void awaitJobActivated(String id, String jobType) {
    loop.awaitJobActivated(id, jobType);
  }

  private static Map<String, Object> overloadedForecast(double cpuP90, double memP90) {
    return Signals.overloadedForecast(cpuP90, memP90);
  }

  private static Map<String, Object> signal(
      String id, String vm, String host, Map<String, Object> forecast) {
    return Signals.signal(id, vm, host, forecast, java.time.Instant.now());
  }

  private static Map<String, Object> signal(
      String id, String vm, String host, Map<String, Object> forecast, java.time.Instant sent) {
    return Signals.signal(id, vm, host, forecast, sent);
  }

  private static void publish(String id, String vm, String host, Map<String, Object> forecast) {
    publish(id, signal(id, vm, host, forecast));
  }

  private static void publish(String id, Map<String, Object> variables) {
    Signals.publish(client, id, variables);
  }

  private static List<String> stepsOf(String id) {
    return migrations.steps(id).stream().map(MigrationRepository.Step::step).toList();
  }

  private static List<Path> convertedImagesOf(String vm) {
    try (Stream<Path> files = Files.list(images)) {
      return files.filter(p -> p.getFileName().toString().startsWith(vm + "-")).toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
