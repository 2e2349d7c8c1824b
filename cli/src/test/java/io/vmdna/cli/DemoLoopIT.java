package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmdna.bpmn.ProcessContract;
import io.vmdna.bpmn.ProcessContract.EndEvents;
import io.vmdna.flink.DnaProfilerJob;
import io.vmdna.hypervisor.image.QemuImg;
import io.vmdna.hypervisor.sim.FleetSpec;
import io.vmdna.hypervisor.sim.SimFleet;
import io.vmdna.hypervisor.sim.SimMigration;
import io.vmdna.store.MigrationRecord;
import io.vmdna.store.MigrationStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on real engines, as {@code ./vmdna demo} runs it: trace replay → Flink MiniCluster →
 * Zeebe message → process with DMN → Spring Boot workers → simulated fleet with real qemu-img →
 * PostgreSQL. Asserts on the engine's records, the store and the fleet, not on log text.
 */
class DemoLoopIT {
  private static final Path DATA = Path.of("../data/bitbrains-demo");

  @TempDir Path work;

  @Test
  void shouldMigrateAVmOffTheOverloadedHostAndCutItsOverload() throws Exception {
    // given: without vmdna, host-a of the bundled fleet becomes overloaded at overloadStartS
    SimFleet untouched =
        SimFleet.load(
            DATA,
            FleetSpec.read(DATA.resolve("fleet.csv")),
            work.resolve("untouched"),
            QemuImg.onPath());
    long overloadStartS = -1;
    while (untouched.remainingSamples() > 0) {
      untouched.nextStep();
      if (overloadStartS < 0 && untouched.overloadSteps().containsKey("host-a")) {
        overloadStartS = untouched.nowS() - SimFleet.STEP_S;
      }
    }
    long overloadWithout = untouched.overloadSteps().get("host-a");
    assertThat(overloadStartS).as("the extract overloads host-a").isPositive();

    // when
    DemoSettings settings = new DemoSettings(DATA, work, 0, 6, 2, "shipped", null);
    try (DemoLoop loop = new DemoLoop(settings).start()) {
      DnaProfilerJob.Counters counters =
          loop.run(Duration.ofSeconds(5), Duration.ofSeconds(60), p -> {});

      // then the job watched every VM and signalled
      assertThat(counters.vms()).isEqualTo(12);
      assertThat(counters.samples()).isEqualTo(untouched.vms().size() * 289L);
      assertThat(counters.signals()).isPositive();

      // a VM left host-a on a signal made no later than one step after the host's overload began:
      // with the shipped model the forecast sees this overload only as it starts (./vmdna simulate
      // --fleet shows the same; an anomaly-only signal 35 min earlier is recorded, not acted on)
      List<MigrationRecord> fromA =
          loop.records().stream()
              .filter(
                  r -> r.sourceHostId().equals("host-a") && r.status() == MigrationStatus.MIGRATED)
              .toList();
      assertThat(fromA).isNotEmpty();
      MigrationRecord first = fromA.getFirst();
      assertThat(ProcessContract.windowEndOf(first.migrationId()))
          .isLessThanOrEqualTo(overloadStartS + SimFleet.STEP_S);
      assertThat(first.targetHostId()).isNotEqualTo("host-a");

      // the VM ran on the chosen target: the fleet moved it there, and it is there after its last
      // move
      List<SimMigration> moves =
          loop.fleet().history().stream().filter(m -> m.vmId().equals(first.vmId())).toList();
      assertThat(moves.getFirst().toHostId()).isEqualTo(first.targetHostId());
      assertThat(loop.fleet().locate(first.vmId())).contains(moves.getLast().toHostId());

      // the engine says that instance reached MigratedEndEvent
      EngineOutcomes outcomes = loop.outcomes().orElseThrow();
      assertThat(outcomes.endEvents()).containsKey(EndEvents.MIGRATED);
      assertThat(outcomes.endEvents().get(EndEvents.MIGRATED))
          .isEqualTo(
              loop.records().stream().filter(r -> r.status() == MigrationStatus.MIGRATED).count());
      assertThat(outcomes.completed()).isEqualTo(outcomes.started());

      // and the host was overloaded for less time than without vmdna
      assertThat(loop.fleet().overloadSteps().getOrDefault("host-a", 0L))
          .isLessThan(overloadWithout);
    }
  }
}
