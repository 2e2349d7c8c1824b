package io.vmdna.store;

/** Where a migration stands. */
public enum MigrationStatus {
  /** Asked for through the API; no process instance has claimed it yet. */
  REQUESTED,
  /** A dry run decided (target recorded) and did not act. */
  DRY_RUN,
  /** A safety rail (cooldown, cap) declined it; the step history says which. */
  DECLINED,
  STARTED,
  ROLLING_BACK,
  MIGRATED,
  ROLLED_BACK,
  NO_SUITABLE_HOST,
  CANCELLED
}
