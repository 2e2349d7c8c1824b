package io.vmdna.models.trace;

import io.vmdna.models.VmSample;
import java.nio.file.Path;
import java.util.List;

/**
 * One VM's trace as read from a file: its samples in time order and the lines that were skipped.
 *
 * @param vmId the VM id (file name without extensions)
 * @param file where it was read from
 * @param samples valid samples, sorted by timestamp, duplicate timestamps removed (the last row in
 *     the file kept)
 * @param skipped lines that were skipped, with file, line number and reason
 */
public record VmTrace(String vmId, Path file, List<VmSample> samples, List<SkippedLine> skipped) {
  /** Makes defensive, unmodifiable copies. */
  public VmTrace {
    samples = List.copyOf(samples);
    skipped = List.copyOf(skipped);
  }
}
