package io.vmdna.flink;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type information of an immutable type written by a hand-written serializer singleton
 * ({@link VmProfileSerializer}, {@link VmSampleSerializer}): Flink's POJO serializer would read and
 * write the fields by reflection and deep-copy every record between chained operators. Equal when
 * the type and the serializer's class are. Immutable; thread-safe.
 *
 * @param <T> the type
 */
public final class ImmutableTypeInfo<T> extends TypeInformation<T> {
  private static final long serialVersionUID = 1L;

  private final Class<T> type;
  private final TypeSerializer<T> serializer;

  /**
   * @param type the type's class
   * @param serializer its serializer (stateless: every use gets this instance)
   */
  public ImmutableTypeInfo(Class<T> type, TypeSerializer<T> serializer) {
    this.type = type;
    this.serializer = serializer;
  }

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<T> getTypeClass() {
    return type;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<T> createSerializer(SerializerConfig config) {
    return serializer;
  }

  @Override
  public String toString() {
    return type.getSimpleName()
        + " (field by field, "
        + serializer.getClass().getSimpleName()
        + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImmutableTypeInfo<?> other
        && other.type == type
        && other.serializer.getClass() == serializer.getClass();
  }

  @Override
  public int hashCode() {
    return type.hashCode() * 31 + serializer.getClass().hashCode();
  }

  @Override
  public boolean canEqual(Object o) {
    return o instanceof ImmutableTypeInfo<?>;
  }
}
