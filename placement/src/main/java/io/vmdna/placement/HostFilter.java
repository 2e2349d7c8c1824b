package io.vmdna.placement;

import java.util.Optional;

/** A hard constraint on target hosts. Implementations are stateless and thread-safe. */
public interface HostFilter {
  /**
   * @return why the host cannot take the VM, or empty when it can
   */
  Optional<String> reject(HostState host, PlacementRequest request);

  /**
   * Whether {@link #reject} reads {@link HostState#vmIds()} for this request; when no unit does,
   * the selector does not ask where every VM runs. Default: false.
   */
  default boolean readsVmIds(PlacementRequest request) {
    return false;
  }
}
