package io.vmdna.workers.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmdna.workers.TechnicalFailureStrategy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checks workers run on the process variables they read. */
class StepsTest {
  @Test
  void shouldTakeAFieldWhenItIsANumberAtLeastZeroAndFallBackWhenAbsent() {
    Map<String, Object> forecast = new HashMap<>(Map.of("cpuP90", 1200, "memP90", 0.0));
    forecast.put("netP90", null);

    assertThat(Steps.number(forecast, "forecast", "cpuP90", 7)).isEqualTo(1200);
    assertThat(Steps.number(forecast, "forecast", "memP90", 7)).isZero();
    assertThat(Steps.number(forecast, "forecast", "netP90", 7)).isEqualTo(7);
    assertThat(Steps.number(forecast, "forecast", "missing", 7)).isEqualTo(7);
    assertThat(Steps.number(null, "forecast", "cpuP90", 7)).isEqualTo(7);
  }

  @Test
  void shouldNameTheVariableAndTheValueThatIsWrong() {
    assertThatThrownBy(() -> Steps.number(Map.of("cpuP90", "lots"), "forecast", "cpuP90", 1))
        .isInstanceOf(InvalidVariableException.class)
        .hasMessage("process variable 'forecast.cpuP90' must be a number >= 0, was 'lots'");
    assertThatThrownBy(() -> Steps.nonNegative("cpuNeedMhz", -5.0))
        .hasMessage("process variable 'cpuNeedMhz' must be a number >= 0, was '-5.0'");
    assertThatThrownBy(() -> Steps.nonNegative("cpuNeedMhz", Double.NaN))
        .hasMessageContaining("was 'NaN'");
    assertThatThrownBy(() -> Steps.text("vmId", " "))
        .isInstanceOf(InvalidVariableException.class)
        .hasMessage("process variable 'vmId' must not be blank")
        .extracting(e -> ((InvalidVariableException) e).variable())
        .isEqualTo("vmId");
  }

  @Test
  void shouldTellBadVariablesFromTechnicalFailures() {
    assertThat(TechnicalFailureStrategy.badVariable(new InvalidVariableException("x", "is bad")))
        .isTrue();
    assertThat(
            TechnicalFailureStrategy.badVariable(
                new RuntimeException("wrapped", new InvalidVariableException("vmId", "is bad"))))
        .isTrue();
    assertThat(TechnicalFailureStrategy.badVariable(new IllegalStateException("host down")))
        .isFalse();
  }
}
