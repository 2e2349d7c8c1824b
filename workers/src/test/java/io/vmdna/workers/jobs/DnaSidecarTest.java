package io.vmdna.workers.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.api.ImageRef;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DnaSidecarTest {
  @TempDir Path dir;
  private final DnaSidecar sidecars = new DnaSidecar(new ObjectMapper());

  @Test
  void shouldWriteRewriteAndDeleteTheSidecarBesideTheImage() throws Exception {
    ImageRef image = new ImageRef(dir.resolve("vm-1.qcow2").toString(), ImageFormat.QCOW2);

    Path written =
        sidecars.write(
            image, "vm-1", "host-b", "m-1", DnaSidecar.State.CONVERTED, Map.of("cpuMean", 0.4));
    String first = Files.readString(written);
    sidecars.write(
        image, "vm-1", "host-b", "m-1", DnaSidecar.State.CONVERTED, Map.of("cpuMean", 0.4));

    assertThat(written).isEqualTo(dir.resolve("vm-1.qcow2.dna.json"));
    assertThat(first)
        .contains("\"vmId\" : \"vm-1\"")
        .contains("\"state\" : \"CONVERTED\"")
        .contains("\"cpuMean\" : 0.4");
    assertThat(Files.readString(written)).as("idempotent").isEqualTo(first);

    sidecars.write(image, "vm-1", "host-b", "m-1", DnaSidecar.State.MIGRATED, null);
    assertThat(Files.readString(written))
        .contains("\"state\" : \"MIGRATED\"")
        .contains("\"dna\" : { }");

    assertThat(sidecars.delete(image)).isTrue();
    assertThat(sidecars.delete(image)).as("idempotent").isFalse();
    assertThat(dir.toFile().list()).isEmpty();
  }

  @Test
  void shouldNameTheSidecarItCannotWriteAndLeaveNothingPartial() {
    ImageRef nowhere =
        new ImageRef(dir.resolve("missing-folder/vm-2.raw").toString(), ImageFormat.RAW);

    assertThatThrownBy(
            () ->
                sidecars.write(
                    nowhere, "vm-2", "host-a", "m-2", DnaSidecar.State.CONVERTED, Map.of()))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("cannot write the DNA sidecar " + nowhere.path() + ".dna.json");
    assertThat(dir.toFile().list()).isEmpty();
  }

  @Test
  void shouldNameTheSidecarItCannotDelete() throws Exception {
    ImageRef image = new ImageRef(dir.resolve("vm-3.qcow2").toString(), ImageFormat.QCOW2);
    // a non-empty folder where the sidecar should be cannot be deleted as a file
    Files.createDirectories(DnaSidecar.pathOf(image).resolve("x"));

    assertThatThrownBy(() -> sidecars.delete(image))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("cannot delete the DNA sidecar " + image.path() + ".dna.json");
  }
}
