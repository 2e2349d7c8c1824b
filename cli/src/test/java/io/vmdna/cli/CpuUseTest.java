package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CpuUseTest {
  private static final String PROC_STAT =
      """
      cpu  3007085 408 338754 4557120 24145 0 12235 767 0 0
      cpu0 1503542 204 169377 2278560 12072 0 6117 383 0 0
      intr 123
      """;

  @Test
  void shouldCountBusyTimeAndTheProcessAndItsChildren() {
    // a command name with a space and a ')' in it, as a process can name itself
    String self =
        "4242 (java (x) y) S 1 4242 4242 0 -1 4194304 131 0 0 0 250 50 700 120 20 0 1 0 4040277";

    CpuUse u = CpuUse.parse(PROC_STAT, self);

    // user + nice + system + irq + softirq + steal; idle and iowait are not busy
    assertThat(u.machineS())
        .isCloseTo((3007085 + 408 + 338754 + 0 + 12235 + 767) / 100.0, within(1e-9));
    assertThat(u.selfS()).isCloseTo(3.0, within(1e-9));
    assertThat(u.childrenS()).isCloseTo(8.2, within(1e-9));
  }

  @Test
  void shouldSubtractAnEarlierReadingAndNeverReportNegativeOthers() {
    CpuUse before = new CpuUse(100, 10, 5);
    CpuUse after = new CpuUse(160, 40, 20);

    CpuUse d = after.since(before);

    assertThat(d).isEqualTo(new CpuUse(60, 30, 15));
    assertThat(d.othersS()).isEqualTo(15);
    assertThat(new CpuUse(1, 2, 0).othersS()).isZero();
  }

  @Test
  void shouldNameTheFileThatIsNotAsLinuxWritesIt() {
    assertThatThrownBy(() -> CpuUse.parse("intr 1\n", "1 (x) S"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/proc/stat");
    assertThatThrownBy(() -> CpuUse.parse(PROC_STAT, "1 x S 1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/proc/self/stat");
    assertThatThrownBy(() -> CpuUse.parse(PROC_STAT, "1 (x) S 1 2"))
        .hasMessageContaining("too few fields");
  }

  @Test
  void shouldReadThisMachineWhenItHasProc() {
    if (!java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/stat"))) {
      assertThat(CpuUse.now()).isEmpty();
      return;
    }
    CpuUse u = CpuUse.now().orElseThrow();
    assertThat(u.machineS()).isPositive();
    assertThat(u.selfS()).isPositive().isLessThanOrEqualTo(u.machineS());
  }

  @Test
  void shouldReportMillisecondsPerMigration() {
    String r = MigrationBench.cpuReport(new CpuUse(20, 8, 4), 400, 12.5);

    assertThat(r)
        .contains("20.0 s busy of")
        .contains("(50 ms per migration)")
        .containsPattern("this process .* 8\\.0 s +20\\.0 ms per migration")
        .containsPattern("child processes .* 4\\.0 s +10\\.0 ms per migration")
        .containsPattern("everything else .* 8\\.0 s +20\\.0 ms per migration");
  }
}
