package io.vmdna.workers.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The token bucket's refill, on a clock the test moves (the HTTP answers are in MigrationApiIT).
 */
class WriteLimitsFilterTest {
  private Instant now = Instant.parse("2026-11-22T00:00:00Z");
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  @Test
  void shouldRefillOneStartPerIntervalAndSayWhenToRetry() {
    WriteLimitsFilter f = new WriteLimitsFilter(2, 1000, clock);

    assertThat(f.take("ops")).isZero();
    assertThat(f.take("ops")).isZero();
    assertThat(f.take("ops")).as("seconds until a start is free").isEqualTo(30);
    assertThat(f.take("other")).as("per caller").isZero();

    now = now.plusSeconds(29);
    assertThat(f.take("ops")).isEqualTo(1);
    now = now.plusSeconds(1);
    assertThat(f.take("ops")).isZero();
  }

  @Test
  void shouldRejectNonsenseLimits() {
    assertThatThrownBy(() -> new WriteLimitsFilter(0, 10, clock))
        .hasMessageContaining("vmdna.api.migrations-per-minute");
  }
}
