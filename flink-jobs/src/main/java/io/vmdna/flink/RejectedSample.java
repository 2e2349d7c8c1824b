package io.vmdna.flink;

import io.vmdna.models.SampleCheck;
import io.vmdna.models.VmSample;

/**
 * A sample the profiler did not use, and why: sent to the job's side output for rejected samples.
 *
 * @param sample the sample as it arrived
 * @param reason the rejection reason ({@link SampleCheck.Reason}) or {@code LATE}
 * @param detail what was wrong
 */
public record RejectedSample(VmSample sample, String reason, String detail) {
  /** The reason of a sample older than the watermark. */
  public static final String LATE = "LATE";
}
