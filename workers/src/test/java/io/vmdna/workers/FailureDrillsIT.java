package io.vmdna.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.command.ClientException;
import io.camunda.zeebe.protocol.record.Record;
import io.camunda.zeebe.protocol.record.intent.JobIntent;
import io.camunda.zeebe.protocol.record.value.JobRecordValue;
import io.vmdna.bpmn.ProcessContract.EndEvents;
import io.vmdna.bpmn.ProcessContract.JobTypes;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.hypervisor.sim.SimFault;
import io.vmdna.hypervisor.sim.SimFleet;
import io.vmdna.hypervisor.sim.SimMigration;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.MigrationStatus;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Failure drills on the real engines (in-process Zeebe engine, embedded PostgreSQL, the Spring Boot
 * workers, the simulated fleet): a workers instance lost in the middle of {@code vmdna.migrate},
 * and PostgreSQL restarted while a migration holds a reservation. The broker restart is drilled on
 * the real distribution in {@link OperateStackIT}; a target filling up between scan and reservation
 * in {@link TwoReplicasIT}; a hypervisor that stops answering in {@link TechnicalFailureIT}.
 */
class FailureDrillsIT {
  @TempDir Path images;

  /**
   * Replica 1 takes the migrate job; the hypervisor moves the VM; replica 1 then dies before it
   * completes the job: its view of the hypervisor never returns from that call (not even when
   * interrupted) and its client is closed, which is all the engine sees of a killed process. After
   * the job's timeout replica 2 gets the job, finds the move done (idempotent by migration id) and
   * the process finishes: the VM moved once.
   *
   * <p>The drill shortens the migrate job's timeout to 10 s. With the shipped 35 min it is longer
   * than the step's 30 min BPMN timer, so the timer comes first and reconcile decides (moved
   * without a finished migrate: migrate back), as MigrationProcessIT tests.
   */
  @Test
  void aMigrationWhoseWorkerDiesShouldBeFinishedByAnotherInstanceAndMoveTheVmOnce() {
    Map<String, String> common = new HashMap<>();
    common.put("camunda.client.worker.override[vmdna.migrate].timeout", "PT10S");
    Map<String, String> first = new HashMap<>(common);
    first.put("camunda.client.worker.defaults.name", "replica-1");
    Map<String, String> second = new HashMap<>(common);
    second.put("camunda.client.worker.defaults.name", "replica-2");
    SimFleet fleet = EmbeddedLoop.demoFleet(images);
    CountDownLatch dead = new CountDownLatch(1);
    AtomicInteger dying = new AtomicInteger();

    try (EmbeddedLoop loop = EmbeddedLoop.start(diesAfterMigrating(fleet, dying, dead), first)) {
      // given replica 1 in the middle of migrate, after the VM moved
      String vm = "9";
      String source = fleet.locate(vm).orElseThrow();
      String id = "drill-killed-" + vm;
      loop.requestMigration(id, vm);
      await().atMost(EmbeddedLoop.WAIT).until(() -> dying.get() == 1);
      assertThat(fleet.locate(vm).orElseThrow()).isNotEqualTo(source);

      // when replica 1 is gone and replica 2 runs
      try {
        loop.workers.getBean(CamundaClient.class).close();
      } catch (ClientException expected) {
        // it waits 15 s for the dead job thread, then gives up; its pollers are closed by then
        assertThat(expected).hasMessageContaining("awaiting termination of job worker executor");
      }
      try (ConfigurableApplicationContext replica2 = loop.startReplica(fleet, second)) {

        // then replica 2 finishes the same instance, and the VM moved once
        assertThat(loop.awaitEnd(id)).isEqualTo(EndEvents.MIGRATED);
        List<SimMigration> moves =
            fleet.history().stream().filter(m -> m.migrationId().equals(id)).toList();
        assertThat(moves).hasSize(1);
        assertThat(moves.getFirst().back()).isFalse();
        assertThat(loop.migrations.find(id).orElseThrow().status())
            .isEqualTo(MigrationStatus.MIGRATED);
        assertThat(loop.migrations.steps(id))
            .filteredOn(s -> s.step().equals("migrate"))
            .extracting(MigrationRepository.Step::detail)
            .singleElement()
            .asString()
            .contains("(already done)");
        long instance = loop.instancesOf(id).getFirst();
        List<Record<JobRecordValue>> migrateJobs =
            EmbeddedLoop.retrying(
                () ->
                    EmbeddedLoop.stream(loop.records().jobRecords())
                        .filter(r -> r.getValue().getType().equals(JobTypes.MIGRATE))
                        .filter(r -> r.getValue().getProcessInstanceKey() == instance)
                        .toList());
        assertThat(migrateJobs)
            .extracting(Record::getIntent)
            .contains(JobIntent.TIMED_OUT, JobIntent.COMPLETED);
        assertThat(migrateJobs)
            .filteredOn(r -> r.getIntent() == JobIntent.COMPLETED)
            .extracting(r -> r.getValue().getWorker())
            .containsExactly("replica-2");
      } finally {
        dead.countDown(); // replica 1's thread returns, to a closed client
      }
    }
  }

