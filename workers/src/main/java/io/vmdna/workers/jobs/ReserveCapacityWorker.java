package io.vmdna.workers.jobs;

import io.camunda.client.annotation.JobWorker;
import io.camunda.client.annotation.Variable;
import io.vmdna.bpmn.ProcessContract.Errors;
import io.vmdna.bpmn.ProcessContract.JobTypes;
import io.vmdna.bpmn.ProcessContract.Vars;
import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.Reservation;
import io.vmdna.store.ReservationRepository;
import io.vmdna.workers.VmdnaProperties;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * {@code vmdna.reserve-capacity}: books the VM's predicted need on the target in PostgreSQL, shared
 * by every worker replica. {@code CAPACITY_GONE} when the host filled up since the scan. Idempotent
 * by migration id. Revert: {@link ReleaseCapacityWorker}.
 */
@Component
public class ReserveCapacityWorker {
  static final String STEP = "reserve-capacity";
  private final Hypervisor hypervisor;
  private final ReservationRepository reservations;
  private final MigrationRepository migrations;
  private final double maxUtilization;
  private final int maxPerTarget;

  public ReserveCapacityWorker(
      Hypervisor hypervisor,
      ReservationRepository reservations,
      MigrationRepository migrations,
      VmdnaProperties props) {
    this.hypervisor = hypervisor;
    this.reservations = reservations;
    this.migrations = migrations;
    this.maxUtilization = props.maxUtilization();
    this.maxPerTarget = props.effectiveRails().maxPerTarget();
  }

  /** Handles one job; see the class comment. */
  @JobWorker(type = JobTypes.RESERVE_CAPACITY)
  public void reserveCapacity(
      @Variable String migrationId,
      @Variable String vmId,
      @Variable String targetHostId,
      @Variable double cpuNeedMhz,
      @Variable double memNeedKb) {
    Steps.nonNegative(Vars.CPU_NEED_MHZ, cpuNeedMhz);
    Steps.nonNegative(Vars.MEM_NEED_KB, memNeedKb);
    HostInfo host =
        Steps.targetHost(
            hypervisor, migrations, migrationId, STEP, Errors.CAPACITY_GONE, targetHostId);
    double freeCpu = host.cpuCapacityMhz() * maxUtilization - host.cpuUsedMhz();
    double freeMem = host.memCapacityKb() - host.memUsedKb();
    ReservationRepository.Outcome o =
        reservations.reserve(
            new Reservation(migrationId, targetHostId, vmId, cpuNeedMhz, memNeedKb),
            freeCpu,
            freeMem,
            maxPerTarget);
    if (o == ReservationRepository.Outcome.CAPACITY_GONE) {
      List<Reservation> others = reservations.onHost(targetHostId);
      throw Steps.fail(
          migrations,
          migrationId,
          STEP,
          Errors.CAPACITY_GONE,
          ("host %s: %.0f MHz and %.0f KiB free, %d other migrations booked %.0f MHz and %.0f KiB"
                  + " of it (at most %d), need %.0f MHz and %.0f KiB")
              .formatted(
                  targetHostId,
                  freeCpu,
                  freeMem,
                  others.size(),
                  others.stream().mapToDouble(Reservation::cpuMhz).sum(),
                  others.stream().mapToDouble(Reservation::memKb).sum(),
                  maxPerTarget,
                  cpuNeedMhz,
                  memNeedKb));
    }
    Steps.ok(
        migrations,
        migrationId,
        STEP,
        "%s %.0f MHz, %.0f KiB on %s".formatted(o, cpuNeedMhz, memNeedKb, targetHostId));
  }
}
