package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.hypervisor.libvirt.LibvirtSampleFeed;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job polling a libvirt host itself (libvirt's test driver, {@code test:///default}: one
 * running domain), on a real MiniCluster: the source opens its connection in the task and polls
 * once per interval.
 */
class PollingSourceIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @Test
  void shouldProfileWhatThePolledHostReportsOncePerInterval() throws Exception {
    // five samples: the first poll primes the counters, each later poll gives the one domain
    var source =
        PollingSource.of(
            LibvirtSampleFeed.factory(Map.of("lab", "test:///default"), Duration.ofSeconds(5)),
            Duration.ofMillis(300),
            5);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    long t0 = System.nanoTime();

    DnaProfilerJob.Counters c =
        DnaProfilerJob.Counters.of(
            new DnaProfilerJob(
                    source,
                    new CollectingSink("polling"),
                    ProfilerConfig.defaults(Map.of("lab", 10_000.0)))
                .execute(env));

    assertThat(c.samples()).isEqualTo(5);
    assertThat(c.vms()).isEqualTo(1);
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .as("six polls, 300 ms apart")
        .isGreaterThanOrEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void shouldRefuseABadIntervalAndAnEmptyHostList() {
    assertThatThrownBy(() -> PollingSource.of(() -> null, Duration.ZERO, 1))
        .hasMessageContaining("poll interval must be > 0");
    assertThatThrownBy(() -> LibvirtSampleFeed.factory(Map.of(), Duration.ofSeconds(1)))
        .hasMessageContaining("at least one host");
  }
}