  /**
   * The fleet as a worker that dies in {@code migrate} sees it: the call moves the VM and then
   * never returns until {@code dead} is counted down, interrupts notwithstanding.
   */
  private static Hypervisor diesAfterMigrating(
      SimFleet fleet, AtomicInteger dying, CountDownLatch dead) {
    return (Hypervisor)
        Proxy.newProxyInstance(
            Hypervisor.class.getClassLoader(),
            new Class<?>[] {Hypervisor.class},
            (proxy, method, args) -> {
              Object result;
              try {
                result = method.invoke(fleet, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
              if (method.getName().equals("migrate")) {
                dying.incrementAndGet();
                while (dead.getCount() > 0) {
                  try {
                    dead.await();
                  } catch (InterruptedException ignored) {
                    // a dead process does not answer interrupts either
                  }
                }
              }
              return result;
            });
  }

  /**
   * PostgreSQL stops while a migration holds its reservation and the hypervisor is moving the VM,
   * and starts again on the same data: the reservation is still there, the workers reconnect and
   * finish, and a new migration after the restart goes through too.
   */
  @Test
  void theWorkersShouldReconnectAfterPostgresRestartsAndLoseNoReservation() {
    try (EmbeddedLoop loop =
        // no backoff: the in-process engine's backoff checker can miss its re-arm
        // (TechnicalFailureIT)
        EmbeddedLoop.start(images, Map.of("vmdna.jobs.retry-backoff", "PT0S"), false)) {
      // given a migration in flight, holding a reservation
      String vm = "33";
      String id = "drill-pg-" + vm;
      loop.fleet.inject(SimFault.MIGRATION_WAITS, vm);
      loop.requestMigration(id, vm);
      await().atMost(EmbeddedLoop.WAIT).until(() -> loop.fleet.waiting() == 1);
      loop.fleet.clearFaults(); // a retried migrate finds the move done instead of waiting again
      var booked = loop.reservations.find(id).orElseThrow();

      // when PostgreSQL restarts, and only then the move returns
      int port = loop.db.port();
      loop.stopDatabase();
      loop.startDatabase(port);
      assertThat(loop.reservations.find(id)).as("reservation after the restart").contains(booked);
      loop.fleet.releaseHangs();

      // then the migration finishes and releases its booking; a new one goes through as well
      assertThat(loop.awaitEnd(id)).isEqualTo(EndEvents.MIGRATED);
      assertThat(loop.migrations.find(id).orElseThrow().status())
          .isEqualTo(MigrationStatus.MIGRATED);
      assertThat(loop.reservations.find(id)).isEmpty();
      loop.requestMigration("drill-pg-after-65", "65");
      assertThat(loop.awaitEnd("drill-pg-after-65")).isEqualTo(EndEvents.MIGRATED);
    }
  }
}
