package io.vmdna.hypervisor.api;

import java.util.Locale;

/** Disk image formats, named as {@code qemu-img} names them. */
public enum ImageFormat {
  QCOW2,
  RAW,
  VMDK;

  /** The name {@code qemu-img} uses ({@code -f} / {@code -O}). */
  public String qemuName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The file extension for images of this format. */
  public String extension() {
    return qemuName();
  }

  /**
   * Parses a {@code qemu-img} format name.
   *
   * @throws IllegalArgumentException naming the value and the known formats
   */
  public static ImageFormat fromQemuName(String name) {
    for (ImageFormat f : values()) {
      if (f.qemuName().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown image format '%s'; known: qcow2, raw, vmdk".formatted(name));
  }
}
