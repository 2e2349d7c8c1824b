package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.models.forecast.Forecast;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class VmProfileSerializerTest {
  private static final VmProfile FULL =
      new VmProfile(
          "vm-7",
          "host-a",
          1_375_315_200L,
          new VmDna(2, 1_375_304_400L, List.of(0.25, -1.5, Double.NaN), 0.75, Double.NaN),
          0.93,
          true,
          List.of("spike@cpu_pct", "ewma@cpu_mhz"),
          new Forecast(1_800, 2_000, 2_600, 470, 40, 52, 0.12, 80, 3.2e6, 512),
          4_194_304,
          new ModelInput(new float[] {1.5f, Float.NaN, -3}, 10_400, 8_388_608, 1_800));

  private static final VmProfile BARE =
      new VmProfile("vm-8", "", 0, null, 0, false, List.of(), null, 0, null);

  private static byte[] write(VmProfile p) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    VmProfileSerializer.INSTANCE.serialize(p, out);
    return out.getCopyOfBuffer();
  }

  private static VmProfile read(byte[] b) throws IOException {
    return VmProfileSerializer.INSTANCE.deserialize(new DataInputDeserializer(b));
  }

  @Test
  void flinkShouldUseItWhereverAProfileGoes() {
    TypeInformation<VmProfile> info = TypeInformation.of(VmProfile.class);

    assertThat(info).isInstanceOf(ImmutableTypeInfo.class);
    assertThat(info.createSerializer(new SerializerConfigImpl()))
        .isSameAs(VmProfileSerializer.INSTANCE);
  }

  @Test
  void shouldReadBackEveryFieldWithOrWithoutTheOptionalParts() throws IOException {
    VmProfile full = read(write(FULL));
    // records compare their components (NaN equal to NaN), arrays by identity: the row apart
    assertThat(full.withForecast(full.forecast())).isEqualTo(FULL.withForecast(FULL.forecast()));
    assertThat(full.modelInput().features()).containsExactly(FULL.modelInput().features());
    assertThat(full.modelInput().cpuProvisionedMhz()).isEqualTo(10_400);
    assertThat(full.modelInput().memProvisionedKb()).isEqualTo(8_388_608);
    assertThat(full.modelInput().horizonS()).isEqualTo(1_800);

    assertThat(read(write(BARE))).isEqualTo(BARE);
  }

  @Test
  void shouldHandTheSameProfileOnAndCopyBytesAsTheyAre() throws IOException {
    TypeSerializer<VmProfile> s = VmProfileSerializer.INSTANCE;
    assertThat(s.copy(FULL)).isSameAs(FULL);
    assertThat(s.copy(FULL, BARE)).isSameAs(FULL);
    assertThat(s.isImmutableType()).isTrue();

    byte[] b = write(FULL);
    DataOutputSerializer out = new DataOutputSerializer(256);
    s.copy(new DataInputDeserializer(b), out);
    assertThat(out.getCopyOfBuffer()).isEqualTo(b);
  }

  @Test
  void aCorruptInputShouldFailSayingWhat() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    out.writeUTF("vm-1");
    out.writeUTF("h");
    out.writeLong(0);
    out.writeBoolean(true); // a DNA
    out.writeInt(2);
    out.writeLong(0);
    out.writeInt(-3); // its embedding's length

    assertThatThrownBy(() -> read(out.getCopyOfBuffer()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("-3 entries in the DNA embedding");
    assertThatThrownBy(() -> read(new byte[] {0, 4, 'v', 'm'}))
        .isInstanceOf(java.io.EOFException.class);
  }

  @Test
  void itsSnapshotShouldRestoreItAsCompatible() throws IOException {
    TypeSerializerSnapshot<VmProfile> snap = VmProfileSerializer.INSTANCE.snapshotConfiguration();
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, snap);

    TypeSerializerSnapshot<VmProfile> restored =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

    assertThat(restored.restoreSerializer()).isSameAs(VmProfileSerializer.INSTANCE);
    assertThat(
            VmProfileSerializer.INSTANCE
                .snapshotConfiguration()
                .resolveSchemaCompatibility(restored)
                .isCompatibleAsIs())
        .isTrue();
  }
}
