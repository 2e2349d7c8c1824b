package io.vmdna.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmdna.models.dna.FlowRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The collector reading the kernel's connection tracking table with Debian's real {@code conntrack}
 * tool, in a network namespace of its own (so the host's table is not touched), where entries of a
 * "guest" address are created and deleted with {@code conntrack -I} / {@code -D}. Needs root,
 * {@code ip} (iproute2) and {@code conntrack}; skipped with the reason otherwise ({@code .ci/run}
 * fails if it was skipped, since the CI machine has them).
 */
class ConntrackCollectorIT {
  private static final String NS = "vmdna-ct-" + ProcessHandle.current().pid();
  private static final String GUEST = "10.77.0.2";

  @BeforeAll
  static void namespace() throws Exception {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")), "needs root (network namespaces)");
    Assumptions.assumeTrue(run("ip", "-V") == 0, "needs ip (Debian's iproute2)");
    Assumptions.assumeTrue(run("conntrack", "--version") == 0, "needs conntrack (Debian's)");
    Assumptions.assumeTrue(run("ip", "netns", "add", NS) == 0, "cannot create a network namespace");
  }

  @AfterAll
  static void removeNamespace() throws Exception {
    run("ip", "netns", "del", NS);
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException notInstalled) {
      return 127;
    }
    p.getInputStream().readAllBytes();
    return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }

  private static void conntrack(String... args) throws Exception {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", NS, "conntrack"));
    c.addAll(List.of(args));
    assertThat(run(c.toArray(String[]::new))).as(String.join(" ", c)).isZero();
  }

  @Test
  void shouldReportTheGuestsTrackedConnectionsOnceAndNewOnesAsTheyCome() throws Exception {
    // given a guest with an https connection and a DNS query in the table
    conntrack(
        "-I",
        "-s",
        GUEST,
        "-d",
        "10.0.0.5",
        "-p",
        "tcp",
        "--sport",
        "40000",
        "--dport",
        "443",
        "--state",
        "ESTABLISHED",
        "-t",
        "600",
        "-u",
        "ASSURED");
    conntrack(
        "-I",
        "-s",
        GUEST,
        "-d",
        "10.0.0.53",
        "-p",
        "udp",
        "--sport",
        "5353",
        "--dport",
        "53",
        "-t",
        "600");
    // and one of another machine
    conntrack(
        "-I",
        "-s",
        "10.77.0.9",
        "-d",
        "10.0.0.5",
        "-p",
        "tcp",
        "--sport",
        "1",
        "--dport",
        "443",
        "--state",
        "ESTABLISHED",
        "-t",
        "600");
    ConntrackCollector c =
        new ConntrackCollector(
            List.of("ip", "netns", "exec", NS, "conntrack", "-L", "-o", "extended"),
            Map.of(GUEST, "vm-a"),
            Duration.ofSeconds(30));

    // when the table is read: the guest's two connections (no traffic went through the kernel,
    // so no bytes: each is reported once, by count)
    List<FlowRecord> first = c.poll(1000);
    assertThat(first)
        .containsExactlyInAnyOrder(
            new FlowRecord("vm-a", 1000, "tcp", "10.0.0.5", 0),
            new FlowRecord("vm-a", 1000, "udp", "10.0.0.53", 0));

    // then a second read reports nothing new; after the DNS entry ends and another connection
    // starts, only that one
    assertThat(c.poll(1300)).isEmpty();
    conntrack("-D", "-s", GUEST, "-p", "udp");
    conntrack(
        "-I",
        "-s",
        GUEST,
        "-d",
        "10.0.0.6",
        "-p",
        "tcp",
        "--sport",
        "40001",
        "--dport",
        "5432",
        "--state",
        "ESTABLISHED",
        "-t",
        "600",
        "-u",
        "ASSURED");
    assertThat(c.poll(1600)).containsExactly(new FlowRecord("vm-a", 1600, "tcp", "10.0.0.6", 0));
  }
}
