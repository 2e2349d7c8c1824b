package io.vmdna.hypervisor.api;

import java.util.List;
import java.util.Optional;

/**
 * The DNA Compatibility Layer's SPI: one API for every hypervisor; nothing above it knows which one
 * it talks to. Implementations translate their environment's units and names to the common ones of
 * {@link HostInfo}, {@link VmInfo} and {@code VmSample}.
 *
 * <p>Implementations are thread-safe: job workers call them concurrently. Every call returns or
 * fails within the implementation's configured timeout; a dead host never hangs a caller.
 */
public interface Hypervisor {

  /** The hypervisor's name for logs and records, e.g. {@code sim}, {@code libvirt}. */
  String name();

  /**
   * Every host with its capacity and current load: a snapshot, which callers must not modify (an
   * implementation may hand the same list to every caller until the load changes).
   */
  List<HostInfo> hosts();

  /** Every VM with its placement. */
  List<VmInfo> vms();

  /**
   * Where the VM runs now, as observed (used to reconcile a step whose outcome is unknown).
   *
   * @return the host id, or empty when the VM is not running anywhere
   */
  Optional<String> locate(String vmId);

  /** The VM, or empty when unknown. */
  Optional<VmInfo> vm(String vmId);

  /**
   * Converts a VM's current disk image to the format a target host runs, without touching the
   * running VM. Idempotent by {@code migrationId}: a second call returns the image made by the
   * first. Revert: {@link #deleteImage}.
   *
   * @throws HypervisorException when the conversion fails (message names VM and formats)
   */
  ImageRef convertImage(String migrationId, String vmId, ImageFormat targetFormat);

  /**
   * Deletes an image made by {@link #convertImage}. Idempotent: deleting a missing image is a
   * no-op. Never deletes the image a VM currently runs from.
   *
   * @return true when a file was deleted
   */
  boolean deleteImage(ImageRef image);

  /**
   * The image {@link #convertImage} made for a migration id, if it exists on storage now, whether
   * or not the call that made it returned (reconcile after a timeout).
   */
  Optional<ImageRef> convertedImage(String migrationId);

  /**
   * Whether an image exists on storage (reconcile).
   *
   * @return true when the image is present
   */
  boolean imageExists(ImageRef image);

  /**
   * Moves a VM. Idempotent by {@code migrationId}: when the VM already runs on the target because
   * of this id, returns with {@link MigrationResult#alreadyDone()} set. Revert: {@link
   * #migrateBack}.
   *
   * @throws HypervisorException when the VM is not on the source, the target is unknown, offline or
   *     lacks the image format, or the transfer fails
   */
  MigrationResult migrate(MigrationRequest request);

  /**
   * Moves a VM back to the host it left, onto its original image. Idempotent: when the VM already
   * runs on {@code originalHostId}, returns {@code alreadyDone}.
   */
  MigrationResult migrateBack(
      String migrationId, String vmId, String originalHostId, ImageRef originalImage);

  /**
   * Whether the VM runs healthy on the host: it runs there, nowhere else, and its guest is alive.
   */
  boolean isHealthy(String vmId, String hostId);
}
