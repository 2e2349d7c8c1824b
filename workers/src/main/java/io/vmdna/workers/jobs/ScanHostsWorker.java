package io.vmdna.workers.jobs;

import io.camunda.client.annotation.JobWorker;
import io.camunda.client.annotation.Variable;
import io.camunda.client.api.response.ActivatedJob;
import io.vmdna.bpmn.ProcessContract.Errors;
import io.vmdna.bpmn.ProcessContract.JobTypes;
import io.vmdna.bpmn.ProcessContract.Vars;
import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.hypervisor.api.VmInfo;
import io.vmdna.placement.HostSelector;
import io.vmdna.placement.Placement;
import io.vmdna.placement.PlacementRequest;
import io.vmdna.store.MigrationRecord;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.MigrationStatus;
import io.vmdna.store.Rails;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * {@code vmdna.scan-hosts}: claims the migration id within the safety rails (a duplicate, or a
 * migration a rail declines — VM cooldown, cap per source host, cluster-wide cap — ends as not
 * needed, with {@code proceed} false), excludes hosts the VM left recently (ping-pong), finds where
 * the VM runs now and chooses a target with headroom for the VM's predicted need (the forecast's
 * p90; the VM's provisioned size when there is no forecast). Throws {@code NO_SUITABLE_HOST} with
 * every host's rejection reason when none fits. Idempotent: a retried job of the same instance
 * keeps its claim.
 */
@Component
public class ScanHostsWorker {
  static final String STEP = "scan-hosts";
  private final Hypervisor hypervisor;
  private final HostSelector selector;
  private final MigrationRepository migrations;
  private final Rails rails;

  public ScanHostsWorker(
      Hypervisor hypervisor, HostSelector selector, MigrationRepository migrations, Rails rails) {
    this.hypervisor = hypervisor;
    this.selector = selector;
    this.migrations = migrations;
    this.rails = rails;
  }

  /** Handles one job; see the class comment. */
  @JobWorker(type = JobTypes.SCAN_HOSTS)
  public Map<String, Object> scanHosts(
      ActivatedJob job,
      @Variable String migrationId,
      @Variable String vmId,
      @Variable String signalType,
      @Variable(optional = true) String reason,
      @Variable(optional = true) Map<String, Object> forecast,
      @Variable(optional = true) String requestedTargetHostId,
      @Variable(optional = true) Boolean dryRun,
      @Variable(optional = true) Integer scanAttempts) {
    Steps.text(Vars.MIGRATION_ID, migrationId);
    Steps.text(Vars.VM_ID, vmId);
    VmInfo vm =
        hypervisor
            .vm(vmId)
            .orElseThrow(
                () -> new IllegalArgumentException("scan-hosts: unknown VM '" + vmId + "'"));
    MigrationRepository.ClaimResult claim =
        migrations.claim(
            new MigrationRecord(
                migrationId,
                job.getProcessInstanceKey(),
                vmId,
                vm.hostId(),
                null,
                signalType,
                reason,
                MigrationStatus.STARTED),
            rails);
    if (claim.claim() == MigrationRepository.Claim.DUPLICATE) {
      return Map.of(Vars.DUPLICATE, true, Vars.PROCEED, false);
    }
    if (claim.claim() == MigrationRepository.Claim.DECLINED) {
      return Map.of(Vars.DECLINED, claim.veto(), Vars.PROCEED, false);
    }
    double cpuNeed = Steps.number(forecast, Vars.FORECAST, "cpuP90", vm.cpuProvisionedMhz());
    double memNeed = Steps.number(forecast, Vars.FORECAST, "memP90", vm.memProvisionedKb());
    List<HostInfo> candidates =
        requestedTargetHostId == null
            ? hypervisor.hosts()
            : hypervisor.hosts().stream()
                .filter(h -> h.hostId().equals(requestedTargetHostId))
                .toList();
    Placement placement =
        selector.select(
            new PlacementRequest(
                migrationId,
                vmId,
                vm.hostId(),
                cpuNeed,
                memNeed,
                vm.diskBytes(),
                migrations.recentlyLeft(vmId, rails.pingPongWindow())),
            candidates,
            () ->
                hypervisor.vms().stream()
                    .collect(java.util.stream.Collectors.toMap(VmInfo::vmId, VmInfo::hostId)));
    if (placement.targetHostId().isEmpty()) {
      migrations.setStatus(migrationId, MigrationStatus.NO_SUITABLE_HOST);
      throw Steps.fail(migrations, migrationId, STEP, Errors.NO_SUITABLE_HOST, placement.explain());
    }
    String target = placement.targetHostId().get();
    migrations.setTarget(migrationId, target);
    boolean dry = Boolean.TRUE.equals(dryRun);
    if (dry) {
      migrations.setStatus(migrationId, MigrationStatus.DRY_RUN);
    }
    Steps.ok(migrations, migrationId, STEP, (dry ? "dry run: " : "") + placement.explain());
    Map<String, Object> out = new HashMap<>();
    out.put(Vars.DUPLICATE, false);
    out.put(Vars.DRY_RUN, dry);
    out.put(Vars.SCAN_ATTEMPTS, scanAttempts == null ? 1 : scanAttempts + 1);
    out.put(Vars.PROCEED, !dry);
    out.put("sourceHostId", vm.hostId());
    out.put(Vars.TARGET_HOST_ID, target);
    out.put(Vars.CPU_NEED_MHZ, cpuNeed);
    out.put(Vars.MEM_NEED_KB, memNeed);
    out.put(Vars.SOURCE_IMAGE, vm.image());
    out.put(Vars.PLACEMENT, placement.asVariable());
    return out;
  }
}
