package io.vmdna.hypervisor.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.hypervisor.api.HypervisorException;
import io.vmdna.hypervisor.api.ImageFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache with the real qemu-img. */
class ConversionCacheTest {
  @TempDir Path dir;
  private final QemuImg qemu = QemuImg.onPath();

  private Path image(String name, int fill) throws Exception {
    Path p = dir.resolve(name + ".qcow2");
    qemu.create(p, ImageFormat.QCOW2, 8L << 20);
    Process io =
        new ProcessBuilder(
                "qemu-io", "-f", "qcow2", "-c", "write -P " + fill + " 0 1M", p.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(io.waitFor()).isZero();
    return p;
  }

  @Test
  void shouldConvertEachContentOnceAndFormatApart() throws Exception {
    ConversionCache cache = new ConversionCache(dir.resolve("cache"), 8, qemu);
    Path a = image("a", 0x11);
    Path first = cache.converted(a, ImageFormat.QCOW2, ImageFormat.RAW, false);
    long converted = Files.getLastModifiedTime(first).toMillis();
    assertThat(qemu.sameContent(a, ImageFormat.QCOW2, first, ImageFormat.RAW)).isTrue();

    Path copyOfA = Files.copy(a, dir.resolve("copy-of-a.qcow2"));
    Path again = cache.converted(copyOfA, ImageFormat.QCOW2, ImageFormat.RAW, false);
    assertThat(again).isEqualTo(first);
    assertThat(cache.hits()).isEqualTo(1);
    assertThat(cache.misses()).isEqualTo(1);
    assertThat(Files.getLastModifiedTime(again).toMillis()).isGreaterThanOrEqualTo(converted);

    Path vhdx = cache.converted(a, ImageFormat.QCOW2, ImageFormat.VHDX, false);
    Path other = cache.converted(image("b", 0x22), ImageFormat.QCOW2, ImageFormat.RAW, false);
    assertThat(List.of(first, vhdx, other)).doesNotHaveDuplicates();
    assertThat(cache.misses()).isEqualTo(3);
    assertThat(qemu.sameContent(a, ImageFormat.QCOW2, other, ImageFormat.RAW)).isFalse();
  }

  @Test
  void shouldKeepOnlyTheMostRecentlyUsedEntries() throws Exception {
    ConversionCache cache = new ConversionCache(dir.resolve("cache"), 2, qemu);
    Path a = cache.converted(image("a", 1), ImageFormat.QCOW2, ImageFormat.RAW, false);
    Path b = cache.converted(image("b", 2), ImageFormat.QCOW2, ImageFormat.RAW, false);
    Files.setLastModifiedTime(b, java.nio.file.attribute.FileTime.fromMillis(1_000));
    Path c = cache.converted(image("c", 3), ImageFormat.QCOW2, ImageFormat.RAW, false);
    assertThat(a).exists();
    assertThat(b).doesNotExist(); // the least recently used
    assertThat(c).exists();
  }

  @Test
  void concurrentConversionsOfOneContentShouldConvertOnce() throws Exception {
    ConversionCache cache = new ConversionCache(dir.resolve("cache"), 8, qemu);
    Path a = image("a", 7);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Path>> all = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        all.add(pool.submit(() -> cache.converted(a, ImageFormat.QCOW2, ImageFormat.RAW, false)));
      }
      for (Future<Path> f : all) {
        assertThat(f.get()).isEqualTo(all.getFirst().get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(cache.misses()).isEqualTo(1);
    assertThat(cache.hits()).isEqualTo(3);
  }

  @Test
  void shouldNameWhatCannotBeReadOrConvertedAndKeepNothing() throws Exception {
    ConversionCache cache = new ConversionCache(dir.resolve("cache"), 8, qemu);
    assertThatThrownBy(
            () ->
                cache.converted(
                    dir.resolve("missing.qcow2"), ImageFormat.QCOW2, ImageFormat.RAW, false))
        .isInstanceOf(HypervisorException.class)
        .hasMessageContaining("missing.qcow2");
    Path notQcow2 = Files.writeString(dir.resolve("text.qcow2"), "not an image");
    assertThatThrownBy(() -> cache.converted(notQcow2, ImageFormat.QCOW2, ImageFormat.RAW, false))
        .isInstanceOf(HypervisorException.class)
        .hasMessageContaining("text.qcow2");
    try (var left = Files.list(dir.resolve("cache"))) {
      assertThat(left).isEmpty();
    }
    assertThatThrownBy(() -> new ConversionCache(dir, 0, qemu))
        .hasMessageContaining("at least 1 entry, was 0");
    assertThat(cache.misses()).isZero();
  }

  @Test
  void hashShouldFollowTheBytes() throws Exception {
    Path a = image("a", 5);
    assertThat(ConversionCache.sha256(a))
        .isEqualTo(ConversionCache.sha256(Files.copy(a, dir.resolve("b.qcow2"))))
        .hasSize(64)
        .isNotEqualTo(ConversionCache.sha256(image("c", 6)));
  }
}
