package io.vmdna.hypervisor.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Disk image formats: qcow2 (KVM, oVirt), raw, vmdk monolithicSparse (VMware Workstation, and
 * qemu-img's default vmdk), vmdk streamOptimized (compressed, for transfer and import into vSphere,
 * e.g. inside an OVA; QEMU reads it but does not run a guest from it), vhdx (Hyper-V) and vpc (VHD,
 * older Hyper-V and Azure).
 *
 * <p>Each has a name ({@link #formatName()}): qemu-img's format name, except {@code
 * vmdk-streamoptimized}, which qemu-img writes as {@code vmdk} with {@code -o
 * subformat=streamOptimized}.
 */
public enum ImageFormat {
  QCOW2("qcow2", "qcow2", "qcow2", true, null),
  RAW("raw", "raw", "raw", false, null),
  VMDK("vmdk", "vmdk", "vmdk", true, null),
  VMDK_STREAM_OPTIMIZED(
      "vmdk-streamoptimized", "vmdk", "stream.vmdk", true, "subformat=streamOptimized"),
  VHDX("vhdx", "vhdx", "vhdx", true, null),
  VPC("vpc", "vpc", "vhd", false, null);

  private final String formatName;
  private final String qemuName;
  private final String extension;
  private final boolean checkable;
  private final String createOptions;

  ImageFormat(
      String formatName,
      String qemuName,
      String extension,
      boolean checkable,
      String createOptions) {
    this.formatName = formatName;
    this.qemuName = qemuName;
    this.extension = extension;
    this.checkable = checkable;
    this.createOptions = createOptions;
  }

  /**
   * The name in vmdna's configuration and variables: qemu-img's, or {@code vmdk-streamoptimized}.
   */
  public String formatName() {
    return formatName;
  }

  /**
   * The name {@code qemu-img} uses ({@code -f} / {@code -O}); both vmdk formats are {@code vmdk}.
   */
  public String qemuName() {
    return qemuName;
  }

  /** The file extension for images of this format (unique per format). */
  public String extension() {
    return extension;
  }

  /** Whether {@code qemu-img check} can verify an image of this format's metadata. */
  public boolean checkable() {
    return checkable;
  }

  /** What {@code qemu-img convert} needs after {@code -o} to write this format, or null. */
  public String createOptions() {
    return createOptions;
  }

  /**
   * Parses a format name ({@link #formatName()}, any case); {@code vmdk} is monolithicSparse.
   *
   * @throws IllegalArgumentException naming the value and the known formats
   */
  public static ImageFormat fromName(String name) {
    for (ImageFormat f : values()) {
      if (f.formatName.equalsIgnoreCase(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown image format '%s'; known: %s"
            .formatted(
                name,
                Arrays.stream(values())
                    .map(ImageFormat::formatName)
                    .collect(Collectors.joining(", "))));
  }

  /**
   * The format of an image as {@code qemu-img info} describes it: its format name and, for vmdk,
   * its create type ({@code streamOptimized} or another; null when not known).
   *
   * @throws IllegalArgumentException naming the value and the known formats
   */
  public static ImageFormat fromQemu(String qemuName, String vmdkCreateType) {
    if ("vmdk".equals(qemuName)) {
      return "streamOptimized".equals(vmdkCreateType) ? VMDK_STREAM_OPTIMIZED : VMDK;
    }
    return fromName(qemuName.toLowerCase(Locale.ROOT));
  }
}
