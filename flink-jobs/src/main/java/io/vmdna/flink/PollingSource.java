package io.vmdna.flink;

import io.vmdna.hypervisor.api.SampleFeed;
import io.vmdna.hypervisor.api.SampleFeedFactory;
import io.vmdna.models.VmSample;
import java.time.Duration;
import java.util.ArrayDeque;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * The job polling hypervisors itself, without Kafka: a source that opens a {@link SampleFeed} in
 * its task (from a serialisable {@link SampleFeedFactory}, e.g. {@code
 * LibvirtSampleFeed.factory(...)}) and polls it once per interval, emitting each poll's samples.
 * For a job on one machine; a cluster reads the collector's Kafka topic instead (the Flink image
 * has no libvirt client library). Run it at parallelism 1: the feed is one ordered stream.
 */
public final class PollingSource {
  private PollingSource() {}

  /**
   * A source polling {@code feeds} every {@code interval}, for at most {@code maxSamples} samples
   * (in practice: until the job is cancelled).
   */
  public static DataGeneratorSource<VmSample> of(
      SampleFeedFactory feeds, Duration interval, long maxSamples) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("poll interval must be > 0, was " + interval);
    }
    return new DataGeneratorSource<>(
        new Generator(feeds, interval.toMillis()),
        maxSamples,
        RateLimiterStrategy.noOp(),
        VmSampleSerializer.TYPE_INFO);
  }

  /** Polls when its buffer is empty and the interval since the last poll has passed. */
  static final class Generator implements GeneratorFunction<Long, VmSample> {
    private static final long serialVersionUID = 1L;
    private final SampleFeedFactory feeds;
    private final long intervalMs;
    private transient SampleFeed feed;
    private transient ArrayDeque<VmSample> buffer;
    private transient long nextPollAtMs;

    Generator(SampleFeedFactory feeds, long intervalMs) {
      this.feeds = feeds;
      this.intervalMs = intervalMs;
    }

    @Override
    public void open(SourceReaderContext readerContext) {
      feed = feeds.open();
      buffer = new ArrayDeque<>();
      nextPollAtMs = System.currentTimeMillis();
    }

    @Override
    public VmSample map(Long index) throws Exception {
      while (buffer.isEmpty()) {
        long wait = nextPollAtMs - System.currentTimeMillis();
        if (wait > 0) {
          Thread.sleep(wait);
        }
        nextPollAtMs += intervalMs;
        buffer.addAll(feed.nextStep());
      }
      return buffer.poll();
    }

    @Override
    public void close() throws Exception {
      if (feed instanceof AutoCloseable c) {
        c.close();
      }
    }
  }
}
