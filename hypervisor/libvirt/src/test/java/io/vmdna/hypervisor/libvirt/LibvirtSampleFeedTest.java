package io.vmdna.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.models.VmSample;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LibvirtSampleFeedTest {
  private static LibvirtInventory host(String id, String uri) {
    return new LibvirtInventory(id, uri, Duration.ofSeconds(5), Set.of(ImageFormat.QCOW2));
  }

  @Test
  void shouldSampleEveryAnsweringHostAndSkipOneThatDoesNotAnswer() throws Exception {
    // given two test-driver hosts and one whose daemon is gone
    String file = "test://" + Path.of("src/test/resources/test-host.xml").toAbsolutePath();
    try (LibvirtSampleFeed feed =
        new LibvirtSampleFeed(
            List.of(
                host("h1", file),
                host("dead", "qemu+unix:///system?socket=/nonexistent/sock"),
                host("h2", "test:///default")))) {
      // when
      assertThat(feed.nextStep()).isEmpty(); // the first poll primes the counters
      Thread.sleep(50);
      List<VmSample> step = feed.nextStep();

      // then
      assertThat(step).extracting(VmSample::hostId).contains("h1", "h2").doesNotContain("dead");
      assertThat(step)
          .filteredOn(s -> s.hostId().equals("h1"))
          .extracting(VmSample::vmId)
          .containsExactlyInAnyOrder("vm-a", "vm-b");
      assertThat(feed.unavailableHosts()).containsOnlyKeys("dead");
      assertThat(feed.unavailableHosts().get("dead")).contains("poll: host dead did not answer");
      assertThat(feed.remainingSamples()).isEqualTo(Long.MAX_VALUE);
    }
  }
}
