package io.vmdna.store;

/** Where a migration stands. */
public enum MigrationStatus {
  STARTED,
  ROLLING_BACK,
  MIGRATED,
  ROLLED_BACK,
  NO_SUITABLE_HOST,
  CANCELLED
}
