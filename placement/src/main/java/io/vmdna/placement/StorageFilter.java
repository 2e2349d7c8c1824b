package io.vmdna.placement;

import java.util.Optional;

/** Rejects hosts without storage for the converted image. */
public final class StorageFilter implements HostFilter {
  @Override
  public Optional<String> reject(HostState h, PlacementRequest r) {
    return h.host().storageFreeBytes() < r.diskBytes()
        ? Optional.of(
            "storage free %d bytes < image %d bytes"
                .formatted(h.host().storageFreeBytes(), r.diskBytes()))
        : Optional.empty();
  }
}
