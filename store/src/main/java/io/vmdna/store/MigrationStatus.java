package io.vmdna.store;

/** Where a migration stands. */
public enum MigrationStatus {
  /** Asked for through the API; no process instance has claimed it yet. */
  REQUESTED,
  /** A dry run decided (target recorded) and did not act. */
  DRY_RUN,
  STARTED,
  ROLLING_BACK,
  MIGRATED,
  ROLLED_BACK,
  NO_SUITABLE_HOST,
  CANCELLED
}
