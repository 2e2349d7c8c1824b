package io.vmdna.workers.jobs;

import io.camunda.client.exception.BpmnError;
import io.camunda.client.exception.CamundaError;
import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.store.MigrationRepository;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Step bookkeeping shared by the workers: history rows and BPMN errors that are also recorded. */
final class Steps {
  private static final Logger LOG = LoggerFactory.getLogger(Steps.class);

  private Steps() {}

  /** Records a successful step. */
  static void ok(MigrationRepository migrations, String migrationId, String step, String detail) {
    LOG.info("{} {}: {}", migrationId, step, detail);
    migrations.recordStep(migrationId, step, "OK", detail);
  }

  /** Records a failed step and returns the BPMN error to throw. */
  static BpmnError fail(
      MigrationRepository migrations, String migrationId, String step, String code, String detail) {
    LOG.warn("{} {}: {} {}", migrationId, step, code, detail);
    migrations.recordStep(migrationId, step, code, detail);
    return CamundaError.bpmnError(
        code, detail, Map.of("failure", Map.of("step", step, "code", code, "detail", detail)));
  }

  /**
   * The target host as the hypervisor reports it now, or the BPMN error {@code code} recorded as
   * the step's failure when the host is gone.
   */
  static HostInfo targetHost(
      Hypervisor hypervisor,
      MigrationRepository migrations,
      String migrationId,
      String step,
      String code,
      String hostId) {
    return hypervisor.hosts().stream()
        .filter(h -> h.hostId().equals(hostId))
        .findFirst()
        .orElseThrow(
            () -> fail(migrations, migrationId, step, code, "host " + hostId + " is gone"));
  }

  /** A number from a variable map (JSON numbers arrive as Integer, Long or Double). */
  /**
   * A field of a map variable that, when present, must be a finite number >= 0; {@code fallback}
   * when the map or the field is absent.
   *
   * @throws InvalidVariableException naming {@code variable.key} when the field is something else
   */
  static double number(Map<String, Object> map, String variable, String key, double fallback) {
    if (map == null || map.get(key) == null) {
      return fallback;
    }
    return nonNegative(variable + "." + key, map.get(key));
  }

  /**
   * A number variable's value, finite and >= 0.
   *
   * @throws InvalidVariableException naming the variable otherwise
   */
  static double nonNegative(String variable, Object value) {
    if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < 0) {
      throw new InvalidVariableException(variable, "must be a number >= 0, was '" + value + "'");
    }
    return n.doubleValue();
  }

  /**
   * A text variable's value, not blank.
   *
   * @throws InvalidVariableException naming the variable when it is blank
   */
  static String text(String variable, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidVariableException(variable, "must not be blank");
    }
    return value;
  }
}
