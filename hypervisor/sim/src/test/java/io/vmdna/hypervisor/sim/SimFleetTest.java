package io.vmdna.hypervisor.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vmdna.hypervisor.api.HostInfo;
import io.vmdna.hypervisor.api.HypervisorException;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.hypervisor.api.MigrationRequest;
import io.vmdna.hypervisor.api.MigrationResult;
import io.vmdna.hypervisor.api.MigrationStrategy;
import io.vmdna.hypervisor.image.QemuImg;
import io.vmdna.models.VmSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulated fleet on the bundled demo extract, with real qemu-img. */
class SimFleetTest {
  private static final Path DATA = Path.of("../../data/bitbrains-demo");
  @TempDir Path images;
  private SimFleet fleet;

  @BeforeEach
  void load() {
    fleet =
        SimFleet.load(DATA, FleetSpec.read(DATA.resolve("fleet.csv")), images, QemuImg.onPath());
  }

  private double cpuOf(String host) {
    return fleet.hosts().stream()
        .filter(h -> h.hostId().equals(host))
        .mapToDouble(HostInfo::cpuUsedMhz)
        .sum();
  }

  private MigrationRequest request(String id, String vm, String from, String to, ImageRef image) {
    return new MigrationRequest(id, vm, from, to, MigrationStrategy.LIVE, image, Map.of());
  }

  @Test
  void shouldReplayStepsTaggedWithTheVmsHost() {
    assertThat(fleet.remainingSamples()).isEqualTo(12 * 289L);
    long t0 = fleet.nowS();

    List<VmSample> step = fleet.nextStep();

    assertThat(step).hasSize(12);
    assertThat(step).allMatch(s -> s.timestampS() >= t0 && s.timestampS() < t0 + SimFleet.STEP_S);
    assertThat(step)
        .filteredOn(s -> s.vmId().equals("47"))
        .extracting(VmSample::hostId)
        .containsExactly("host-a");
    assertThat(fleet.nowS()).isEqualTo(t0 + SimFleet.STEP_S);
    assertThat(fleet.remainingSamples()).isEqualTo(12 * 289L - 12);
    assertThat(cpuOf("host-a"))
        .isCloseTo(
            step.stream()
                .filter(s -> s.hostId().equals("host-a"))
                .mapToDouble(VmSample::cpuUsageMhz)
                .sum(),
            within(1e-6));
  }

  @Test
  void shouldMoveTheVmsLoadWithAMigrationAndBackIdempotently() throws IOException {
    fleet.nextStep();
    double vmCpu =
        fleet.nextStep().stream()
            .filter(s -> s.vmId().equals("9"))
            .findFirst()
            .orElseThrow()
            .cpuUsageMhz();
    double before = cpuOf("host-c");
    double beforeB = cpuOf("host-b");
    ImageRef original = fleet.vm("9").orElseThrow().image();

    ImageRef converted = fleet.convertImage("m1", "9", ImageFormat.QCOW2);
    assertThat(fleet.convertImage("m1", "9", ImageFormat.QCOW2)).isEqualTo(converted);
    assertThat(QemuImg.onPath().info(Path.of(converted.path())).format())
        .isEqualTo(ImageFormat.QCOW2);
    MigrationResult r = fleet.migrate(request("m1", "9", "host-b", "host-c", converted));

    assertThat(r.fromHostId()).isEqualTo("host-b");
    assertThat(r.downtimeMs()).isPositive();
    assertThat(fleet.locate("9")).contains("host-c");
    assertThat(cpuOf("host-c")).isCloseTo(before + vmCpu, within(1e-6));
    // the view follows the move at once (the VM's use taken from one host, added to the other)
    assertThat(cpuOf("host-b")).isCloseTo(beforeB - vmCpu, within(1e-6));
    assertThat(fleet.migrate(request("m1", "9", "host-b", "host-c", converted)).alreadyDone())
        .isTrue();
    assertThat(fleet.nextStep())
        .filteredOn(s -> s.vmId().equals("9"))
        .extracting(VmSample::hostId)
        .containsExactly("host-c");
    assertThat(fleet.isHealthy("9", "host-c")).isTrue();
    assertThatThrownBy(() -> fleet.deleteImage(converted))
        .hasMessageContaining("refusing to delete");

    MigrationResult back = fleet.migrateBack("m1", "9", "host-b", original);
    assertThat(back.toHostId()).isEqualTo("host-b");
    assertThat(fleet.migrateBack("m1", "9", "host-b", original).alreadyDone()).isTrue();
    assertThat(fleet.deleteImage(converted)).isTrue();
    assertThat(fleet.deleteImage(converted)).isFalse();
    assertThat(fleet.imageExists(original)).isTrue();
    assertThat(fleet.history()).extracting(SimMigration::back).containsExactly(false, true);
  }

