package io.vmdna.hypervisor.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.hypervisor.api.HypervisorException;
import io.vmdna.hypervisor.api.ImageFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real qemu-img (Debian's qemu-utils). */
class QemuImgTest {
  @TempDir Path dir;
  private final QemuImg qemu = QemuImg.onPath();

  @Test
  void shouldCreateConvertAndInspectImages() {
    Path qcow2 = dir.resolve("disk.qcow2");
    qemu.create(qcow2, ImageFormat.QCOW2, 8L << 20);

    for (ImageFormat target : ImageFormat.values()) {
      Path out = dir.resolve("disk-out." + target.extension());
      qemu.convert(qcow2, ImageFormat.QCOW2, out, target);
      QemuImg.Info info = qemu.info(out);
      assertThat(info.format()).isEqualTo(target);
      if (target == ImageFormat.VPC) {
        // VHD rounds the size up to its disk geometry
        assertThat(info.virtualSizeBytes()).isBetween(8L << 20, 9L << 20);
      } else {
        assertThat(info.virtualSizeBytes()).isEqualTo(8L << 20);
      }
    }
    assertThat(dir.toFile().list()).noneMatch(n -> n.endsWith(".part"));
  }

  @Test
  void shouldReportProgressAndKeepOnlyAVerifiedCopy() throws Exception {
    Path qcow2 = dir.resolve("data.qcow2");
    qemu.create(qcow2, ImageFormat.QCOW2, 64L << 20);
    write(qcow2, "write -P 0xab 0 48M");
    List<Double> seen = new java.util.ArrayList<>();

    for (ImageFormat target :
        List.of(
            ImageFormat.RAW,
            ImageFormat.VMDK,
            ImageFormat.VMDK_STREAM_OPTIMIZED,
            ImageFormat.VHDX)) {
      Path out = dir.resolve("data." + target.extension());
      qemu.convert(qcow2, ImageFormat.QCOW2, out, target, false, true, seen::add);
      assertThat(qemu.sameContent(qcow2, ImageFormat.QCOW2, out, target)).isTrue();
    }
    // streamOptimized is the compressed vmdk: 48 MiB of one byte shrink to almost nothing
    assertThat(Files.size(dir.resolve("data." + ImageFormat.VMDK_STREAM_OPTIMIZED.extension())))
        .isLessThan(Files.size(dir.resolve("data." + ImageFormat.VMDK.extension())) / 10);

    assertThat(seen).isNotEmpty().allMatch(p -> p >= 0 && p <= 1);
    assertThat(seen.getLast()).isEqualTo(1.0);
  }

  @Test
  void shouldTellImagesWithDifferentContentApart() throws Exception {
    Path a = dir.resolve("a.qcow2");
    Path b = dir.resolve("b.raw");
    qemu.create(a, ImageFormat.QCOW2, 8L << 20);
    qemu.create(b, ImageFormat.RAW, 8L << 20);
    assertThat(qemu.sameContent(a, ImageFormat.QCOW2, b, ImageFormat.RAW)).isTrue();

    write(b, "write -P 0x11 4096 4096");

    assertThat(qemu.sameContent(a, ImageFormat.QCOW2, b, ImageFormat.RAW)).isFalse();
    assertThatThrownBy(
            () ->
                qemu.sameContent(
                    dir.resolve("missing.qcow2"), ImageFormat.QCOW2, b, ImageFormat.RAW))
        .hasMessageContaining("missing.qcow2");
  }

  @Test
  void shouldTellImagesOfDifferentSizesApartAlthoughTheCommonPartIsEqual() throws Exception {
    Path a = dir.resolve("small.qcow2");
    Path b = dir.resolve("large.raw");
    Path vhd = dir.resolve("large.vhd");
    qemu.create(a, ImageFormat.QCOW2, 8L << 20);
    qemu.create(b, ImageFormat.RAW, 9L << 20);
    qemu.create(vhd, ImageFormat.VPC, 9L << 20);

    // qemu-img compare itself exits 0 here: only its size warning tells them apart
    assertThat(qemu.sameContent(a, ImageFormat.QCOW2, b, ImageFormat.RAW)).isFalse();
    assertThat(qemu.sameContent(b, ImageFormat.RAW, a, ImageFormat.QCOW2)).isFalse();
    // VHD rounds its size up to a disk geometry: a size difference is expected there
    assertThat(qemu.sameContent(a, ImageFormat.QCOW2, vhd, ImageFormat.VPC)).isTrue();
  }

  /** Writes into an image with qemu-io (Debian's qemu-utils). */
  private static void write(Path image, String command) throws Exception {
    String format = image.toString().endsWith(".raw") ? "raw" : "qcow2";
    Process p =
        new ProcessBuilder("qemu-io", "-f", format, "-c", command, image.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();
  }

  @Test
  void shouldReadAnImageARunningProcessHoldsOnlyWhenToldItIsInUse() throws Exception {
    Path qcow2 = dir.resolve("busy.qcow2");
    qemu.create(qcow2, ImageFormat.QCOW2, 8L << 20);
    // qemu-io holds the image's write lock as a running guest would; it exits at once if it
    // starts while our own convert holds the image, so it is restarted until it holds it
    Process holder = null;
    try {
      Path locked = dir.resolve("locked.raw");
      long deadline = System.nanoTime() + 30_000_000_000L;
      boolean refused = false;
      while (!refused && System.nanoTime() < deadline) {
        if (holder == null || !holder.isAlive()) {
          holder =
              new ProcessBuilder("qemu-io", "-f", "qcow2", "-c", "sleep 60000", qcow2.toString())
                  .redirectErrorStream(true)
                  .start();
        }
        Thread.sleep(300);
        try {
          qemu.convert(qcow2, ImageFormat.QCOW2, locked, ImageFormat.RAW);
          Files.deleteIfExists(locked);
        } catch (HypervisorException e) {
          assertThat(e).hasMessageContaining("lock");
          refused = true;
        }
      }
      assertThat(refused).as("convert refused while the image is held").isTrue();

      Path out = dir.resolve("in-use.raw");
      qemu.convert(qcow2, ImageFormat.QCOW2, out, ImageFormat.RAW, true);

      assertThat(qemu.info(out).virtualSizeBytes()).isEqualTo(8L << 20);
    } finally {
      if (holder != null) {
        holder.destroyForcibly().waitFor();
      }
    }
  }

  @Test
  void shouldFailWithQemuImgsMessageAndLeaveNoPartialImage() throws IOException {
    Path notAnImage = Files.writeString(dir.resolve("junk.qcow2"), "not an image");
    Path out = dir.resolve("out.raw");

    assertThatThrownBy(() -> qemu.convert(notAnImage, ImageFormat.QCOW2, out, ImageFormat.RAW))
        .isInstanceOf(HypervisorException.class)
        .hasMessageContaining("qemu-img convert " + notAnImage)
        .hasMessageContaining("failed (exit 1)");
    assertThat(out).doesNotExist();
    assertThat(out.resolveSibling("out.raw.part")).doesNotExist();
  }

  /**
   * A full disk: the target folder is a 4 MiB tmpfs (mounted here; needs root, as CI runs) and the
   * image holds 16 MiB of data. The error says the disk is full and where; no partial image stays;
   * the source is untouched.
   */
  @Test
  void aFullDiskShouldFailClearlyAndLeaveTheSourceUntouched() throws Exception {
    Path source = dir.resolve("full-src.qcow2");
    qemu.create(source, ImageFormat.QCOW2, 64L << 20);
    write(source, "write -P 0x5a 0 16M");
    byte[] before = Files.readAllBytes(source);
    Path small = Files.createDirectories(dir.resolve("small"));
    Process mount =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small.toString())
            .redirectErrorStream(true)
            .start();
    String why = new String(mount.getInputStream().readAllBytes());
    org.junit.jupiter.api.Assumptions.assumeTrue(
        mount.waitFor() == 0, () -> "cannot mount a small tmpfs here (needs root): " + why);
    try {
      Path out = small.resolve("full.raw");

      assertThatThrownBy(() -> qemu.convert(source, ImageFormat.QCOW2, out, ImageFormat.RAW))
          .isInstanceOf(HypervisorException.class)
          .hasMessageContaining("qemu-img convert " + source)
          .hasMessageContaining("No space left on device");
      assertThat(out).doesNotExist();
      assertThat(out.resolveSibling("full.raw.part")).doesNotExist();
      assertThat(Files.readAllBytes(source)).as("the source").isEqualTo(before);
    } finally {
      new ProcessBuilder("umount", small.toString()).inheritIO().start().waitFor();
    }
  }

  /**
   * A lock that outlives the process that wrote the image by a moment (io_uring's teardown) is
   * waited for; one held longer than about a second is reported. {@code qemu-io} holds the lock
   * here, for a set time.
   */
  @Test
  void shouldWaitForALockThatOutlivesItsWriterByAMoment() throws Exception {
    Path a = dir.resolve("a.qcow2");
    Path b = dir.resolve("b.raw");
    qemu.create(a, ImageFormat.QCOW2, 1 << 20);
    qemu.create(b, ImageFormat.RAW, 1 << 20);

    Process holder = holdLock(a, 600);
    assertThat(qemu.sameContent(a, ImageFormat.QCOW2, b, ImageFormat.RAW)).isTrue();
    assertThat(holder.waitFor()).isZero();

    Process longer = holdLock(a, 5000);
    try {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> qemu.sameContent(a, ImageFormat.QCOW2, b, ImageFormat.RAW))
          .isInstanceOf(HypervisorException.class)
          .hasMessageContaining("Failed to get shared \"write\" lock");
      assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(900L, 4_900L);
    } finally {
      longer.destroyForcibly().waitFor();
    }
  }

  /**
   * Starts {@code qemu-io} holding {@code image} open for writing {@code ms}; returns once held.
   * {@code qemu-io} itself may find the image still locked by the {@code qemu-img} run just before
   * (the lingering lock this test is about) and exit at once: it is then started again.
   */
  private Process holdLock(Path image, int ms) throws Exception {
    Path log = dir.resolve("qemu-io.log");
    ProcessBuilder pb =
        new ProcessBuilder("qemu-io", "-f", "qcow2", "-c", "sleep " + ms, image.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Process p = pb.start();
    int starts = 1;
    for (int i = 0; i < 200; i++) {
      if (!p.isAlive() && p.exitValue() != 0 && starts < 20) {
        p = pb.start(); // it could not take the lock: someone's lock had not gone yet
        starts++;
      }
      try {
        qemu.info(image); // opened: not held yet
      } catch (HypervisorException e) {
        if (QemuImg.LOCK_HELD.matcher(e.getMessage()).find()) {
          return p;
        }
        throw e;
      }
      Thread.sleep(20);
    }
    p.destroyForcibly();
    throw new AssertionError(
        "qemu-io did not take the lock on %s in %d starts; it said: %s"
            .formatted(image, starts, Files.readString(log)));
  }

  @Test
  void shouldSayHowToInstallWhenTheBinaryIsMissing() {
    QemuImg missing = new QemuImg("/nonexistent/qemu-img", Duration.ofSeconds(5));
    assertThatThrownBy(() -> missing.info(dir.resolve("x")))
        .isInstanceOf(HypervisorException.class)
        .hasMessageContaining("install Debian's qemu-utils");
  }

  @Test
  void shouldKillACallThatOutlivesItsTimeout() throws IOException {
    Path slow = dir.resolve("slow-qemu-img");
    Files.writeString(slow, "#!/bin/sh\nsleep 30\n");
    assertThat(slow.toFile().setExecutable(true)).isTrue();
    QemuImg hanging = new QemuImg(slow.toString(), Duration.ofMillis(300));

    long t0 = System.nanoTime();
    assertThatThrownBy(() -> hanging.info(dir.resolve("x")))
        .hasMessageContaining("timed out after PT0.3S");
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(10_000);
  }

  /**
   * {@code info} reads the top level of QEMU 7.2's flat output and of QEMU 10's, which nests a
   * child node per layer with its own {@code format} ("file") first; output that is not that JSON
   * is an error quoting it.
   */
  @Test
  void shouldReadTheImagesOwnFormatAndSizeFromEitherQemuVersionsInfo() throws IOException {
    String qemu72 =
        """
        {"virtual-size": 67108864, "filename": "a.vmdk", "format": "vmdk",
         "format-specific": {"type": "vmdk", "data": {"create-type": "streamOptimized"}}}
        """;
    String qemu10 =
        """
        {"children": [{"name": "file", "info": {"children": [], "virtual-size": 197120,
           "filename": "a.qcow2", "format": "file", "format-specific": {"type": "file", "data": {}}}}],
         "virtual-size": 10485760, "filename": "a.qcow2", "format": "qcow2",
         "format-specific": {"type": "qcow2", "data": {"compat": "1.1"}}}
        """;
    assertThat(printing(qemu72).info(dir.resolve("a.vmdk")))
        .isEqualTo(new QemuImg.Info(ImageFormat.VMDK_STREAM_OPTIMIZED, 67_108_864));
    assertThat(printing(qemu10).info(dir.resolve("a.qcow2")))
        .isEqualTo(new QemuImg.Info(ImageFormat.QCOW2, 10_485_760));
    assertThatThrownBy(() -> printing("{\"format\": \"qcow2\"}").info(dir.resolve("b")))
        .isInstanceOf(HypervisorException.class)
        .hasMessageContaining("unexpected output: {\"format\": \"qcow2\"}");
    assertThatThrownBy(() -> printing("image: b").info(dir.resolve("b")))
        .isInstanceOf(HypervisorException.class)
        .hasMessageContaining("unexpected output: image: b");
  }

  /** A stand-in {@code qemu-img} that prints {@code output} whatever it is asked. */
  private QemuImg printing(String output) throws IOException {
    Path out = Files.createTempFile(dir, "info", ".json");
    Files.writeString(out, output);
    Path script = Files.createTempFile(dir, "qemu-img", ".sh");
    Files.writeString(script, "#!/bin/sh\ncat '" + out + "'\n");
    assertThat(script.toFile().setExecutable(true)).isTrue();
    return new QemuImg(script.toString(), Duration.ofSeconds(10));
  }

  @Test
  void convertArgsShouldCarryTheTargetFormatsOptionsAndTheInUseFlag() {
    assertThat(
            QemuImg.convertArgs(
                Path.of("a.qcow2"),
                ImageFormat.QCOW2,
                Path.of("b.stream.vmdk"),
                ImageFormat.VMDK_STREAM_OPTIMIZED,
                true))
        .containsExactly(
            "convert",
            "-U",
            "-f",
            "qcow2",
            "-O",
            "vmdk",
            "-o",
            "subformat=streamOptimized",
            "a.qcow2",
            "b.stream.vmdk");
    assertThat(
            QemuImg.convertArgs(
                Path.of("a.qcow2"), ImageFormat.QCOW2, Path.of("b.raw"), ImageFormat.RAW, false))
        .containsExactly("convert", "-f", "qcow2", "-O", "raw", "a.qcow2", "b.raw");
  }

  @Test
  void formatNamesShouldRoundTripAndRejectUnknown() {
    for (ImageFormat f : ImageFormat.values()) {
      assertThat(ImageFormat.fromName(f.formatName())).isEqualTo(f);
      assertThat(ImageFormat.fromName(f.formatName().toUpperCase(java.util.Locale.ROOT)))
          .isEqualTo(f);
    }
    assertThat(ImageFormat.fromQemu("vmdk", "monolithicSparse")).isEqualTo(ImageFormat.VMDK);
    assertThat(ImageFormat.fromQemu("vmdk", "streamOptimized"))
        .isEqualTo(ImageFormat.VMDK_STREAM_OPTIMIZED);
    assertThat(ImageFormat.fromQemu("qcow2", null)).isEqualTo(ImageFormat.QCOW2);
    assertThat(ImageFormat.values()).extracting(ImageFormat::extension).doesNotHaveDuplicates();
    assertThatThrownBy(() -> ImageFormat.fromName("vdi"))
        .hasMessageContaining(
            "unknown image format 'vdi'; known: qcow2, raw, vmdk, vmdk-streamoptimized, vhdx, vpc");
  }
}
