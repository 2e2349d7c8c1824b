package io.vmdna.hypervisor.sim;

/**
 * What a migration costs on the {@code sim} hypervisor: the pre-copy of the guest's memory over the
 * migration link, some pages sent again because the guest dirtied them meanwhile, a short
 * stop-and-copy downtime, and CPU on both hosts while it runs (the migration thread and dirty-page
 * tracking). Used by {@link SimFleet} and by the what-if simulator, so both report the same costs.
 * Immutable and thread-safe.
 *
 * @param linkBytesPerS migration link bandwidth, bytes per second (> 0)
 * @param dirtyFactor bytes sent per byte of used guest memory, ≥ 1 (pre-copy rounds)
 * @param downtimeMs stop-and-copy time the guest does not run, milliseconds (≥ 0)
 * @param overheadMhz extra CPU on the source and on the target while the migration runs, MHz (≥ 0)
 */
public record MigrationCost(
    double linkBytesPerS, double dirtyFactor, long downtimeMs, double overheadMhz) {

  /**
   * Defaults: a 1 GiB/s link (10 GbE), memory sent 1.25 times, 30 ms downtime, one 2.6 GHz core on
   * each host while the migration runs.
   */
  public static MigrationCost defaults() {
    return new MigrationCost(1L << 30, 1.25, 30, 2600);
  }

  /** Validates. */
  public MigrationCost {
    if (!(linkBytesPerS > 0) || !(dirtyFactor >= 1) || downtimeMs < 0 || !(overheadMhz >= 0)) {
      throw new IllegalArgumentException(
          "migration cost: need link > 0 B/s, dirty factor >= 1, downtime >= 0, overhead >= 0;"
              + " were %s, %s, %d, %s"
                  .formatted(linkBytesPerS, dirtyFactor, downtimeMs, overheadMhz));
    }
  }

  /** Bytes sent to move a guest using {@code memUsedKb} KiB of memory. */
  public long bytes(double memUsedKb) {
    return (long) (Math.max(0, memUsedKb) * 1024 * dirtyFactor);
  }

  /** Wall time of the whole migration, milliseconds, downtime included. */
  public long durationMs(double memUsedKb) {
    return (long) Math.ceil(1000.0 * bytes(memUsedKb) / linkBytesPerS) + downtimeMs;
  }
}
