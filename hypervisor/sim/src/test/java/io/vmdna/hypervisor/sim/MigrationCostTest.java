package io.vmdna.hypervisor.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The sim hypervisor's migration cost model. */
class MigrationCostTest {
  @Test
  void shouldSendUsedMemoryTimesTheDirtyFactorOverTheLink() {
    MigrationCost c = new MigrationCost(1L << 30, 1.25, 30, 2600);

    // 8 GiB used: 10 GiB sent at 1 GiB/s = 10 s, plus 30 ms downtime
    assertThat(c.bytes(8L << 20)).isEqualTo(10L << 30);
    assertThat(c.durationMs(8L << 20)).isEqualTo(10_030);
    assertThat(c.durationMs(0)).isEqualTo(30);
    assertThat(MigrationCost.defaults()).isEqualTo(c);
  }

  @Test
  void shouldRejectImpossibleCosts() {
    assertThatThrownBy(() -> new MigrationCost(0, 1.25, 30, 0)).hasMessageContaining("link > 0");
    assertThatThrownBy(() -> new MigrationCost(1, 0.5, 30, 0)).hasMessageContaining("0.5");
    assertThatThrownBy(() -> new MigrationCost(1, 1, -1, 0)).hasMessageContaining("-1");
  }
}
