package io.vmdna.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.hypervisor.api.MigrationResult;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The summary of {@code bench-migrate} and its options (the migrations run in the libvirt ITs). */
class LibvirtMigrationBenchTest {

  private static MigrationResult result(long totalMs, long downtimeMs) {
    return new MigrationResult("m", "vm", "host-a", "host-b", totalMs, downtimeMs, 1, false);
  }

  @Test
  void shouldSummariseEachKindAndCountLiveDowntimesWithinTheTarget() {
    Map<String, List<MigrationResult>> rs = new LinkedHashMap<>();
    rs.put(
        "LIVE", List.of(result(2000, 30), result(2500, 100), result(7000, 250), result(3000, 60)));
    rs.put("WARM", List.of(result(2400, 2100)));

    String s = LibvirtMigrationBench.summary(rs);

    assertThat(s)
        .containsPattern(
            "LIVE +n +4 +total +2000 / +2500 / +7000 / +7000 +downtime +30 / +60 / +250 / +250")
        .containsPattern("WARM +n +1 +total +2400 / +2400 / +2400 / +2400")
        .contains("LIVE downtime <= 100 ms in 3 of 4 migrations");
  }

  @Test
  void shouldRefuseBadOptionsNamingThem() {
    assertThatThrownBy(() -> new LibvirtMigrationBench(0, Path.of("g"), 0))
        .hasMessageContaining("--runs >= 1");
    assertThatThrownBy(() -> Vmdna.benchMigrate(new String[] {"bench-migrate", "--runs", "x"}))
        .hasMessageContaining("--runs");
    assertThatThrownBy(() -> Vmdna.benchMigrate(new String[] {"bench-migrate", "--speed", "1"}))
        .hasMessageContaining("--speed");
  }
}
