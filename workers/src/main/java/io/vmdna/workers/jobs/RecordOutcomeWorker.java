package io.vmdna.workers.jobs;

import io.camunda.client.annotation.JobWorker;
import io.camunda.client.annotation.Variable;
import io.camunda.client.api.response.ActivatedJob;
import io.vmdna.bpmn.ProcessContract.EndEvents;
import io.vmdna.bpmn.ProcessContract.JobTypes;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.MigrationStatus;
import org.springframework.stereotype.Component;

/**
 * {@code vmdna.record-outcome}: the execution listener on {@code RolledBackEndEvent} and {@code
 * CancelledEndEvent}. By the time it runs every compensation has completed, so the status it
 * records is final. Idempotent; a migration the store never recorded (cancelled before scan-hosts)
 * has nothing to update.
 */
@Component
public class RecordOutcomeWorker {
  static final String STEP = "outcome";
  private final MigrationRepository migrations;

  public RecordOutcomeWorker(MigrationRepository migrations) {
    this.migrations = migrations;
  }

  /** Handles one listener job; see the class comment. */
  @JobWorker(type = JobTypes.RECORD_OUTCOME)
  public void recordOutcome(ActivatedJob job, @Variable String migrationId) {
    MigrationStatus status =
        switch (job.getElementId()) {
          case EndEvents.ROLLED_BACK -> MigrationStatus.ROLLED_BACK;
          case EndEvents.CANCELLED -> MigrationStatus.CANCELLED;
          default ->
              throw new IllegalStateException(
                  "record-outcome is a listener for %s and %s, not for %s"
                      .formatted(EndEvents.ROLLED_BACK, EndEvents.CANCELLED, job.getElementId()));
        };
    if (migrations.find(migrationId).isPresent()) {
      migrations.setStatus(migrationId, status);
      Steps.ok(migrations, migrationId, STEP, status.name());
    }
  }
}
