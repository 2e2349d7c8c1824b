package io.vmdna.hypervisor.sim;

/** Faults the simulated fleet can be told to inject for one VM (failure drills and tests). */
public enum SimFault {
  /** {@code convertImage} fails as a broken {@code qemu-img} run would. */
  CONVERSION_FAILS,
  /** {@code migrate} fails before anything moves. */
  MIGRATION_FAILS,
  /** The VM lands on the target but its guest does not come up: {@code isHealthy} is false. */
  GUEST_DIES_ON_TARGET
}
