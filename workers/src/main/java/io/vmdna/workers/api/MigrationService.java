package io.vmdna.workers.api;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.command.PublishMessageCommandStep1;
import io.vmdna.bpmn.ProcessContract;
import io.vmdna.bpmn.ProcessContract.Vars;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.hypervisor.api.VmInfo;
import io.vmdna.store.MigrationRecord;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.MigrationStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * What the REST API does: starts the process with {@code vm-migration-requested}, reads the store's
 * records, cancels with {@code vm-migration-cancel}. Every start and cancel is written to the audit
 * log (logger {@code vmdna.audit}) with the caller. Thread-safe.
 */
@Service
public class MigrationService {
  private static final Logger AUDIT = LoggerFactory.getLogger("vmdna.audit");
  private static final Set<MigrationStatus> FINAL =
      EnumSet.of(
          MigrationStatus.MIGRATED,
          MigrationStatus.ROLLED_BACK,
          MigrationStatus.NO_SUITABLE_HOST,
          MigrationStatus.CANCELLED,
          MigrationStatus.DRY_RUN,
          MigrationStatus.DECLINED);

  private final Hypervisor hypervisor;
  private final MigrationRepository migrations;
  private final CamundaClient camunda;

  public MigrationService(
      Hypervisor hypervisor, MigrationRepository migrations, CamundaClient camunda) {
    this.hypervisor = hypervisor;
    this.migrations = migrations;
    this.camunda = camunda;
  }

