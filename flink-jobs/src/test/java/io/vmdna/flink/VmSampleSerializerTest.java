package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.hypervisor.api.SampleFeed;
import io.vmdna.models.VmSample;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

class VmSampleSerializerTest {
  private static final VmSample FULL =
      new VmSample(
          "vm-7",
          "host-a",
          1_375_315_200L,
          4,
          10_400,
          2_080,
          20,
          8_388_608,
          4_194_304,
          12.5,
          3.25,
          100,
          50,
          0.5,
          7);

  private static final VmSample ABSENT =
      new VmSample(null, "", 0, 0, 0, 0, Double.NaN, 0, 0, 0, 0, 0, 0);

  private static byte[] write(VmSample s) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(128);
    VmSampleSerializer.INSTANCE.serialize(s, out);
    return out.getCopyOfBuffer();
  }

  private static VmSample read(byte[] b) throws IOException {
    return VmSampleSerializer.INSTANCE.deserialize(new DataInputDeserializer(b));
  }

  @Test
  void shouldReadBackEveryFieldNullIdsAndNaNsIncluded() throws IOException {
    assertThat(read(write(FULL))).isEqualTo(FULL);
    // a bad sample (no VM id, NaN CPU, absent memory access metrics) reaches the validation as is
    VmSample absent = read(write(ABSENT));
    assertThat(absent).isEqualTo(ABSENT);
    assertThat(absent.vmId()).isNull();
    assertThat(absent.majorFaultsPerS()).isNaN();
  }

  @Test
  void shouldHandTheSameSampleOnAndCopyBytesAsTheyAre() throws IOException {
    TypeSerializer<VmSample> s = VmSampleSerializer.INSTANCE;
    assertThat(s.copy(FULL)).isSameAs(FULL);
    assertThat(s.copy(FULL, ABSENT)).isSameAs(FULL);
    assertThat(s.isImmutableType()).isTrue();

    byte[] b = write(FULL);
    DataOutputSerializer out = new DataOutputSerializer(128);
    s.copy(new DataInputDeserializer(b), out);
    assertThat(out.getCopyOfBuffer()).isEqualTo(b);
  }

  @Test
  void aTruncatedInputShouldFail() throws IOException {
    byte[] b = write(FULL);
    assertThatThrownBy(() -> read(java.util.Arrays.copyOf(b, b.length - 3)))
        .isInstanceOf(EOFException.class);
  }

  @Test
  void itsSnapshotShouldRestoreItAsCompatible() throws IOException {
    TypeSerializerSnapshot<VmSample> snap = VmSampleSerializer.INSTANCE.snapshotConfiguration();
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, snap);

    TypeSerializerSnapshot<VmSample> restored =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

    assertThat(restored.restoreSerializer()).isSameAs(VmSampleSerializer.INSTANCE);
    assertThat(
            VmSampleSerializer.INSTANCE
                .snapshotConfiguration()
                .resolveSchemaCompatibility(restored)
                .isCompatibleAsIs())
        .isTrue();
  }

  @Test
  void theJobShouldWriteSamplesWithItFromTheSourceToTheProfile() {
    String feed = "serializer-" + System.nanoTime();
    InJvmFeeds.register(
        feed,
        new SampleFeed() {
          @Override
          public List<VmSample> nextStep() {
            return List.of();
          }

          @Override
          public long remainingSamples() {
            return 0;
          }
        });
    try {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(2);
      new DnaProfilerJob(
              FeedSource.of(feed, FeedSource.UNPACED),
              new DiscardingSink<>(),
              ProfilerConfig.defaults(Map.of("host-a", 10_000.0)))
          .build(env);
      List<StreamNode> nodes = List.copyOf(env.getStreamGraph().getStreamNodes());

      StreamNode validate = named(nodes, "validate samples");
      StreamNode profile = named(nodes, "DNA, baseline and forecast per VM");
      // the source's output, chained into the validation, and the validation's, over the network
      assertThat(validate.getTypeSerializersIn()[0]).isSameAs(VmSampleSerializer.INSTANCE);
      assertThat(profile.getTypeSerializersIn()[0]).isSameAs(VmSampleSerializer.INSTANCE);
    } finally {
      InJvmFeeds.unregister(feed);
    }
  }

  private static StreamNode named(List<StreamNode> nodes, String prefix) {
    return nodes.stream()
        .filter(n -> n.getOperatorName().startsWith(prefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no operator named " + prefix + "… in " + nodes));
  }
}
