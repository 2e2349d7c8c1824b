package io.vmdna.hypervisor.api;

/**
 * A disk image on storage a hypervisor can reach.
 *
 * @param path the image's location (a file path for file-based storage)
 * @param format its format
 */
public record ImageRef(String path, ImageFormat format) {}
