package io.vmdna.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.hypervisor.api.HypervisorException;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.hypervisor.api.MigrationRequest;
import io.vmdna.hypervisor.api.MigrationStrategy;
import io.vmdna.hypervisor.image.QemuImg;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests refused before libvirt is asked (libvirt's test driver stands in for the hosts). */
class LibvirtHypervisorTest {
  @TempDir Path images;

  @Test
  void shouldWriteAndDeleteImagesOnlyUnderTheConvertedImageFolder() {
    try (LibvirtHypervisor hv =
        new LibvirtHypervisor(
            List.of(
                new LibvirtHypervisor.Host("a", "test:///default", null, Set.of(ImageFormat.QCOW2)),
                new LibvirtHypervisor.Host("b", "test:///default", null, Set.of(ImageFormat.RAW))),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            images,
            QemuImg.onPath())) {
      ImageRef elsewhere = new ImageRef("/var/lib/other/../../../etc/disk.raw", ImageFormat.RAW);

      assertThatThrownBy(
              () ->
                  hv.migrate(
                      new MigrationRequest(
                          "m", "test", "a", "b", MigrationStrategy.LIVE, elsewhere, Map.of())))
          .isInstanceOf(HypervisorException.class)
          .hasMessageContaining("refusing to migrate test onto /etc/disk.raw")
          .hasMessageContaining("not under the converted-image folder " + images);
      assertThatThrownBy(() -> hv.deleteImage(elsewhere))
          .hasMessageContaining("refusing to delete /etc/disk.raw");
    }
  }

  @Test
  void shouldRefuseAHostThatWouldRunGuestsFromAStreamOptimizedVmdk() {
    assertThatThrownBy(
            () ->
                new LibvirtHypervisor.Host(
                    "c",
                    "test:///default",
                    null,
                    Set.of(ImageFormat.QCOW2, ImageFormat.VMDK_STREAM_OPTIMIZED)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "host 'c': QEMU cannot run a guest from a vmdk-streamoptimized image");
  }
}
