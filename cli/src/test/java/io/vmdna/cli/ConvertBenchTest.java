package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.hypervisor.api.ImageFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./vmdna bench-convert} on a small image with the real qemu-img. */
class ConvertBenchTest {
  @Test
  void shouldTimeEveryFormatEachWayAndCleanUp(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Map<ImageFormat, ConvertBench.Row> rows =
        new ConvertBench(dir, 16, 8, 1).run(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    assertThat(rows.keySet()).containsExactly(ImageFormat.values());
    assertThat(rows.values())
        .allSatisfy(
            r -> {
              assertThat(r.byHand()).isPositive();
              assertThat(r.wrapper()).isPositive();
              assertThat(r.verified()).isPositive();
            });
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains(
            "| to | qemu-img by hand | vmdna | overhead |",
            "| vhdx |",
            "| vmdk |",
            "| vmdk-streamoptimized |");
    try (var left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void shouldRejectImpossibleSizes(@TempDir Path dir) {
    assertThatThrownBy(() -> new ConvertBench(dir, 16, 32, 1).run(System.out))
        .hasMessageContaining("0 <= --data-mib <= --size-mib, were 1, 32, 16");
    assertThatThrownBy(() -> Vmdna.benchConvert(new String[] {"bench-convert", "--rounds", "many"}))
        .hasMessageContaining("--rounds needs a number, got 'many'");
  }
}
