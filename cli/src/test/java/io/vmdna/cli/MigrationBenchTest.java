package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationBenchTest {

  @Test
  void steadyStateLeavesOutTheRampAndTheDrain() {
    Instant t0 = Instant.parse("2026-11-22T10:00:00Z");
    List<Instant> ends = new ArrayList<>();
    // two slow at the start, 16 at 2 per second, two slow at the end (given out of order)
    for (int i = 0; i < 16; i++) {
      ends.add(t0.plusMillis(10_000 + 500L * i));
    }
    ends.add(t0.plusSeconds(29));
    ends.add(t0.plusSeconds(2));
    ends.add(t0.plusSeconds(6));
    ends.add(t0.plusSeconds(31));

    String report = MigrationBench.steadyState(t0, ends);

    // 10th percentile: the 3rd end (10.0 s), 90th: the 18th (17.5 s): 15 in 7.5 s
    assertThat(report)
        .contains(
            "steady state (10th to 90th percentile of end times): 15 in 7.5 s = 2.0 migrations/s")
        .contains("ended per 5 s from the first request: 1 1 10 6 0 1 1");
  }

  @Test
  void steadyStateNeedsTenMigrations() {
    Instant t0 = Instant.parse("2026-11-22T10:00:00Z");
    assertThat(MigrationBench.steadyState(t0, List.of(t0.plusSeconds(1), t0.plusSeconds(2))))
        .isEmpty();
  }

  @Test
  void driftComparesTheFirstAndTheLastTenthOfTheRequestsInTheOrderSent() {
    Instant t0 = Instant.parse("2026-11-22T10:00:00Z");
    java.util.Map<String, Instant> published = new java.util.HashMap<>();
    java.util.Map<String, Long> latency = new java.util.HashMap<>();
    // 20 requests one second apart whose latency grows by 100 ms each: a queue that grows;
    // the ids do not sort in the order sent
    for (int i = 0; i < 20; i++) {
      String id = "m" + (19 - i);
      published.put(id, t0.plusSeconds(i));
      latency.put(id, 1000L + 100L * i);
    }

    // first tenth: sent 0 and 1 (1000, 1100 ms), last tenth: sent 18 and 19 (2800, 2900 ms)
    assertThat(MigrationBench.drift(published, latency))
        .contains("request -> ended p50, first tenth of the requests 1000 ms, last tenth 2800 ms");
    assertThat(MigrationBench.drift(java.util.Map.of("a", t0), java.util.Map.of("a", 5L)))
        .isEmpty();
  }
}