  /**
   * Starts a migration. Not idempotent: each call is a new request id.
   *
   * @return the request as accepted (status {@code REQUESTED}, no steps yet), whatever the process
   *     has done since; {@link #get} gives the current state
   * @throws ApiException 404 for an unknown VM, 400 for an unknown target, 409 when the VM has a
   *     migration in flight
   */
  public MigrationView start(MigrationRequestBody body, String caller) {
    VmInfo vm =
        hypervisor
            .vm(body.vmId())
            .orElseThrow(
                () -> new ApiException(HttpStatus.NOT_FOUND, "unknown VM '" + body.vmId() + "'"));
    if (body.targetHostId() != null
        && hypervisor.hosts().stream().noneMatch(h -> h.hostId().equals(body.targetHostId()))) {
      throw new ApiException(
          HttpStatus.BAD_REQUEST, "unknown target host '" + body.targetHostId() + "'");
    }
    if (body.targetHostId() != null && body.targetHostId().equals(vm.hostId())) {
      throw new ApiException(
          HttpStatus.BAD_REQUEST, "VM " + vm.vmId() + " already runs on " + vm.hostId());
    }
    String strategy = body.options() == null ? null : body.options().get(Vars.OPTION_STRATEGY);
    if (strategy != null
        && !strategy.equalsIgnoreCase("LIVE")
        && !strategy.equalsIgnoreCase("WARM")) {
      throw new ApiException(
          HttpStatus.BAD_REQUEST, "options.strategy must be LIVE or WARM, was '" + strategy + "'");
    }
    List<MigrationRecord> busy = migrations.inFlight(vm.vmId());
    if (!busy.isEmpty()) {
      throw new ApiException(
          HttpStatus.CONFLICT,
          "VM %s is already migrating (%s, %s)"
              .formatted(vm.vmId(), busy.getFirst().migrationId(), busy.getFirst().status()));
    }
    String id = "api-" + UUID.randomUUID();
    boolean dryRun = Boolean.TRUE.equals(body.dryRun());
    String reason =
        "requested by %s through the API%s".formatted(caller, dryRun ? " (dry run)" : "");
    MigrationRecord requested =
        new MigrationRecord(
            id,
            0,
            vm.vmId(),
            vm.hostId(),
            body.targetHostId(),
            ProcessContract.SignalTypes.API,
            reason,
            MigrationStatus.REQUESTED);
    migrations.request(requested);
    Map<String, Object> vars = new HashMap<>();
    vars.put(Vars.MIGRATION_ID, id);
    vars.put(Vars.VM_ID, vm.vmId());
    vars.put(Vars.HOST_ID, vm.hostId());
    vars.put(Vars.SIGNAL_TYPE, ProcessContract.SignalTypes.API);
    vars.put(Vars.SIGNAL_TIME, Instant.now().toString());
    vars.put(Vars.REASON, reason);
    vars.put(Vars.DRY_RUN, dryRun);
    vars.put("priority", body.priority() == null ? 50 : body.priority());
    vars.put(Vars.OPTIONS, body.options() == null ? Map.of() : body.options());
    if (body.targetHostId() != null) {
      vars.put(Vars.REQUESTED_TARGET, body.targetHostId());
    }
    try {
      requestMessage(camunda, id, vars).send().join();
    } catch (RuntimeException e) {
      // the record must not keep the VM "migrating" when no process will ever claim it
      migrations.setStatus(id, MigrationStatus.CANCELLED);
      migrations.recordStep(
          id, "request", "FAILED", "the process engine did not take it: " + e.getMessage());
      throw new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE,
          "could not start the migration: the process engine did not accept it; try again later");
    }
    AUDIT.info("{} started migration {} of VM {} (dryRun={})", caller, id, vm.vmId(), dryRun);
    // the request as accepted: the process may already be past it, which GET shows
    return MigrationView.of(requested, List.of());
  }

  /**
   * @throws ApiException 404 for an unknown id
   */
  public MigrationView get(String id) {
    MigrationRecord r =
        migrations
            .find(id)
            .orElseThrow(
                () -> new ApiException(HttpStatus.NOT_FOUND, "unknown migration '" + id + "'"));
    return MigrationView.of(r, migrations.steps(id));
  }

  /** Every migration of a VM (or every migration when {@code vmId} is null), oldest first. */
  public List<MigrationView> list(String vmId) {
    List<MigrationRecord> rs = vmId == null ? migrations.all() : migrations.forVm(vmId);
    return rs.stream().map(r -> MigrationView.of(r, migrations.steps(r.migrationId()))).toList();
  }

  /**
   * The message that starts a migration's process ({@link ProcessContract#MESSAGE_REQUESTED},
   * correlated and identified by the migration id, {@link ProcessContract#REQUEST_TTL}), ready to
   * send; the API's own requests and {@code ./vmdna bench} send it alike.
   *
   * @param vars the process's start variables (at least the migration and VM ids)
   */
  public static PublishMessageCommandStep1.PublishMessageCommandStep3 requestMessage(
      CamundaClient camunda, String migrationId, Map<String, Object> vars) {
    return camunda
        .newPublishMessageCommand()
        .messageName(ProcessContract.MESSAGE_REQUESTED)
        .correlationKey(migrationId)
        .messageId(migrationId)
        .timeToLive(ProcessContract.REQUEST_TTL)
        .variables(vars);
  }

  /**
   * Asks a running migration to stop: the process reconciles and compensates, and ends in {@code
   * CancelledEndEvent}. Idempotent while it runs.
   *
   * @throws ApiException 404 for an unknown id, 409 when it has already ended
   */
  public MigrationView cancel(String id, String caller) {
    MigrationView m = get(id);
    if (FINAL.contains(MigrationStatus.valueOf(m.status()))) {
      throw new ApiException(
          HttpStatus.CONFLICT, "migration %s has already ended: %s".formatted(id, m.status()));
    }
    camunda
        .newPublishMessageCommand()
        .messageName(ProcessContract.MESSAGE_CANCEL)
        .correlationKey(id)
        .timeToLive(Duration.ofMinutes(5))
        .variables(Map.of("cancelledBy", caller))
        .send()
        .join();
    AUDIT.info("{} cancelled migration {} of VM {}", caller, id, m.vmId());
    return m;
  }
}
