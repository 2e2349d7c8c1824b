package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DoubleListTest {

  @Test
  void shouldEqualAnyListOfTheSameValuesAndRefuseWrites() {
    DoubleList d = DoubleList.owning(new double[] {0.25, -1.5, Double.NaN});

    assertThat(d).isEqualTo(List.of(0.25, -1.5, Double.NaN));
    assertThat(List.of(0.25, -1.5, Double.NaN)).isEqualTo(d);
    assertThat(d.hashCode()).isEqualTo(List.of(0.25, -1.5, Double.NaN).hashCode());
    assertThat(d.getDouble(1)).isEqualTo(-1.5);
    assertThatThrownBy(() -> d.set(0, 1.0)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> d.add(1.0)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void shouldCopyOtherListsAndKeepItsOwn() {
    DoubleList d = DoubleList.owning(new double[] {1, 2});
    assertThat(DoubleList.copyOf(d)).isSameAs(d);

    java.util.ArrayList<Double> mutable = new java.util.ArrayList<>(List.of(1.0, 2.0));
    DoubleList copy = DoubleList.copyOf(mutable);
    mutable.set(0, 9.0);
    assertThat(copy).containsExactly(1.0, 2.0);

    assertThatThrownBy(() -> DoubleList.copyOf(Arrays.asList(1.0, null)))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void shouldSurviveTheSerializerOfTheJobsDnaState() throws Exception {
    // given the serializer Flink picks for the profile's "dna" value state
    org.apache.flink.api.common.typeutils.TypeSerializer<VmDna> serializer =
        org.apache.flink.api.common.typeinfo.TypeInformation.of(VmDna.class)
            .createSerializer(new org.apache.flink.api.common.serialization.SerializerConfigImpl());
    VmDna dna = new VmDna(2, 1_375_304_400L, List.of(0.25, -1.5, 3.0), 0.75, Double.NaN);

    // when a DNA is written to a checkpoint and read back
    org.apache.flink.core.memory.DataOutputSerializer out =
        new org.apache.flink.core.memory.DataOutputSerializer(256);
    serializer.serialize(dna, out);
    VmDna back =
        serializer.deserialize(
            new org.apache.flink.core.memory.DataInputDeserializer(out.getCopyOfBuffer()));

    // then it is the same DNA, its embedding primitives again
    assertThat(back).isEqualTo(dna);
    assertThat(back.embeddingAt(1)).isEqualTo(-1.5);
    assertThat(serializer.copy(dna)).isEqualTo(dna);
  }

  @Test
  void shouldKeepAVmDnaImmutableWhateverListItWasGiven() {
    java.util.ArrayList<Double> given = new java.util.ArrayList<>(List.of(0.5, 0.75));
    VmDna dna = new VmDna(2, 0, given, 0.1, Double.NaN);
    given.set(0, 9.0);

    assertThat(dna.embedding()).containsExactly(0.5, 0.75);
    assertThat(dna.embeddingAt(1)).isEqualTo(0.75);
    assertThat(dna).isEqualTo(new VmDna(2, 0, List.of(0.5, 0.75), 0.1, Double.NaN));
  }
}
