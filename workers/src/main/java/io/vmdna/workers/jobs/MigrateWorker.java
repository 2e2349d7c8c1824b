package io.vmdna.workers.jobs;

import io.camunda.client.annotation.JobWorker;
import io.camunda.client.annotation.Variable;
import io.vmdna.bpmn.ProcessContract.Errors;
import io.vmdna.bpmn.ProcessContract.JobTypes;
import io.vmdna.bpmn.ProcessContract.Vars;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.hypervisor.api.HypervisorException;
import io.vmdna.hypervisor.api.HypervisorUnavailableException;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.hypervisor.api.MigrationRequest;
import io.vmdna.hypervisor.api.MigrationResult;
import io.vmdna.hypervisor.api.MigrationStrategy;
import io.vmdna.store.MigrationRepository;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * {@code vmdna.migrate}: moves the VM to the target onto its converted image, {@code LIVE} unless
 * the request's {@code options.strategy} says {@code WARM}; the other options go to the hypervisor
 * as state-transfer options. {@code MIGRATION_FAILED} when the hypervisor refuses or fails.
 * Idempotent by migration id (a retried job finds the move done). Revert: {@link
 * MigrateBackWorker}.
 */
@Component
public class MigrateWorker {
  static final String STEP = "migrate";
  private final Hypervisor hypervisor;
  private final MigrationRepository migrations;

  public MigrateWorker(Hypervisor hypervisor, MigrationRepository migrations) {
    this.hypervisor = hypervisor;
    this.migrations = migrations;
  }

  /** Handles one job; see the class comment. */
  @JobWorker(type = JobTypes.MIGRATE)
  public Map<String, Object> migrate(
      @Variable String migrationId,
      @Variable String vmId,
      @Variable String sourceHostId,
      @Variable String targetHostId,
      @Variable ImageRef convertedImage,
      @Variable(name = Vars.OPTIONS, optional = true) Object options) {
    Map<String, String> transfer = new java.util.LinkedHashMap<>();
    if (options instanceof Map<?, ?> given) {
      given.forEach((k, v) -> transfer.put(String.valueOf(k), String.valueOf(v)));
    } else if (options != null) {
      // read as any value, so a wrong type is named here rather than failing inside the client
      throw new InvalidVariableException(
          Vars.OPTIONS,
          "must be an object of hypervisor options (e.g. {\"strategy\": \"WARM\"}), was '"
              + options
              + "'");
    }
    String strategyName = transfer.remove(Vars.OPTION_STRATEGY);
    MigrationStrategy strategy;
    try {
      strategy =
          strategyName == null
              ? MigrationStrategy.LIVE
              : MigrationStrategy.valueOf(strategyName.strip().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Steps.fail(
          migrations,
          migrationId,
          STEP,
          Errors.MIGRATION_FAILED,
          "options.strategy must be LIVE or WARM, was '" + strategyName + "'");
    }
    try {
      MigrationResult r =
          hypervisor.migrate(
              new MigrationRequest(
                  migrationId,
                  vmId,
                  sourceHostId,
                  targetHostId,
                  strategy,
                  convertedImage,
                  transfer));
      Steps.ok(
          migrations,
          migrationId,
          STEP,
          "%s %s -> %s in %d ms, downtime %d ms%s"
              .formatted(
                  strategy,
                  r.fromHostId(),
                  r.toHostId(),
                  r.durationMs(),
                  r.downtimeMs(),
                  r.alreadyDone() ? " (already done)" : ""));
      return Map.of(Vars.MIGRATION_RESULT, r);
    } catch (HypervisorUnavailableException e) {
      throw e; // technical: retried with backoff, then an incident (TechnicalFailureStrategy)
    } catch (HypervisorException e) {
      throw Steps.fail(migrations, migrationId, STEP, Errors.MIGRATION_FAILED, e.getMessage());
    }
  }
}
