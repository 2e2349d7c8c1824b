package io.vmdna.flink;

import io.vmdna.models.VmSample;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Flink's serializer of {@link VmSample}, written out field by field. {@code VmSample} lives in
 * {@code models}, which does not depend on Flink, so the job names this serializer's type
 * information ({@link #TYPE_INFO}) wherever samples enter it: the sources and the validation that
 * follows them. Flink's POJO serializer reads and writes a record's fields by reflection and
 * deep-copies every sample from the source to the chained validation: JFR put the reflective field
 * access and the copy at about 40 % of the source thread, and the reads at 7 % of the profile
 * thread. A sample is immutable (a record of strings and numbers), so {@link #copy} hands the same
 * instance on.
 *
 * <p>Layout (version 1): vm id and host id (Flink's string encoding; null allowed, as a bad sample
 * may carry one to the validation), time (long), cores (int), then the eleven doubles in the
 * record's order. Stateless; thread-safe.
 */
public final class VmSampleSerializer extends ImmutableSerializer<VmSample> {
  private static final long serialVersionUID = 1L;

  /** The one instance. */
  public static final VmSampleSerializer INSTANCE = new VmSampleSerializer();

  /** The type information that makes Flink use {@link #INSTANCE}. */
  public static final TypeInformation<VmSample> TYPE_INFO =
      new ImmutableTypeInfo<>(VmSample.class, INSTANCE);

  @Override
  public void serialize(VmSample s, DataOutputView out) throws IOException {
    StringValue.writeString(s.vmId(), out);
    StringValue.writeString(s.hostId(), out);
    out.writeLong(s.timestampS());
    out.writeInt(s.cpuCores());
    out.writeDouble(s.cpuProvisionedMhz());
    out.writeDouble(s.cpuUsageMhz());
    out.writeDouble(s.cpuUsagePct());
    out.writeDouble(s.memProvisionedKb());
    out.writeDouble(s.memUsageKb());
    out.writeDouble(s.diskReadKbps());
    out.writeDouble(s.diskWriteKbps());
    out.writeDouble(s.netRxKbps());
    out.writeDouble(s.netTxKbps());
    out.writeDouble(s.majorFaultsPerS());
    out.writeDouble(s.swapKbps());
  }

  @Override
  public VmSample deserialize(DataInputView in) throws IOException {
    return new VmSample(
        StringValue.readString(in),
        StringValue.readString(in),
        in.readLong(),
        in.readInt(),
        in.readDouble(),
        in.readDouble(),
        in.readDouble(),
        in.readDouble(),
        in.readDouble(),
        in.readDouble(),
        in.readDouble(),
        in.readDouble(),
        in.readDouble(),
        in.readDouble(),
        in.readDouble());
  }

  @Override
  public TypeSerializerSnapshot<VmSample> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The serializer's snapshot in checkpoints: no configuration, the layout is its version's. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<VmSample> {
    /** For Flink's reflective instantiation on restore. */
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
