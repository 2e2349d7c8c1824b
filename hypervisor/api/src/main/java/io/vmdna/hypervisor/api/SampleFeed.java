package io.vmdna.hypervisor.api;

import io.vmdna.models.VmSample;
import java.util.List;

/**
 * A pull-based stream of {@link VmSample}s, one simulated or polled step at a time, each sample
 * tagged with the host the VM runs on when sampled. Sources (Flink) pull from it.
 *
 * <p>Implementations are thread-safe.
 */
public interface SampleFeed {
  /**
   * Advances one step and returns the samples of that step (possibly none, when every VM has a gap
   * there). Returns an empty list once {@link #remainingSamples()} is 0.
   */
  List<VmSample> nextStep();

  /** Samples still to come; 0 when the feed is exhausted. */
  long remainingSamples();
}
