package io.vmdna.hypervisor.image;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs short external commands ({@code qemu-img}) through long-lived {@code /bin/sh} helper
 * processes, or, with {@link #direct()}, through the JDK's own {@link ProcessBuilder}.
 *
 * <p>Why: the JDK starts every command through its {@code jspawnhelper}, a second program that
 * execs the command, and reaps each one on a thread of its own. On virtual machines where the
 * {@code CPUID} instruction traps to the hypervisor (this project's 2-core CI machine among them),
 * every exec of a dynamically linked program costs a millisecond or more of glibc's start-up alone
 * (its cache-size probing runs {@code CPUID} dozens of times): measured here, a loop of {@code
 * qemu-img --version} took 3.7 ms per run through {@link ProcessBuilder} and 3.1 ms through a
 * helper, and in {@code ./vmdna bench} the JDK's launching ({@code jspawnhelper} and the reaper
 * threads) was a fifth of the CPU that the workers' process tree used. A helper is one {@code sh}
 * that forks once per command and execs the command in the fork, so a command costs one exec, its
 * own.
 *
 * <p>Protocol, one command at a time per helper: the caller writes one line, {@code exec 'arg0'
 * 'arg1' ... </dev/null >'output' 2>&1}, every argument single-quoted (so the shell expands
 * nothing); the helper runs it in the background, answers the command's process id on one line,
 * waits for it and answers its exit status on the next line ({@code 128 + n} when signal {@code n}
 * killed it). An argument holding a line break or a NUL cannot travel on one line and is refused.
 *
 * <p>Thread-safe: a call borrows an idle helper or starts a new one, so there are as many helpers
 * as calls ever ran at once; they end with the JVM (their standard input closes). A helper whose
 * command timed out, was interrupted or whose answer was not understood is destroyed, never lent
 * again. When {@code /bin/sh} cannot be started the launcher falls back to {@link ProcessBuilder}.
 */
final class Launcher {
  /** The helper's loop: see the class comment. */
  static final String HELPER_SCRIPT =
      "while IFS= read -r line; do eval \"$line\" & echo \"$!\"; wait \"$!\"; echo \"$?\"; done";

  /** The launcher {@link QemuImg} uses: helpers, unless {@code -Dvmdna.launch=jdk}. */
  static final Launcher DEFAULT =
      "jdk".equals(System.getProperty("vmdna.launch"))
          ? direct()
          : new Launcher(Path.of("/bin/sh"));

  private static final String EOF = new String("EOF"); // compared by identity
  private static final long POLL_MS = 200;

  private final Path shell; // null: ProcessBuilder
  private final ConcurrentLinkedDeque<Helper> idle = new ConcurrentLinkedDeque<>();
  private final java.util.Set<Helper> helpers = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean shellMissing;

  /** Helpers run by {@code shell} (a POSIX shell: {@code /bin/sh}). */
  Launcher(Path shell) {
    this.shell = shell;
  }

  /** A launcher that starts every command with {@link ProcessBuilder}. */
  static Launcher direct() {
    return new Launcher(null);
  }

  /**
   * Runs {@code command} with its standard input empty and its standard output and error written to
   * {@code output} (created or truncated), and returns its exit status. While it runs, {@code tick}
   * is called on the calling thread about every 200 ms (e.g. to read progress from the output).
   *
   * @throws CannotStart when the command cannot be started (not found, not executable), with the
   *     reason
   * @throws IOException when a helper ends while running it (a helper found dead before it took the
   *     command is replaced, once)
   * @throws TimeoutException when it ran longer than {@code timeout}; it has been killed
   * @throws InterruptedException when the calling thread is interrupted; the command has been
   *     killed
   * @throws IllegalArgumentException when an argument holds a line break or a NUL
   */
  int run(List<String> command, Path output, Duration timeout, Runnable tick)
      throws IOException, InterruptedException, TimeoutException {
    for (String arg : command) {
      if (arg.indexOf('\n') >= 0 || arg.indexOf('\r') >= 0 || arg.indexOf('\0') >= 0) {
        throw new IllegalArgumentException(
            "cannot run %s: the argument '%s' holds a line break or a NUL"
                .formatted(command.getFirst(), arg.replace("\n", "\\n").replace("\r", "\\r")));
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    String line = line(command, output);
    for (int attempt = 1; ; attempt++) {
      Helper helper = shell == null || shellMissing ? null : borrow();
      if (helper == null) {
        return runDirect(command, output, deadline, timeout, tick);
      }
      try {
        helper.send(line);
      } catch (IOException e) {
        // the line never reached it (it died since it was lent): nothing ran, so try another
        helpers.remove(helper);
        helper.destroy();
        if (attempt >= 2) {
          throw new IOException("the launcher shell cannot take commands: " + e.getMessage(), e);
        }
        continue;
      }
      return await(helper, command, output, deadline, timeout, tick);
    }
  }

  /** The answers of {@code helper}, which has been sent {@code command}. */
  private int await(
      Helper helper,
      List<String> command,
      Path output,
      long deadline,
      Duration timeout,
      Runnable tick)
      throws IOException, InterruptedException, TimeoutException {
    boolean reusable = false;
    try {
      Long.parseLong(helper.next(deadline)); // the command's process id: see Helper.destroy
      while (true) {
        String status = helper.lines.poll(POLL_MS, TimeUnit.MILLISECONDS);
        if (status == EOF) {
          throw new IOException(
              "the launcher shell ended while %s ran".formatted(command.getFirst()));
        }
        if (status != null) {
          int code = Integer.parseInt(status);
          reusable = true;
          if (code == 126 || code == 127) {
            throw new CannotStart(
                "cannot start '%s': %s"
                    .formatted(
                        command.getFirst(),
                        Files.readString(output, StandardCharsets.UTF_8).strip()));
          }
          return code;
        }
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("timed out after " + timeout);
        }
        tick.run();
      }
    } catch (NumberFormatException e) {
      throw new IOException("the launcher shell answered something other than a number", e);
    } finally {
      if (reusable) {
        idle.push(helper);
      } else {
        helpers.remove(helper);
        helper.destroy();
      }
    }
  }

  /** A command that could not be started: not found, or not executable. */
  static final class CannotStart extends IOException {
    CannotStart(String message) {
      super(message);
    }

    CannotStart(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** The process ids of this launcher's helpers now (idle or running a command). */
  List<Long> helperPids() {
    return helpers.stream().map(h -> h.process.pid()).toList();
  }

  /** Idle helpers, for tests. */
  int idleHelpers() {
    return idle.size();
  }

  private Helper borrow() {
    Helper h;
    while ((h = idle.poll()) != null) {
      if (h.process.isAlive()) {
        return h;
      }
      helpers.remove(h);
      h.destroy();
    }
    try {
      Helper created = new Helper(shell);
      helpers.add(created);
      return created;
    } catch (IOException e) {
      shellMissing = true; // no shell here: the JDK's launch from now on
      return null;
    }
  }

  /** The helper's line for {@code command}: see the class comment. */
  static String line(List<String> command, Path output) {
    StringBuilder sb = new StringBuilder("exec");
    for (String arg : command) {
      sb.append(' ').append(quote(arg));
    }
    return sb.append(" </dev/null >").append(quote(output.toString())).append(" 2>&1\n").toString();
  }

  /** {@code s} in single quotes for a POSIX shell: nothing in it is expanded. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static int runDirect(
      List<String> command, Path output, long deadline, Duration timeout, Runnable tick)
      throws IOException, InterruptedException, TimeoutException {
    // output goes to a file, not a pipe, so a hung command cannot block a reader past the timeout
    Process p;
    try {
      p =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
    } catch (IOException e) {
      throw new CannotStart(e);
    }
    try {
      while (!p.waitFor(POLL_MS, TimeUnit.MILLISECONDS)) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("timed out after " + timeout);
        }
        tick.run();
      }
      return p.exitValue();
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  /** One {@code sh} running {@link #HELPER_SCRIPT}, and the thread reading its answers. */
  private static final class Helper {
    final Process process;
    final Writer in;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Helper(Path shell) throws IOException {
      process =
          new ProcessBuilder(shell.toString(), "-c", HELPER_SCRIPT)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      Thread.ofPlatform()
          .daemon()
          .name("launcher-" + process.pid())
          .start(
              () -> {
                try {
                  for (String l = out.readLine(); l != null; l = out.readLine()) {
                    lines.add(l);
                  }
                } catch (IOException e) {
                  // the helper is gone: EOF below tells the waiting caller
                } finally {
                  lines.add(EOF);
                }
              });
    }

    void send(String line) throws IOException {
      in.write(line);
      in.flush();
    }

    /** The next answer, waiting at most until {@code deadline} (the pid comes at once). */
    String next(long deadline) throws IOException, InterruptedException, TimeoutException {
      String l = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (l == null) {
        throw new TimeoutException("the launcher shell did not answer");
      }
      if (l == EOF) {
        throw new IOException("the launcher shell ended");
      }
      return l;
    }

    /**
     * Kills the helper's children, which can only be the command it runs (a child not yet reaped,
     * so its id cannot belong to another process yet, but for the instant between the look-up and
     * the kill), then the helper.
     */
    void destroy() {
      process.children().forEach(ProcessHandle::destroyForcibly);
      try {
        in.close();
      } catch (IOException ignored) {
        // the helper is being destroyed anyway
      }
      process.destroyForcibly();
    }
  }
}