  @Test
  void shouldKeepTheHostViewThroughMovesAsAFreshSumWouldGiveIt() throws IOException {
    // the same moves on two fleets: one asked for its hosts before each move (its view follows
    // the moves), the other only at the end (one fresh pass over the VMs)
    SimFleet fresh =
        SimFleet.load(
            DATA,
            FleetSpec.read(DATA.resolve("fleet.csv")),
            images.resolve("fresh"),
            QemuImg.onPath());
    fleet.nextStep();
    fresh.nextStep();
    String[][] moves = {{"9", "host-c"}, {"1", "host-c"}, {"9", "host-a"}, {"1", "host-b"}};
    int n = 0;
    for (String[] m : moves) {
      ImageFormat format =
          fleet.hosts().stream()
              .filter(h -> h.hostId().equals(m[1]))
              .findFirst()
              .orElseThrow()
              .imageFormats()
              .iterator()
              .next();
      for (SimFleet f : new SimFleet[] {fleet, fresh}) {
        String id = "m" + n;
        String from = f.locate(m[0]).orElseThrow();
        ImageRef image = f.convertImage(id, m[0], format);
        f.migrate(request(id, m[0], from, m[1], image));
      }
      n++;
    }

    java.util.Map<String, HostInfo> expected = new java.util.HashMap<>();
    fresh.hosts().forEach(h -> expected.put(h.hostId(), h));
    assertThat(fleet.hosts()).hasSize(expected.size());
    for (HostInfo h : fleet.hosts()) {
      HostInfo e = expected.get(h.hostId());
      assertThat(h.cpuUsedMhz()).as(h.hostId()).isCloseTo(e.cpuUsedMhz(), within(1e-6));
      assertThat(h.memUsedKb()).as(h.hostId()).isCloseTo(e.memUsedKb(), within(1e-6));
      assertThat(h.storageFreeBytes()).as(h.hostId()).isEqualTo(e.storageFreeBytes());
    }
    assertThat(fleet.locate("9")).contains("host-a");
  }

  @Test
  void shouldRefuseImpossibleMigrationsNamingWhy() {
    ImageRef raw = fleet.convertImage("m2", "47", ImageFormat.RAW);
    assertThatThrownBy(() -> fleet.migrate(request("x", "nope", "host-a", "host-b", raw)))
        .hasMessageContaining("unknown VM 'nope'");
    assertThatThrownBy(() -> fleet.migrate(request("x", "47", "host-b", "host-c", raw)))
        .hasMessageContaining("VM runs on host-a, not on the source host-b");
    assertThatThrownBy(() -> fleet.migrate(request("x", "47", "host-a", "host-z", raw)))
        .hasMessageContaining("unknown target host 'host-z'");
    assertThatThrownBy(() -> fleet.migrate(request("x", "47", "host-a", "host-c", raw)))
        .hasMessageContaining("host-c runs qcow2 images, the VM's image is raw");
    assertThat(fleet.migrate(request("x", "47", "host-a", "host-b", raw)).toHostId())
        .isEqualTo("host-b");
  }

  @Test
  void shouldInjectFaults() {
    fleet.inject(SimFault.CONVERSION_FAILS, "1");
    assertThatThrownBy(() -> fleet.convertImage("f1", "1", ImageFormat.RAW))
        .isInstanceOf(HypervisorException.class)
        .hasMessageContaining("injected fault");
    fleet.inject(SimFault.MIGRATION_FAILS, "1");
    assertThatThrownBy(() -> fleet.migrate(request("f1", "1", "host-a", "host-c", null)))
        .hasMessageContaining("injected fault");
    fleet.inject(SimFault.GUEST_DIES_ON_TARGET, "96");
    assertThat(fleet.isHealthy("96", "host-a")).as("healthy at home").isTrue();
    fleet.migrate(request("f2", "96", "host-a", "host-c", null));
    assertThat(fleet.isHealthy("96", "host-c")).isFalse();
    fleet.clearFaults();
    assertThat(fleet.isHealthy("96", "host-c")).isTrue();
    assertThatThrownBy(() -> fleet.inject(SimFault.MIGRATION_FAILS, "ghost"))
        .hasMessageContaining("unknown VM 'ghost'");
  }

  @Test
  void shouldCountOverloadedSteps() {
    while (fleet.remainingSamples() > 0) {
      fleet.nextStep();
    }
    assertThat(fleet.overloadSteps()).containsOnlyKeys("host-a");
    assertThat(fleet.overloadSteps().get("host-a")).isEqualTo(104);
    assertThat(fleet.nextStep()).isEmpty();
  }

  @Test
  void fleetSpecShouldNameFileLineAndProblem(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("fleet.csv");
    Files.writeString(f, "# c\nhost,h1,100,100,qcow2\nhost,h2,-5,100,raw\n");
    assertThatThrownBy(() -> FleetSpec.read(f))
        .hasMessageContaining(f + ":3: cpuMhz must be a positive number, was -5");
    Files.writeString(f, "host,h1,100,100,vdi\n");
    assertThatThrownBy(() -> FleetSpec.read(f))
        .hasMessageContaining(":1: unknown image format 'vdi'");
    Files.writeString(f, "host,h1,100,100,qcow2\nvm,1,h9\n");
    assertThatThrownBy(() -> FleetSpec.read(f))
        .hasMessageContaining("VM '1' is placed on unknown host 'h9'");
    Files.writeString(f, "host,h1,100,100\n");
    assertThatThrownBy(() -> FleetSpec.read(f)).hasMessageContaining(":1: expected 5 fields");
    Files.writeString(f, "rack,r1\n");
    assertThatThrownBy(() -> FleetSpec.read(f)).hasMessageContaining("unknown row kind 'rack'");
    Files.writeString(f, "host,h1,100,100,qcow2\nvm,404,h1\n");
    FleetSpec spec = FleetSpec.read(f);
    assertThatThrownBy(() -> SimFleet.load(dir, spec, dir.resolve("img"), QemuImg.onPath()))
        .hasMessageContaining("no trace file for VM '404'");
  }
}
