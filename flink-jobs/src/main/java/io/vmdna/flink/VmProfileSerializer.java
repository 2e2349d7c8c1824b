package io.vmdna.flink;

import io.vmdna.models.forecast.Forecast;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer of {@link VmProfile}, written out field by field. Flink's POJO serializer
 * reads and writes a record's fields by reflection and deep-copies every profile between the
 * profile and forecast operators of a chain: JFR put the copy at 5.5 % and the writes to the host
 * operator at 5.4 % of the profile thread. A profile is deeply immutable (records, immutable lists,
 * and a feature row that nothing writes after the profile is made), so {@link #copy} hands the same
 * instance on, as Flink's own serializers do for strings.
 *
 * <p>Layout (version 1): vm id, host id (UTF), window end (long), the DNA (flag; schema, computed
 * at, the embedding's length and values, error score, one-class score), anomaly score, anomalous,
 * the detectors (count, UTF each), the forecast (flag; its ten fields), memory use, the model input
 * (flag; feature count and floats, provisioned MHz and KiB, horizon). Stateless; thread-safe.
 */
public final class VmProfileSerializer extends ImmutableSerializer<VmProfile> {
  private static final long serialVersionUID = 1L;

  /** The one instance. */
  public static final VmProfileSerializer INSTANCE = new VmProfileSerializer();

  @Override
  public void serialize(VmProfile p, DataOutputView out) throws IOException {
    out.writeUTF(p.vmId());
    out.writeUTF(p.hostId());
    out.writeLong(p.windowEndS());
    VmDna d = p.dna();
    out.writeBoolean(d != null);
    if (d != null) {
      out.writeInt(d.schemaVersion());
      out.writeLong(d.computedAtS());
      int n = d.embedding().size();
      out.writeInt(n);
      for (int i = 0; i < n; i++) {
        out.writeDouble(d.embeddingAt(i));
      }
      out.writeDouble(d.errorScore());
      out.writeDouble(d.oneClassScore());
    }
    out.writeDouble(p.anomalyScore());
    out.writeBoolean(p.anomalous());
    out.writeInt(p.anomalyDetectors().size());
    for (String s : p.anomalyDetectors()) {
      out.writeUTF(s);
    }
    Forecast f = p.forecast();
    out.writeBoolean(f != null);
    if (f != null) {
      out.writeLong(f.horizonS());
      out.writeDouble(f.cpuP50Mhz());
      out.writeDouble(f.cpuP90Mhz());
      out.writeDouble(f.cpuSigmaMhz());
      out.writeDouble(f.cpuP50Pct());
      out.writeDouble(f.cpuP90Pct());
      out.writeDouble(f.pExceed());
      out.writeDouble(f.thresholdPct());
      out.writeDouble(f.memP90Kb());
      out.writeDouble(f.netP90Kbps());
    }
    out.writeDouble(p.memUsageKb());
    ModelInput m = p.modelInput();
    out.writeBoolean(m != null);
    if (m != null) {
      out.writeInt(m.features().length);
      for (float v : m.features()) {
        out.writeFloat(v);
      }
      out.writeDouble(m.cpuProvisionedMhz());
      out.writeDouble(m.memProvisionedKb());
      out.writeLong(m.horizonS());
    }
  }

  @Override
  public VmProfile deserialize(DataInputView in) throws IOException {
    String vm = in.readUTF();
    String host = in.readUTF();
    long end = in.readLong();
    VmDna dna = null;
    if (in.readBoolean()) {
      int schema = in.readInt();
      long at = in.readLong();
      int n = length(in.readInt(), "DNA embedding");
      double[] e = new double[n];
      for (int i = 0; i < n; i++) {
        e[i] = in.readDouble();
      }
      // primitives, which the record keeps as they are (no box per number, no second copy)
      dna = new VmDna(schema, at, DoubleList.owning(e), in.readDouble(), in.readDouble());
    }
    double score = in.readDouble();
    boolean anomalous = in.readBoolean();
    int k = length(in.readInt(), "anomaly detectors");
    String[] detectors = new String[k];
    for (int i = 0; i < k; i++) {
      detectors[i] = in.readUTF();
    }
    Forecast f = null;
    if (in.readBoolean()) {
      f =
          new Forecast(
              in.readLong(),
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
    double mem = in.readDouble();
    ModelInput m = null;
    if (in.readBoolean()) {
      float[] x = new float[length(in.readInt(), "model input")];
      for (int i = 0; i < x.length; i++) {
        x[i] = in.readFloat();
      }
      m = new ModelInput(x, in.readDouble(), in.readDouble(), in.readLong());
    }
    return new VmProfile(vm, host, end, dna, score, anomalous, List.of(detectors), f, mem, m);
  }

  /** A count read from the stream, refused when negative or absurd (a corrupt or foreign input). */
  private static int length(int n, String what) throws IOException {
    if (n < 0 || n > 1 << 20) {
      throw new IOException("VM profile: %d entries in the %s".formatted(n, what));
    }
    return n;
  }

  @Override
  public TypeSerializerSnapshot<VmProfile> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The serializer's snapshot in checkpoints: no configuration, the layout is its version's. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<VmProfile> {
    /** For Flink's reflective instantiation on restore. */
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }

  /** The factory {@code @TypeInfo} on {@link VmProfile} names. */
  public static final class Factory extends TypeInfoFactory<VmProfile> {
    @Override
    public TypeInformation<VmProfile> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return new ImmutableTypeInfo<>(VmProfile.class, INSTANCE);
    }
  }
}
