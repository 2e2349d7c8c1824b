package io.vmdna.flink;

import io.vmdna.hypervisor.api.SampleFeed;
import io.vmdna.models.VmSample;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;

/** Builds the Flink source that replays an in-JVM {@link SampleFeed} at accelerated time. */
public final class FeedSource {
  private FeedSource() {}

  /** A pace at or above this is "as fast as it goes": no rate limiter at all. */
  public static final double UNPACED = 1e9;

  /**
   * A bounded source of every sample the feed still holds, paced at {@code samplesPerSecond}.
   *
   * @param feedName the feed's name in {@link InJvmFeeds} (registered before the job starts)
   * @param samplesPerSecond pace; e.g. VMs × steps per second for a fleet replay; {@link #UNPACED}
   *     or more for none (a limiter, even a generous one, hands every sample to another thread and
   *     caps a replay at a few tens of thousands of samples per second)
   */
  public static DataGeneratorSource<VmSample> of(String feedName, double samplesPerSecond) {
    SampleFeed feed = InJvmFeeds.get(feedName);
    if (!(samplesPerSecond > 0)) {
      throw new IllegalArgumentException("samplesPerSecond must be > 0, was " + samplesPerSecond);
    }
    return new DataGeneratorSource<>(
        new FeedSampleGenerator(feedName),
        feed.remainingSamples(),
        samplesPerSecond >= UNPACED
            ? RateLimiterStrategy.noOp()
            : RateLimiterStrategy.perSecond(samplesPerSecond),
        VmSampleSerializer.TYPE_INFO);
  }
}
