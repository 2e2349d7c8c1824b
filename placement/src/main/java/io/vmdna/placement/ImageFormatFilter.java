package io.vmdna.placement;

import java.util.Optional;

/**
 * Rejects hosts that run no disk format vmdna can convert to ({@code qemu-img}'s qcow2, raw, vmdk):
 * the image could not be prepared for them.
 */
public final class ImageFormatFilter implements HostFilter {
  @Override
  public Optional<String> reject(HostState h, PlacementRequest r) {
    return h.host().imageFormats().isEmpty()
        ? Optional.of("runs no disk format vmdna can convert to")
        : Optional.empty();
  }
}
