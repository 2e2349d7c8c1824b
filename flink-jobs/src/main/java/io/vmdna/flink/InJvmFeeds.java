package io.vmdna.flink;

import io.vmdna.hypervisor.api.SampleFeed;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands a {@link SampleFeed} living in this JVM (the simulated fleet) to Flink sources by name.
 *
 * <p>Flink serialises sources into the job graph, so a source cannot hold the fleet object itself;
 * it holds the name and looks the feed up when it opens. This works wherever the job runs in the
 * JVM that registered the feed: the embedded default and tests on a MiniCluster. On a cluster,
 * samples arrive from Kafka or hypervisor pollers instead. Thread-safe.
 */
public final class InJvmFeeds {
  private static final Map<String, SampleFeed> FEEDS = new ConcurrentHashMap<>();

  private InJvmFeeds() {}

  /** Registers a feed under a name, replacing any feed of that name. */
  public static void register(String name, SampleFeed feed) {
    FEEDS.put(name, feed);
  }

  /** Removes a feed. */
  public static void unregister(String name) {
    FEEDS.remove(name);
  }

  /**
   * Looks a feed up.
   *
   * @throws IllegalStateException naming the feed when nothing is registered under it
   */
  public static SampleFeed get(String name) {
    SampleFeed f = FEEDS.get(name);
    if (f == null) {
      throw new IllegalStateException(
          "no sample feed '%s' in this JVM (registered: %s); an in-JVM feed only works on a local MiniCluster"
              .formatted(name, FEEDS.keySet()));
    }
    return f;
  }
}
