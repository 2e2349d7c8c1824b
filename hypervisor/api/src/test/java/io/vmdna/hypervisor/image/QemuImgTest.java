package io.vmdna.hypervisor.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.hypervisor.api.HypervisorException;
import io.vmdna.hypervisor.api.ImageFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
      assertThat(info.virtualSizeBytes()).isEqualTo(8L << 20);
    }
    assertThat(dir.toFile().list()).noneMatch(n -> n.endsWith(".part"));
  }

  @Test
  void shouldReadAnImageARunningProcessHoldsOnlyWhenToldItIsInUse() throws Exception {
    Path qcow2 = dir.resolve("busy.qcow2");
    qemu.create(qcow2, ImageFormat.QCOW2, 8L << 20);
    // qemu-io holds the image's write lock as a running guest would
    Process holder =
        new ProcessBuilder("qemu-io", "-f", "qcow2", "-c", "sleep 20000", qcow2.toString())
            .redirectErrorStream(true)
            .start();
    try {
      Path locked = dir.resolve("locked.raw");
      long deadline = System.nanoTime() + 10_000_000_000L;
      boolean refused = false;
      while (!refused && System.nanoTime() < deadline) {
        try {
          qemu.convert(qcow2, ImageFormat.QCOW2, locked, ImageFormat.RAW);
          Files.deleteIfExists(locked);
          Thread.sleep(100); // the holder has not taken its lock yet
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
      holder.destroyForcibly().waitFor();
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

  @Test
  void formatNamesShouldRoundTripAndRejectUnknown() {
    for (ImageFormat f : ImageFormat.values()) {
      assertThat(ImageFormat.fromQemuName(f.qemuName())).isEqualTo(f);
    }
    assertThatThrownBy(() -> ImageFormat.fromQemuName("vhdx"))
        .hasMessageContaining("unknown image format 'vhdx'");
  }
}
