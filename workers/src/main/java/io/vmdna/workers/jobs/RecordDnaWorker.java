package io.vmdna.workers.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.camunda.client.annotation.JobWorker;
import io.camunda.client.annotation.Variable;
import io.vmdna.bpmn.ProcessContract.JobTypes;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.MigrationStatus;
import io.vmdna.store.ReservationRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * {@code vmdna.record-dna}: writes the VM's DNA beside the image it now runs from ({@code
 * <image>.dna.json}, atomically), marks the migration {@code MIGRATED} and releases the booking
 * (the VM's load now counts on the target itself). Idempotent: rewriting gives the same file.
 */
@Component
public class RecordDnaWorker {
  static final String STEP = "record-dna";
  private final MigrationRepository migrations;
  private final ReservationRepository reservations;
  private final ObjectMapper json;

  public RecordDnaWorker(
      MigrationRepository migrations, ReservationRepository reservations, ObjectMapper json) {
    this.migrations = migrations;
    this.reservations = reservations;
    this.json = json;
  }

  /** Handles one job; see the class comment. */
  @JobWorker(type = JobTypes.RECORD_DNA)
  public void recordDna(
      @Variable String migrationId,
      @Variable String vmId,
      @Variable String targetHostId,
      @Variable ImageRef convertedImage,
      @Variable(optional = true) Map<String, Object> dna) {
    Path sidecar = Path.of(convertedImage.path() + ".dna.json");
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("vmId", vmId);
    doc.put("hostId", targetHostId);
    doc.put("migrationId", migrationId);
    doc.put("image", convertedImage);
    doc.put("dna", dna == null ? Map.of() : dna);
    try {
      Path tmp = sidecar.resolveSibling(sidecar.getFileName() + ".part");
      json.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), doc);
      Files.move(tmp, sidecar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("record-dna: cannot write " + sidecar, e);
    }
    reservations.release(migrationId);
    migrations.setStatus(migrationId, MigrationStatus.MIGRATED);
    Steps.ok(migrations, migrationId, STEP, "wrote " + sidecar);
  }
}
