package io.vmdna.models.dna;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a libvirt host's connection tracking table, as Debian's {@code conntrack -L} prints it
 * (plain or {@code -o extended}), into {@link FlowRecord}s of the VMs whose addresses are known.
 *
 * <p>A line is {@code [ipv4 2] <proto> <protonum> <timeout> [<state>] src=.. dst=.. [sport=..
 * dport=..] [packets=.. bytes=..] src=.. dst=.. ... [flags] mark=.. use=..}: the first {@code
 * src/dst} pair is the original direction, the second the reply. {@code bytes} appear only with
 * {@code net.netfilter.nf_conntrack_acct=1}; without them a flow counts 0 bytes and the DNA weighs
 * flows by count. A flow belongs to the VM whose address is its original source (outgoing; the
 * destination is the original destination) or its original destination (incoming; the remote end is
 * the original source). Flows of no known VM are left out.
 *
 * <p>Stateless and thread-safe.
 */
public final class ConntrackFlows {
  private ConntrackFlows() {}

  /**
   * Parses the table.
   *
   * @param lines the output of {@code conntrack -L}, one flow per line (blank lines and the summary
   *     line {@code conntrack v... flow entries have been shown.} are skipped)
   * @param vmByAddress VM id per guest IP address
   * @param timestampS when the table was read, epoch seconds (the records' time)
   * @param source a name for errors, e.g. the host and command
   * @return the known VMs' flows, in table order
   * @throws IllegalArgumentException for a line that is not a conntrack entry, naming the source,
   *     the line number and what was missing
   */
  public static List<FlowRecord> parse(
      List<String> lines, Map<String, String> vmByAddress, long timestampS, String source) {
    List<FlowRecord> out = new ArrayList<>();
    for (Connection c : connections(lines, vmByAddress, timestampS, source)) {
      out.add(c.flow());
    }
    return out;
  }

  /**
   * One tracked connection of a known VM: its flow record (bytes so far, both directions) and its
   * identity across reads of the table, so a collector can report the bytes since its last read.
   *
   * @param flow the VM's flow record
   * @param key the original direction's protocol, addresses and ports (or ICMP id)
   */
  public record Connection(FlowRecord flow, String key) {}

  /**
   * Parses the table as {@link #parse} does, keeping each connection's identity.
   *
   * @throws IllegalArgumentException as {@link #parse}
   */
  public static List<Connection> connections(
      List<String> lines, Map<String, String> vmByAddress, long timestampS, String source) {
    List<Connection> out = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty() || line.startsWith("conntrack v")) {
        continue;
      }
      String[] tok = line.split("\\s+");
      int p = tok[0].equals("ipv4") || tok[0].equals("ipv6") ? 2 : 0;
      if (tok.length <= p + 1 || !isNumber(tok[p + 1])) {
        throw new IllegalArgumentException(
            "%s line %d: not a conntrack entry (expected '<protocol> <number> ...'): %s"
                .formatted(source, n + 1, line));
      }
      String proto = tok[p];
      String[] src = new String[2];
      String[] dst = new String[2];
      StringBuilder ids = new StringBuilder();
      long bytes = 0;
      int dir = -1;
      for (String t : tok) {
        int eq = t.indexOf('=');
        if (eq < 0) {
          continue;
        }
        String key = t.substring(0, eq);
        String value = t.substring(eq + 1);
        switch (key) {
          case "src" -> {
            dir++;
            if (dir < 2) {
              src[dir] = value;
            }
          }
          case "dst" -> {
            if (dir >= 0 && dir < 2) {
              dst[dir] = value;
            }
          }
          case "sport", "dport", "id", "type", "code" -> {
            if (dir == 0) {
              ids.append(' ').append(t);
            }
          }
          case "bytes" -> {
            if (!isNumber(value)) {
              throw new IllegalArgumentException(
                  "%s line %d: bytes=%s is not a number".formatted(source, n + 1, value));
            }
            bytes += Long.parseLong(value);
          }
          default -> {}
        }
      }
      if (src[0] == null || dst[0] == null) {
        throw new IllegalArgumentException(
            "%s line %d: no src=/dst= of the original direction: %s"
                .formatted(source, n + 1, line));
      }
      String outgoing = vmByAddress.get(src[0]);
      String incoming = vmByAddress.get(dst[0]);
      String key = proto + " " + src[0] + " " + dst[0] + ids;
      if (outgoing != null) {
        out.add(new Connection(new FlowRecord(outgoing, timestampS, proto, dst[0], bytes), key));
      } else if (incoming != null) {
        out.add(new Connection(new FlowRecord(incoming, timestampS, proto, src[0], bytes), key));
      }
    }
    return out;
  }

  private static boolean isNumber(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
