package io.vmdna.hypervisor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.models.VmSample;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CpuSpeedFactorsTest {
  private static final CpuSpeedFactors FACTORS = CpuSpeedFactors.parse("fast=1.5, slow=0.8");

  private static final ImageRef DISK = new ImageRef("/img/vm.qcow2", ImageFormat.QCOW2);

  @Test
  void aVmShouldNeedTheSameReferenceMhzOnHostsOfDifferentSpeed() {
    // the same VM at 50 % of 2 vCPUs: on a 3,000 MHz host with factor 1.5 it uses 3,000 MHz
    // (4,500 reference MHz); the same work needs 2.25 vCPUs of a 2,500 MHz host with factor 0.8
    VmSample onFast = sample("fast", 2 * 3000, 3000, 50);
    VmSample onSlow = sample("slow", 4 * 2500, 5625, 56.25);

    assertThat(FACTORS.normalize(onFast).cpuUsageMhz()).isEqualTo(4500);
    assertThat(FACTORS.normalize(onSlow).cpuUsageMhz()).isEqualTo(4500);
    assertThat(FACTORS.normalize(onFast).cpuProvisionedMhz()).isEqualTo(9000);
    assertThat(FACTORS.normalize(onFast).cpuUsagePct())
        .as("a share of its own vCPUs")
        .isEqualTo(50);
    assertThat(FACTORS.normalize(sample("other", 1000, 100, 10)))
        .isEqualTo(sample("other", 1000, 100, 10));
  }

  @Test
  void shouldScaleEveryCpuFigureOfAHypervisorAndPassTheRestThrough() throws Exception {
    Fake fake = new Fake();
    Hypervisor h = FACTORS.applyTo(fake);

    HostInfo fast = h.hosts().get(0);
    assertThat(fast.cpuCapacityMhz()).isEqualTo(48_000);
    assertThat(fast.cpuUsedMhz()).isEqualTo(15_000);
    assertThat(fast.cpuTrendMhzPerHour()).isEqualTo(150);
    assertThat(fast.memCapacityKb()).as("memory is not CPU").isEqualTo(1024);
    assertThat(h.hosts().get(1).cpuCapacityMhz()).isEqualTo(0.8 * 32_000);
    assertThat(h.vms()).extracting(VmInfo::cpuProvisionedMhz).containsExactly(9000.0);
    assertThat(h.vm("vm").orElseThrow().cpuProvisionedMhz()).isEqualTo(9000);
    assertThat(h.vm("ghost")).isEmpty();
    assertThat(h.name()).isEqualTo("fake");
    assertThat(h.locate("vm")).contains("fast");
    assertThat(h.isHealthy("vm", "fast")).isTrue();
    assertThat(h.convertImage("m", "vm", ImageFormat.RAW)).isEqualTo(DISK);
    assertThat(h.imageExists(DISK)).isTrue();
    assertThat(h.deleteImage(DISK)).isTrue();
    assertThat(h.convertedImage("m")).contains(DISK);
    MigrationRequest r =
        new MigrationRequest("m", "vm", "fast", "slow", MigrationStrategy.LIVE, null, Map.of());
    assertThat(h.migrate(r).toHostId()).isEqualTo("slow");
    assertThat(h.migrateBack("m", "vm", "fast", DISK).toHostId()).isEqualTo("fast");
    assertThat(fake.calls)
        .containsExactly(
            "convertImage",
            "imageExists",
            "deleteImage",
            "convertedImage",
            "migrate",
            "migrateBack");
    ((AutoCloseable) h).close();
    assertThat(fake.closed).isTrue();

    assertThat(CpuSpeedFactors.none().applyTo(fake)).isSameAs(fake);
  }

  @Test
  void shouldScaleAFeedAndTravelSerialised() throws Exception {
    SampleFeedFactory feeds = new OneSample();
    SampleFeedFactory scaled = FACTORS.applyTo(feeds);

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(scaled);
    }
    SampleFeedFactory back;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (SampleFeedFactory) in.readObject();
    }
    SampleFeed feed = back.open();

    assertThat(feed.remainingSamples()).isEqualTo(1);
    assertThat(feed.nextStep()).extracting(VmSample::cpuUsageMhz).containsExactly(4500.0);
    assertThat(feed.remainingSamples()).isZero();
  }

  @Test
  void shouldNameTheEntryThatIsWrong() {
    assertThat(CpuSpeedFactors.parse(" ").factors()).isEmpty();
    assertThat(CpuSpeedFactors.parse("a=2").of("a")).isEqualTo(2);
    assertThat(CpuSpeedFactors.parse("a=2").of("b")).isEqualTo(1);
    assertThatThrownBy(() -> CpuSpeedFactors.parse("a=2,b"))
        .hasMessageContaining("'b' is not host=factor");
    assertThatThrownBy(() -> CpuSpeedFactors.parse("a=fast"))
        .hasMessageContaining("CPU speed factor of host 'a' must be a number > 0, was 'fast'");
    assertThatThrownBy(() -> CpuSpeedFactors.parse("a=0"))
        .hasMessageContaining("host 'a' must be a number > 0, was '0'");
    assertThatThrownBy(() -> CpuSpeedFactors.parse("a=1,a=2"))
        .hasMessageContaining("host 'a' is given twice");
    assertThatThrownBy(() -> new CpuSpeedFactors(Map.of("a", Double.NaN)))
        .hasMessageContaining("host 'a' must be a number > 0, was NaN");
  }

  private static VmSample sample(String host, double provisionedMhz, double usedMhz, double pct) {
    return new VmSample("vm", host, 0, 2, provisionedMhz, usedMhz, pct, 1024, 512, 1, 2, 3, 4);
  }

  /** A feed of one sample on the fast host (a named class: it must travel serialised). */
  private record OneSample() implements SampleFeedFactory {
    @Override
    public SampleFeed open() {
      return new SampleFeed() {
        private boolean done;

        @Override
        public List<VmSample> nextStep() {
          done = true;
          return List.of(sample("fast", 6000, 3000, 50));
        }

        @Override
        public long remainingSamples() {
          return done ? 0 : 1;
        }
      };
    }
  }

  /** A hypervisor with one fast and one slow host, recording the calls passed through. */
  private static final class Fake implements Hypervisor, AutoCloseable {
    final List<String> calls = new ArrayList<>();
    boolean closed;

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public List<HostInfo> hosts() {
      return List.of(
          new HostInfo("fast", 32_000, 1024, 10_000, 512, Set.of(ImageFormat.QCOW2), true, 1, 100),
          new HostInfo("slow", 32_000, 1024, 0, 0, Set.of(ImageFormat.RAW), true, 1, 0));
    }

    @Override
    public List<VmInfo> vms() {
      return List.of(new VmInfo("vm", "fast", 2, 6000, 1024, DISK, 1));
    }

    @Override
    public Optional<String> locate(String vmId) {
      return Optional.of("fast");
    }

    @Override
    public Optional<VmInfo> vm(String vmId) {
      return vms().stream().filter(v -> v.vmId().equals(vmId)).findFirst();
    }

    @Override
    public ImageRef convertImage(String migrationId, String vmId, ImageFormat targetFormat) {
      calls.add("convertImage");
      return DISK;
    }

    @Override
    public boolean deleteImage(ImageRef image) {
      calls.add("deleteImage");
      return true;
    }

    @Override
    public Optional<ImageRef> convertedImage(String migrationId) {
      calls.add("convertedImage");
      return Optional.of(DISK);
    }

    @Override
    public boolean imageExists(ImageRef image) {
      calls.add("imageExists");
      return true;
    }

    @Override
    public MigrationResult migrate(MigrationRequest request) {
      calls.add("migrate");
      return new MigrationResult("m", "vm", "fast", request.targetHostId(), 1, 1, 1, false);
    }

    @Override
    public MigrationResult migrateBack(
        String migrationId, String vmId, String sourceHostId, ImageRef sourceImage) {
      calls.add("migrateBack");
      return new MigrationResult("m", "vm", "slow", sourceHostId, 1, 1, 1, false);
    }

    @Override
    public boolean isHealthy(String vmId, String hostId) {
      return true;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
