package io.vmdna.hypervisor.api;

import java.io.Serializable;

/**
 * Opens a {@link SampleFeed} where it is used: a stream processor ships the factory (serialised) to
 * the task that polls, and the task opens its own connections there.
 *
 * <p>Implementations are immutable; {@link #open()} may be called once per task.
 */
@FunctionalInterface
public interface SampleFeedFactory extends Serializable {
  /** A new feed; the caller closes it when it is {@link AutoCloseable}. */
  SampleFeed open();
}
