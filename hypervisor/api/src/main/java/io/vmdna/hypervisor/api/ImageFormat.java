package io.vmdna.hypervisor.api;

import java.util.Locale;

/**
 * Disk image formats, named as {@code qemu-img} names them: qcow2 (KVM, oVirt), raw, vmdk (VMware,
 * monolithicSparse), vhdx (Hyper-V) and vpc (VHD, older Hyper-V and Azure).
 */
public enum ImageFormat {
  QCOW2("qcow2", true),
  RAW("raw", false),
  VMDK("vmdk", true),
  VHDX("vhdx", true),
  VPC("vhd", false);

  private final String extension;
  private final boolean checkable;

  ImageFormat(String extension, boolean checkable) {
    this.extension = extension;
    this.checkable = checkable;
  }

  /** The name {@code qemu-img} uses ({@code -f} / {@code -O}). */
  public String qemuName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The file extension for images of this format. */
  public String extension() {
    return extension;
  }

  /** Whether {@code qemu-img check} can verify an image of this format's metadata. */
  public boolean checkable() {
    return checkable;
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
        "unknown image format '%s'; known: qcow2, raw, vmdk, vhdx, vpc".formatted(name));
  }
}
