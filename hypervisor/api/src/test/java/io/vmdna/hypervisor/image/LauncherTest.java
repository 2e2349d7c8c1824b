package io.vmdna.hypervisor.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shell helpers that start {@code qemu-img}, against the JDK's own launch. */
class LauncherTest {
  @TempDir Path dir;

  private final Launcher shell = new Launcher(Path.of("/bin/sh"));
  private static final Duration MINUTE = Duration.ofMinutes(1);

  private String run(Launcher l, int expectedCode, String... command) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".log");
    assertThat(l.run(List.of(command), out, MINUTE, () -> {})).isEqualTo(expectedCode);
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  /** What the shell would expand or split reaches the command as written, as with the JDK. */
  @Test
  void shouldPassEveryArgumentAsWritten() throws Exception {
    String[] cmd = {
      "printf", "[%s]", "a b", "it's", "$HOME", "`id`", "*", "\\n", "\"q\"", "", "é ü", "; exit 3"
    };
    String expected = "[a b][it's][$HOME][`id`][*][\\n][\"q\"][][é ü][; exit 3]";
    assertThat(run(shell, 0, cmd)).isEqualTo(expected);
    assertThat(run(Launcher.direct(), 0, cmd)).isEqualTo(expected);
  }

  @Test
  void shouldReturnTheExitStatusWithStandardOutputAndErrorInTheFile() throws Exception {
    String out =
        run(shell, 3, "sh", "-c", "echo out; echo err >&2; read x || echo no-input; exit 3");
    assertThat(out).isEqualTo("out\nerr\nno-input\n");
    assertThat(shell.idleHelpers()).as("the helper is lent again").isEqualTo(1);
    run(shell, 0, "true");
    assertThat(shell.idleHelpers()).as("and was reused, not a second one started").isEqualTo(1);
  }

  @Test
  void shouldSayWhyACommandCannotStart() throws IOException {
    Path notExecutable = Files.writeString(dir.resolve("plain"), "#!/bin/sh\n");
    for (Launcher l : List.of(shell, Launcher.direct())) {
      Path out = dir.resolve("o.log");
      assertThatThrownBy(() -> l.run(List.of("/nonexistent/tool", "x"), out, MINUTE, () -> {}))
          .isInstanceOf(Launcher.CannotStart.class)
          .hasMessageContaining("/nonexistent/tool");
      assertThatThrownBy(() -> l.run(List.of(notExecutable.toString()), out, MINUTE, () -> {}))
          .isInstanceOf(Launcher.CannotStart.class)
          .hasMessageContaining(notExecutable.toString());
    }
  }

  @Test
  void shouldRefuseAnArgumentThatCannotTravelOnOneLine() {
    assertThatThrownBy(() -> shell.run(List.of("echo", "a\nb"), dir.resolve("o"), MINUTE, () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a\\nb' holds a line break");
    assertThatThrownBy(() -> shell.run(List.of("echo", "a\0b"), dir.resolve("o"), MINUTE, () -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A command past its timeout is killed, its helper too; the next command gets a new helper. */
  @Test
  void shouldKillACommandPastItsTimeoutAndCarryOn() throws Exception {
    Path pidFile = dir.resolve("pid");
    AtomicInteger ticks = new AtomicInteger();
    long t0 = System.nanoTime();
    assertThatThrownBy(
            () ->
                shell.run(
                    List.of("sh", "-c", "echo $$ > '" + pidFile + "'; exec sleep 30"),
                    dir.resolve("o"),
                    Duration.ofMillis(700),
                    ticks::incrementAndGet))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("timed out after PT0.7S");
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(10_000);
    assertThat(ticks.get()).as("ticks about every 200 ms while it ran").isBetween(1, 5);
    long pid = awaitPid(pidFile);
    awaitGone(pid);
    assertThat(shell.idleHelpers()).isZero();
    assertThat(run(shell, 0, "echo", "next")).isEqualTo("next\n");
  }

  @Test
  void shouldKillTheCommandWhenTheCallerIsInterrupted() throws Exception {
    Path pidFile = dir.resolve("pid");
    Thread caller =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    shell.run(
                        List.of("sh", "-c", "echo $$ > '" + pidFile + "'; exec sleep 30"),
                        dir.resolve("o"),
                        MINUTE,
                        () -> {});
                  } catch (InterruptedException expected) {
                    return;
                  } catch (Exception e) {
                    throw new AssertionError(e);
                  }
                  throw new AssertionError("not interrupted");
                });
    long pid = awaitPid(pidFile);
    caller.interrupt();
    caller.join(10_000);
    assertThat(caller.isAlive()).isFalse();
    awaitGone(pid);
  }

  /** A helper killed from outside fails only the command it ran; the next call starts another. */
  @Test
  void shouldSurviveAHelperKilledFromOutside() throws Exception {
    run(shell, 0, "true");
    Path pidFile = dir.resolve("pid");
    Thread killer =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    ProcessHandle.of(awaitPid(pidFile))
                        .flatMap(ProcessHandle::parent)
                        .ifPresent(ProcessHandle::destroyForcibly);
                  } catch (Exception e) {
                    throw new AssertionError(e);
                  }
                });
    assertThatThrownBy(
            () ->
                shell.run(
                    List.of("sh", "-c", "echo $$ > '" + pidFile + "'; sleep 10"),
                    dir.resolve("o"),
                    MINUTE,
                    () -> {}))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(Launcher.CannotStart.class)
        .hasMessageContaining("launcher shell ended");
    killer.join();
    assertThat(run(shell, 0, "echo", "again")).isEqualTo("again\n");
  }

  /** An idle helper that died since its last command is replaced; the command runs once. */
  @Test
  void shouldReplaceAnIdleHelperThatDied() throws Exception {
    run(shell, 0, "true");
    long helper = shell.helperPids().getFirst();
    ProcessHandle.of(helper).orElseThrow().destroyForcibly();
    awaitGone(helper);
    Path count = dir.resolve("count");
    run(shell, 0, "sh", "-c", "echo ran >> '" + count + "'");
    assertThat(Files.readAllLines(count)).containsExactly("ran");
    assertThat(shell.helperPids()).doesNotContain(helper).hasSize(1);
  }

  /** Calls at once each get a helper of their own; every answer reaches its own caller. */
  @Test
  void shouldRunCallsAtOnceEachWithItsOwnAnswer() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int k = i;
        results.add(
            pool.submit(() -> run(shell, k % 7, "sh", "-c", "echo " + k + "; exit " + (k % 7))));
      }
      for (int i = 0; i < 200; i++) {
        assertThat(results.get(i).get()).isEqualTo(i + "\n");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(shell.idleHelpers()).isBetween(1, 8);
  }

  /**
   * A "shell" that takes no commands (it ends at once): an error about the shell, not the command.
   */
  @Test
  void shouldSayWhenTheShellTakesNoCommands() {
    Launcher deaf = new Launcher(Path.of("/bin/true"));
    assertThatThrownBy(() -> deaf.run(List.of("echo", "x"), dir.resolve("o"), MINUTE, () -> {}))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(Launcher.CannotStart.class)
        .hasMessageContaining("launcher shell");
  }

  @Test
  void shouldFallBackToTheJdkWithoutAShell() throws Exception {
    Launcher noShell = new Launcher(dir.resolve("no-such-sh"));
    assertThat(run(noShell, 0, "echo", "direct")).isEqualTo("direct\n");
    assertThat(noShell.idleHelpers()).isZero();
  }

  /** The process id a command wrote to {@code pidFile}, once it has. */
  private static long awaitPid(Path pidFile) throws IOException, InterruptedException {
    while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
      Thread.sleep(20);
    }
    return Long.parseLong(Files.readString(pidFile).strip());
  }

  private static void awaitGone(long pid) throws InterruptedException {
    for (int i = 0;
        i < 100 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        i++) {
      Thread.sleep(50);
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
        .as("process %d killed", pid)
        .isFalse();
  }
}
