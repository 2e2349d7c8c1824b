package io.vmdna.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmdna.bpmn.ProcessContract.EndEvents;
import io.vmdna.hypervisor.api.ForwardingHypervisor;
import io.vmdna.hypervisor.api.Hypervisor;
import io.vmdna.hypervisor.api.ImageFormat;
import io.vmdna.hypervisor.api.ImageRef;
import io.vmdna.hypervisor.image.QemuImg;
import io.vmdna.hypervisor.libvirt.LibvirtHypervisor;
import io.vmdna.hypervisor.libvirt.TwoLibvirtHosts;
import io.vmdna.store.MigrationRepository;
import io.vmdna.store.MigrationStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole process on real components end to end: the {@code predictive-migration} process on the
 * real engine, the real workers and PostgreSQL, and the libvirt module on two real libvirt hosts
 * ({@link TwoLibvirtHosts}) migrating a real QEMU guest with a disk: scan, reserve, convert its
 * qcow2 disk to the target's raw format with {@code qemu-img}, live-migrate onto it, verify, record
 * the DNA; then, with verification forced to fail, compensation migrates it back onto its qcow2
 * disk and deletes the converted image. The guest's heartbeat shows it ran throughout. Skipped,
 * saying why, where the hosts cannot run ({@code .ci/run} fails on that skip).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LibvirtProcessIT {
  private static final String VM = "e2e-vm";

  private static TwoLibvirtHosts lab;
  private static LibvirtHypervisor libvirt;
  private static ForcedVerification hypervisor;
  private static ImageRef disk;
  private static EmbeddedLoop loop;

  /**
   * The libvirt module with one thing forced: {@link #isHealthy} says no for the VMs a test names,
   * as if the guest had died on the target. Everything else goes to the real hosts.
   */
  static final class ForcedVerification extends ForwardingHypervisor {
    final Set<String> failing = ConcurrentHashMap.newKeySet();

    ForcedVerification(Hypervisor real) {
      super(real);
    }

    @Override
    public boolean isHealthy(String vmId, String hostId) {
      return !failing.contains(vmId) && delegate().isHealthy(vmId, hostId);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    String missing = TwoLibvirtHosts.missingPrerequisite();
    Assumptions.assumeTrue(missing == null, () -> "two libvirt hosts cannot run here: " + missing);
    lab = TwoLibvirtHosts.up(Path.of("target/libvirt-guest"));
    disk = lab.disk(VM, 64L << 20);
    libvirt =
        new LibvirtHypervisor(
            lab.hosts(ImageFormat.QCOW2, ImageFormat.RAW),
            Duration.ofSeconds(10),
            Duration.ofSeconds(120),
            lab.root().resolve("converted"),
            QemuImg.onPath());
    hypervisor = new ForcedVerification(libvirt);
    lab.startGuest("host-a", VM, disk);
    // the second test moves the guest again at once, to the host it just left; a technical
    // retry without backoff, as in TechnicalFailureIT: the in-process test engine can stall in
    // its retry-backoff checker (camunda/camunda#16884), which the real broker does not run
    loop =
        EmbeddedLoop.start(
            hypervisor,
            Map.of(
                "vmdna.rails.vm-cooldown",
                "PT0S",
                "vmdna.rails.ping-pong-window",
                "PT0S",
                "vmdna.jobs.retry-backoff",
                "PT0S"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (loop != null) {
      loop.close();
    }
    if (libvirt != null) {
      libvirt.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  @Order(1)
  void shouldMigrateTheRunningGuestToTheOtherHostOntoItsConvertedImage() throws Exception {
    // given
    int before = lab.lastHeartbeat(VM);

    // when an operator asks for the move (the REST API's message)
    loop.requestMigration("e2e-1", VM);

    // then
    assertThat(loop.awaitEnd("e2e-1")).isEqualTo(EndEvents.MIGRATED);
    assertThat(libvirt.locate(VM)).contains("host-b");
    ImageRef now = libvirt.vm(VM).orElseThrow().image();
    assertThat(now.format()).isEqualTo(ImageFormat.RAW);
    assertThat(QemuImg.onPath().info(Path.of(now.path())).format()).isEqualTo(ImageFormat.RAW);
    assertThat(Files.readString(Path.of(now.path() + ".dna.json"))).contains("\"e2e-1\"");
    assertThat(loop.migrations.find("e2e-1").orElseThrow().status())
        .isEqualTo(MigrationStatus.MIGRATED);
    assertThat(loop.migrations.steps("e2e-1"))
        .extracting(MigrationRepository.Step::step)
        .containsSubsequence("convert-image", "migrate", "verify-migration", "record-dna");
    assertThat(lab.awaitHeartbeatAbove(VM, lab.lastHeartbeat(VM), Duration.ofSeconds(30)))
        .as("the guest kept counting across the move")
        .isGreaterThan(before);
  }

  @Test
  @Order(2)
  void shouldMigrateItBackThroughCompensationWhenVerificationFails() throws Exception {
    // given: the guest on host-b from the first test; verification will say it died there
    String source = libvirt.locate(VM).orElseThrow();
    ImageRef sourceImage = libvirt.vm(VM).orElseThrow().image();
    hypervisor.failing.add(VM);
    int before = lab.lastHeartbeat(VM);

    // when
    loop.requestMigration("e2e-2", VM);

    // then: rolled back onto the host and image it ran from, the converted image deleted
    assertThat(loop.awaitEnd("e2e-2")).isEqualTo(EndEvents.ROLLED_BACK);
    assertThat(libvirt.locate(VM)).contains(source);
    assertThat(libvirt.vm(VM).orElseThrow().image()).isEqualTo(sourceImage);
    assertThat(libvirt.convertedImage("e2e-2")).isEmpty();
    assertThat(loop.migrations.find("e2e-2").orElseThrow().status())
        .isEqualTo(MigrationStatus.ROLLED_BACK);
    assertThat(loop.migrations.steps("e2e-2"))
        .extracting(MigrationRepository.Step::step)
        .containsSubsequence(
            "migrate", "verify-migration", "reconcile", "migrate-back", "delete-converted-image");
    assertThat(lab.awaitHeartbeatAbove(VM, lab.lastHeartbeat(VM), Duration.ofSeconds(30)))
        .isGreaterThan(before);
  }

  @Test
  @Order(3)
  void shouldWarmMigrateWhenTheRequestAsksForIt() throws Exception {
    // given: the guest back on host-b (raw) after the rollback; host-a runs qcow2
    hypervisor.failing.clear();
    String source = libvirt.locate(VM).orElseThrow();
    int before = lab.lastHeartbeat(VM);

    // when
    loop.requestMigration("e2e-3", VM, Map.of("strategy", "WARM"));

    // then
    assertThat(loop.awaitEnd("e2e-3")).isEqualTo(EndEvents.MIGRATED);
    assertThat(libvirt.locate(VM)).isPresent().isNotEqualTo(Optional.of(source));
    assertThat(libvirt.vm(VM).orElseThrow().image().format()).isEqualTo(ImageFormat.QCOW2);
    assertThat(loop.migrations.steps("e2e-3"))
        .filteredOn(s -> s.step().equals("migrate"))
        .extracting(MigrationRepository.Step::detail)
        .singleElement()
        .asString()
        .startsWith("WARM " + source + " -> ");
    assertThat(lab.awaitHeartbeatAbove(VM, lab.lastHeartbeat(VM), Duration.ofSeconds(30)))
        .as("restored with its memory: the counter goes on")
        .isGreaterThan(before);
  }
}
