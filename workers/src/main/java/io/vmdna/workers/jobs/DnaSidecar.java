package io.vmdna.workers.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmdna.hypervisor.api.ImageRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The DNA sidecar: {@code <image>.dna.json} beside a disk image, saying which VM the image belongs
 * to, where it is meant to run, for which migration, in which state, and the VM's DNA (the profile
 * the Flink job sent with the signal; empty when the migration came from the API without one). The
 * convert step writes it when it creates an image ({@code CONVERTED}), record-dna rewrites it once
 * the VM runs from the image ({@code MIGRATED}), and compensation deletes it with the image.
 *
 * <p>Writes are atomic (a temporary file, then a rename) and idempotent: the same arguments give
 * the same file. Thread-safe.
 */
@Component
public class DnaSidecar {
  /** What the sidecar says of its image. */
  public enum State {
    /** Converted for a migration that has not moved the VM yet. */
    CONVERTED,
    /** The VM runs from this image. */
    MIGRATED
  }

  private final ObjectMapper json;

  /** Writes with the application's JSON settings. */
  public DnaSidecar(ObjectMapper json) {
    this.json = json;
  }

  /** Where the sidecar of {@code image} is: its path with {@code .dna.json} appended. */
  public static Path pathOf(ImageRef image) {
    return Path.of(image.path() + ".dna.json");
  }

  /**
   * Writes (or replaces) the sidecar of {@code image}.
   *
   * @param dna the VM's DNA, or null for none
   * @return the sidecar's path
   * @throws UncheckedIOException naming the sidecar when it cannot be written (nothing partial is
   *     left under its name)
   */
  public Path write(
      ImageRef image,
      String vmId,
      String hostId,
      String migrationId,
      State state,
      Map<String, Object> dna) {
    Path sidecar = pathOf(image);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("vmId", vmId);
    doc.put("hostId", hostId);
    doc.put("migrationId", migrationId);
    doc.put("state", state.name());
    doc.put("image", image);
    doc.put("dna", dna == null ? Map.of() : dna);
    Path tmp = sidecar.resolveSibling(sidecar.getFileName() + ".part");
    try {
      json.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), doc);
      Files.move(tmp, sidecar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return sidecar;
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the .part name is never read as a sidecar
      }
      throw new UncheckedIOException(
          "cannot write the DNA sidecar " + sidecar + ": " + e.getMessage(), e);
    }
  }

  /**
   * Deletes the sidecar of {@code image}. Idempotent.
   *
   * @return true when there was one
   * @throws UncheckedIOException naming the sidecar when it exists and cannot be deleted
   */
  public boolean delete(ImageRef image) {
    Path sidecar = pathOf(image);
    try {
      return Files.deleteIfExists(sidecar);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot delete the DNA sidecar " + sidecar + ": " + e.getMessage(), e);
    }
  }
}
