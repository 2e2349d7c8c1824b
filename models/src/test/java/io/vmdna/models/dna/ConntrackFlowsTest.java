package io.vmdna.models.dna;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Lines as Debian's {@code conntrack -L} prints them (conntrack(8); with {@code -o extended} the
 * address family comes first; {@code packets=}/{@code bytes=} only with accounting on).
 */
class ConntrackFlowsTest {
  static final List<String> TABLE =
      List.of(
          "tcp      6 431999 ESTABLISHED src=192.168.122.10 dst=93.184.216.34 sport=51234"
              + " dport=443 packets=12 bytes=1500 src=93.184.216.34 dst=192.168.122.10"
              + " sport=443 dport=51234 packets=10 bytes=9000 [ASSURED] mark=0 use=1",
          "ipv4     2 udp      17 29 src=192.168.122.11 dst=192.168.122.1 sport=40000 dport=53"
              + " packets=1 bytes=60 src=192.168.122.1 dst=192.168.122.11 sport=53 dport=40000"
              + " packets=1 bytes=120 mark=0 use=1",
          "icmp     1 29 src=10.1.1.5 dst=192.168.122.10 type=8 code=0 id=7 packets=1 bytes=84"
              + " src=192.168.122.10 dst=10.1.1.5 type=0 code=0 id=7 packets=1 bytes=84 mark=0"
              + " use=1",
          "tcp      6 117 TIME_WAIT src=10.9.9.9 dst=10.8.8.8 sport=1 dport=2 src=10.8.8.8"
              + " dst=10.9.9.9 sport=2 dport=1 [ASSURED] mark=0 use=1",
          "",
          "conntrack v1.4.7 (conntrack-tools): 4 flow entries have been shown.");

  @Test
  void shouldAttributeFlowsToTheVmsByAddress() {
    List<FlowRecord> flows =
        ConntrackFlows.parse(
            TABLE, Map.of("192.168.122.10", "web", "192.168.122.11", "db"), 1000, "host-a");

    assertThat(flows)
        .containsExactly(
            new FlowRecord("web", 1000, "tcp", "93.184.216.34", 10_500),
            new FlowRecord("db", 1000, "udp", "192.168.122.1", 180),
            new FlowRecord("web", 1000, "icmp", "10.1.1.5", 168));
  }

  @Test
  void withoutAccountingFlowsShouldCountZeroBytes() {
    List<FlowRecord> flows =
        ConntrackFlows.parse(List.of(TABLE.get(3)), Map.of("10.9.9.9", "vm"), 5, "h");

    assertThat(flows).containsExactly(new FlowRecord("vm", 5, "tcp", "10.8.8.8", 0));
  }

  @Test
  void aLineThatIsNotAnEntryShouldBeNamed() {
    assertThatThrownBy(
            () -> ConntrackFlows.parse(List.of("", "hello world"), Map.of(), 0, "host-b conntrack"))
        .hasMessageContaining("host-b conntrack line 2: not a conntrack entry");
    assertThatThrownBy(
            () -> ConntrackFlows.parse(List.of("tcp 6 10 ESTABLISHED"), Map.of(), 0, "h"))
        .hasMessageContaining("h line 1: no src=/dst=");
    assertThatThrownBy(
            () ->
                ConntrackFlows.parse(List.of("tcp 6 10 src=1 dst=2 bytes=many"), Map.of(), 0, "h"))
        .hasMessageContaining("h line 1: bytes=many is not a number");
  }
}
