package io.vmdna.hypervisor.sim;

/** Faults the simulated fleet can be told to inject for one VM (failure drills and tests). */
public enum SimFault {
  /** {@code convertImage} fails as a broken {@code qemu-img} run would. */
  CONVERSION_FAILS,
  /** {@code migrate} fails before anything moves. */
  MIGRATION_FAILS,
  /** The VM lands on the target but its guest does not come up: {@code isHealthy} is false. */
  GUEST_DIES_ON_TARGET,
  /**
   * {@code convertImage} writes the image, then never returns until {@link SimFleet#releaseHangs}.
   */
  CONVERSION_HANGS,
  /** {@code migrate} never returns (until released) and the VM does not move. */
  MIGRATION_HANGS_BEFORE_MOVE,
  /** {@code migrate} moves the VM, then never returns (until released): an unknown outcome. */
  MIGRATION_HANGS_AFTER_MOVE,
  /**
   * {@code migrate} waits until {@link SimFleet#releaseHangs}, then moves the VM and returns as
   * usual: a slow but successful migration (failure drills around the engine).
   */
  MIGRATION_WAITS,
  /** The VM's host does not answer: {@code convertImage} fails as a technical failure. */
  HOST_UNREACHABLE
}
