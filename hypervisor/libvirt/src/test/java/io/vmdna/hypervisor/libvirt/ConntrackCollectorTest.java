package io.vmdna.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.models.dna.FlowRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector's byte deltas and errors, on two reads of a table in {@code conntrack -L -o
 * extended}'s format (fixtures; ConntrackCollectorIT reads the kernel's table with the real tool).
 */
class ConntrackCollectorTest {
  private static final Path FIXTURES = Path.of("src/test/resources/conntrack");
  private static final Map<String, String> GUEST = Map.of("192.168.122.10", "vm-a");

  @TempDir Path dir;

  @Test
  void shouldReportEachConnectionsBytesSinceThePreviousRead() throws Exception {
    Path table = dir.resolve("table.txt");
    Files.copy(FIXTURES.resolve("first.txt"), table);
    ConntrackCollector c =
        new ConntrackCollector(List.of("cat", table.toString()), GUEST, Duration.ofSeconds(10));

    // the first read: every connection of the guest with its bytes so far (both directions);
    // the flow of two other machines is not the guest's
    assertThat(c.poll(100))
        .containsExactly(
            new FlowRecord("vm-a", 100, "tcp", "10.0.0.5", 25_000),
            new FlowRecord("vm-a", 100, "udp", "10.0.0.53", 180),
            new FlowRecord("vm-a", 100, "tcp", "10.0.0.9", 1_000)); // incoming ssh: the remote end

    // the second read: the https flow grew by 50,000, the ssh one is idle (left out), the old DNS
    // query is gone and a new one (another port) reports all it has
    Files.copy(FIXTURES.resolve("second.txt"), table, StandardCopyOption.REPLACE_EXISTING);
    assertThat(c.poll(400))
        .containsExactly(
            new FlowRecord("vm-a", 400, "tcp", "10.0.0.5", 50_000),
            new FlowRecord("vm-a", 400, "udp", "10.0.0.53", 200));

    // nothing moved: nothing to report
    assertThat(c.poll(700)).isEmpty();
  }

  @Test
  void shouldNameTheCommandThatCannotRunFailsOrHangs() {
    assertThatThrownBy(
            () ->
                new ConntrackCollector(List.of("no-such-conntrack"), GUEST, Duration.ofSeconds(5))
                    .poll(1))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("conntrack: cannot run 'no-such-conntrack'");
    assertThatThrownBy(
            () ->
                new ConntrackCollector(
                        List.of("cat", dir.resolve("missing").toString()),
                        GUEST,
                        Duration.ofSeconds(5))
                    .poll(1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exited with 1")
        .hasMessageContaining("No such file or directory");
    assertThatThrownBy(
            () ->
                new ConntrackCollector(List.of("sleep", "10"), GUEST, Duration.ofMillis(300))
                    .poll(1))
        .isInstanceOf(IOException.class)
        .hasMessage("conntrack: 'sleep 10' did not finish within PT0.3S");
    assertThatThrownBy(
            () ->
                new ConntrackCollector(List.of("echo", "hello world"), GUEST, Duration.ofSeconds(5))
                    .poll(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("echo hello world line 1: not a conntrack entry");
    assertThatThrownBy(() -> new ConntrackCollector(List.of(), GUEST, Duration.ofSeconds(1)))
        .hasMessageContaining("the command is empty");
    assertThatThrownBy(
            () -> new ConntrackCollector(List.of("cat"), Map.of(), Duration.ofSeconds(1)))
        .hasMessageContaining("no VM addresses");
  }

  @Test
  void shouldReadGuestAddressesAndNameABadLine() throws Exception {
    Path good =
        Files.writeString(dir.resolve("a.csv"), "# vm,address\nvm-a,10.0.0.2\n\nvm-b,10.0.0.3\n");
    assertThat(ConntrackCollector.readAddresses(good))
        .containsExactly(Map.entry("10.0.0.2", "vm-a"), Map.entry("10.0.0.3", "vm-b"));

    Path bad = Files.writeString(dir.resolve("b.csv"), "vm-a,10.0.0.2\nvm-b\n");
    assertThatThrownBy(() -> ConntrackCollector.readAddresses(bad))
        .hasMessage(bad + " line 2: expected 'vm,address', got 'vm-b'");
    Path twice = Files.writeString(dir.resolve("c.csv"), "vm-a,10.0.0.2\nvm-b,10.0.0.2\n");
    assertThatThrownBy(() -> ConntrackCollector.readAddresses(twice))
        .hasMessage(twice + " line 2: address 10.0.0.2 is given to both vm-a and vm-b");
    assertThatThrownBy(() -> ConntrackCollector.readAddresses(dir.resolve("none.csv")))
        .hasMessageStartingWith("cannot read VM addresses " + dir.resolve("none.csv"));
  }
}
