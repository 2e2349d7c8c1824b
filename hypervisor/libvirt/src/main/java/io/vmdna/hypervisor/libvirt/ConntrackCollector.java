package io.vmdna.hypervisor.libvirt;

import io.vmdna.models.dna.ConntrackFlows;
import io.vmdna.models.dna.FlowRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads a libvirt host's connection tracking table (Debian's {@code conntrack -L -o extended} by
 * default) and turns it into the VMs' {@link FlowRecord}s, each with the bytes the connection moved
 * since the previous read: a connection seen for the first time reports its bytes so far, a known
 * one the growth of its counters, and one that moved nothing since is left out. Without byte
 * accounting ({@code net.netfilter.nf_conntrack_acct=0}) every counter is 0, so each connection is
 * reported once, when first seen, and the DNA weighs flows by count.
 *
 * <p>The command runs without a shell (arguments as a list), within a timeout; a command that
 * fails, hangs or prints something that is not a conntrack table gives an error naming it. Not
 * thread-safe (it remembers the previous read's counters).
 */
public final class ConntrackCollector {
  /** The command run by default: the table with byte counters where accounting is on. */
  public static final List<String> DEFAULT_COMMAND = List.of("conntrack", "-L", "-o", "extended");

  private final List<String> command;
  private final Map<String, String> vmByAddress;
  private final Duration timeout;
  private Map<String, Long> lastBytes = new HashMap<>();

  /**
   * A collector.
   *
   * @param command the command printing the table, e.g. {@link #DEFAULT_COMMAND}
   * @param vmByAddress VM id per guest IP address (flows of other addresses are left out)
   * @param timeout the longest one read may take
   */
  public ConntrackCollector(
      List<String> command, Map<String, String> vmByAddress, Duration timeout) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("conntrack: the command is empty");
    }
    if (vmByAddress.isEmpty()) {
      throw new IllegalArgumentException("conntrack: no VM addresses (nothing to attribute to)");
    }
    this.command = List.copyOf(command);
    this.vmByAddress = Map.copyOf(vmByAddress);
    this.timeout = timeout;
  }

  /**
   * Reads the table once.
   *
   * @param nowS the records' time, epoch seconds
   * @return the known VMs' flows with their bytes since the previous read, in table order
   * @throws IOException if the command cannot start, fails, or does not finish within the timeout
   * @throws IllegalArgumentException if its output is not a conntrack table (naming the line)
   */
  public List<FlowRecord> poll(long nowS) throws IOException, InterruptedException {
    List<String> lines = run();
    Map<String, Long> seen = new HashMap<>();
    List<FlowRecord> out = new ArrayList<>();
    for (ConntrackFlows.Connection c :
        ConntrackFlows.connections(lines, vmByAddress, nowS, String.join(" ", command))) {
      FlowRecord f = c.flow();
      Long before = lastBytes.get(c.key());
      seen.put(c.key(), f.bytes());
      long delta = before == null ? f.bytes() : Math.max(0, f.bytes() - before);
      if (before == null || delta > 0) {
        out.add(new FlowRecord(f.vmId(), f.timestampS(), f.protocol(), f.destination(), delta));
      }
    }
    lastBytes = seen; // connections gone from the table are forgotten
    return out;
  }

  private List<String> run() throws IOException, InterruptedException {
    String name = String.join(" ", command);
    Process p;
    try {
      p = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new IOException("conntrack: cannot run '" + name + "': " + e.getMessage(), e);
    }
    p.getOutputStream().close();
    CompletableFuture<String> stdout = read(p.getInputStream());
    CompletableFuture<String> stderr = read(p.getErrorStream());
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IOException("conntrack: '" + name + "' did not finish within " + timeout);
    }
    String err = stderr.join().strip();
    if (p.exitValue() != 0) {
      throw new IOException(
          "conntrack: '%s' exited with %d: %s"
              .formatted(name, p.exitValue(), err.isEmpty() ? "(no message)" : err));
    }
    return stdout.join().lines().toList();
  }

  private static CompletableFuture<String> read(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "";
          }
        });
  }

  /**
   * Reads guest addresses from a file of {@code vm,address} lines ({@code #} comments and blank
   * lines skipped).
   *
   * @throws IllegalArgumentException naming the file and line of a malformed or repeated address
   */
  public static Map<String, String> readAddresses(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read VM addresses " + file + ": " + e);
    }
    Map<String, String> vmByAddress = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(",");
      if (f.length != 2 || f[0].isBlank() || f[1].isBlank()) {
        throw new IllegalArgumentException(
            "%s line %d: expected 'vm,address', got '%s'".formatted(file, i + 1, line));
      }
      String before = vmByAddress.put(f[1].strip(), f[0].strip());
      if (before != null) {
        throw new IllegalArgumentException(
            "%s line %d: address %s is given to both %s and %s"
                .formatted(file, i + 1, f[1].strip(), before, f[0].strip()));
      }
    }
    if (vmByAddress.isEmpty()) {
      throw new IllegalArgumentException(file + ": no VM addresses");
    }
    return vmByAddress;
  }
}
