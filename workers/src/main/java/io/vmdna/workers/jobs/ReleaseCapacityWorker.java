package io.vmdna.workers.jobs;

import io.camunda.client.annotation.JobWorker;
import io.camunda.client.annotation.Variable;
import io.vmdna.bpmn.ProcessContract.JobTypes;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.ReservationRepository;
import org.springframework.stereotype.Component;

/**
 * {@code vmdna.release-capacity} (compensation of reserve-capacity): releases the booking.
 * Idempotent.
 */
@Component
public class ReleaseCapacityWorker {
  static final String STEP = "release-capacity";
  private final ReservationRepository reservations;
  private final MigrationRepository migrations;

  public ReleaseCapacityWorker(ReservationRepository reservations, MigrationRepository migrations) {
    this.reservations = reservations;
    this.migrations = migrations;
  }

  /** Handles one job; see the class comment. */
  @JobWorker(type = JobTypes.RELEASE_CAPACITY)
  public void releaseCapacity(@Variable String migrationId) {
    boolean released = reservations.release(migrationId);
    Steps.ok(migrations, migrationId, STEP, released ? "released" : "nothing booked");
  }
}
