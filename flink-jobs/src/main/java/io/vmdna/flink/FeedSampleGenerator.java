package io.vmdna.flink;

import io.vmdna.hypervisor.api.SampleFeed;
import io.vmdna.models.VmSample;
import java.util.ArrayDeque;
import java.util.List;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * Pulls samples from an in-JVM {@link SampleFeed} one at a time for Flink's {@code
 * DataGeneratorSource}; the source's rate limiter paces the replay (accelerated time). Run the
 * source with parallelism 1: the feed is one ordered stream.
 */
final class FeedSampleGenerator implements GeneratorFunction<Long, VmSample> {
  private static final long serialVersionUID = 1L;

  private final String feedName;
  private transient SampleFeed feed;
  private transient ArrayDeque<VmSample> buffer;

  FeedSampleGenerator(String feedName) {
    this.feedName = feedName;
  }

  @Override
  public void open(SourceReaderContext readerContext) {
    feed = InJvmFeeds.get(feedName);
    buffer = new ArrayDeque<>();
  }

  @Override
  public VmSample map(Long index) {
    while (buffer.isEmpty()) {
      if (feed.remainingSamples() == 0) {
        throw new IllegalStateException(
            "feed '%s' ran dry at sample %d: the source's count must equal the feed's samples"
                .formatted(feedName, index));
      }
      List<VmSample> step = feed.nextStep();
      buffer.addAll(step);
    }
    return buffer.poll();
  }
}
