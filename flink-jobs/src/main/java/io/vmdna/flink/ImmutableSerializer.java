package io.vmdna.flink;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * What a hand-written serializer of an immutable type shares ({@link VmProfileSerializer}, {@link
 * VmSampleSerializer}): {@link #copy} hands the same instance on, as Flink's own serializers do for
 * strings, there is no instance to reuse, and a byte copy goes through a read and a write.
 * Subclasses write and read the fields and name their snapshot. Stateless; thread-safe.
 *
 * @param <T> the immutable type
 */
public abstract class ImmutableSerializer<T> extends TypeSerializerSingleton<T> {
  private static final long serialVersionUID = 1L;

  @Override
  public final boolean isImmutableType() {
    return true;
  }

  /** Null: the type is immutable, there is nothing to reuse. */
  @Override
  public final T createInstance() {
    return null;
  }

  @Override
  public final T copy(T from) {
    return from;
  }

  @Override
  public final T copy(T from, T reuse) {
    return from;
  }

  @Override
  public final int getLength() {
    return -1;
  }

  @Override
  public final T deserialize(T reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public final void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }
}
