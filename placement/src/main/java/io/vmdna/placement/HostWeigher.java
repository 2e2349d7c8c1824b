package io.vmdna.placement;

/** A soft preference among hosts that passed the filters. Stateless and thread-safe. */
public interface HostWeigher {
  /**
   * @return a score in [0, 1], higher is better
   */
  double weigh(HostState host, PlacementRequest request);

  /**
   * Whether {@link #weigh} reads {@link HostState#vmIds()} for this request; when no unit does, the
   * selector does not ask where every VM runs. Default: false.
   */
  default boolean readsVmIds(PlacementRequest request) {
    return false;
  }
}
