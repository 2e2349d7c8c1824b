package io.vmdna.flink;

import io.vmdna.models.anomaly.AnomalyEnsemble;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.CopyableValue;

/**
 * One VM's {@link AnomalyEnsemble} as Flink keyed state. A {@link CopyableValue}, so Flink
 * serializes it with the ensemble's own exact binary layout ({@link AnomalyEnsemble#write}) rather
 * than Kryo: a checkpoint holds a length and those bytes (about 85 KB per feature once a week of
 * statistics is kept), and a restored ensemble scores the following samples exactly as the lost one
 * would have.
 *
 * <p>With the heap state backend (the job's) the ensemble is kept as an object and updated in
 * place; it is written only at checkpoints and copied only while one is being taken. Not
 * thread-safe (keyed state: one task touches it).
 */
public final class AnomalyState implements CopyableValue<AnomalyState> {
  private static final long serialVersionUID = 1L;

  /** The ensemble, or null before the VM's first sample. */
  private AnomalyEnsemble ensemble;

  /** An empty state (for Flink's serializer). */
  public AnomalyState() {}

  /** A state holding {@code ensemble} (kept, not copied). */
  public AnomalyState(AnomalyEnsemble ensemble) {
    this.ensemble = ensemble;
  }

  /** The ensemble, or null before the VM's first sample. */
  public AnomalyEnsemble ensemble() {
    return ensemble;
  }

  @Override
  public void write(DataOutputView out) throws IOException {
    byte[] bytes = bytes(ensemble);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  @Override
  public void read(DataInputView in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      throw new IOException("anomaly state: negative length " + length);
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    ensemble = ensemble(bytes);
  }

  @Override
  public int getBinaryLength() {
    return -1; // variable
  }

  @Override
  public void copyTo(AnomalyState target) {
    try {
      target.ensemble = ensemble(bytes(ensemble));
    } catch (IOException e) {
      throw new UncheckedIOException("copying a VM's anomaly ensemble", e);
    }
  }

  @Override
  public AnomalyState copy() {
    AnomalyState c = new AnomalyState();
    copyTo(c);
    return c;
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    int length = source.readInt();
    target.writeInt(length);
    target.write(source, length);
  }

  private static byte[] bytes(AnomalyEnsemble e) throws IOException {
    if (e == null) {
      return new byte[0];
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream(64 * 1024);
    try (DataOutputStream out = new DataOutputStream(b)) {
      e.write(out);
    }
    return b.toByteArray();
  }

  private static AnomalyEnsemble ensemble(byte[] bytes) throws IOException {
    if (bytes.length == 0) {
      return null;
    }
    return AnomalyEnsemble.read(new DataInputStream(new ByteArrayInputStream(bytes)));
  }
}
