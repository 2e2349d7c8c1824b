package io.vmdna.models.dna;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FlowRecordJsonTest {
  private static final FlowRecord FLOW =
      new FlowRecord("vm-7", 1_372_636_800L, "tcp", "10.0.0.5", 25_000);

  @Test
  void shouldRoundTripAndIgnoreUnknownFields() {
    String json = new String(FlowRecordJson.encode(FLOW), StandardCharsets.UTF_8);
    assertThat(json)
        .isEqualTo(
            "{\"schema\":1,\"vmId\":\"vm-7\",\"timestampS\":1372636800,\"protocol\":\"tcp\","
                + "\"destination\":\"10.0.0.5\",\"bytes\":25000}");
    assertThat(FlowRecordJson.decode(FlowRecordJson.encode(FLOW))).isEqualTo(FLOW);
    String extended = json.replace("{\"schema\":1,", "{\"schema\":1,\"port\":443,");
    assertThat(FlowRecordJson.decode(extended.getBytes(StandardCharsets.UTF_8))).isEqualTo(FLOW);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not JSON | {\"schema\":1, | not JSON",
        "an array | [1] | not a JSON object",
        "newer schema | {\"schema\":2} | field schema: need 1, got 2",
        "no vm | {\"schema\":1,\"timestampS\":1} | field vmId: missing",
        "text bytes | {\"schema\":1,\"vmId\":\"a\",\"timestampS\":1,\"protocol\":\"tcp\",\"destination\":\"d\",\"bytes\":\"x\"} | field bytes: need a whole number",
        "negative bytes | {\"schema\":1,\"vmId\":\"a\",\"timestampS\":1,\"protocol\":\"tcp\",\"destination\":\"d\",\"bytes\":-1} | flow record of VM a has negative bytes -1",
        "blank protocol | {\"schema\":1,\"vmId\":\"a\",\"timestampS\":1,\"protocol\":\" \",\"destination\":\"d\",\"bytes\":1} | flow record of VM a needs a protocol",
      })
  void shouldNameWhatIsWrong(String what, String input, String message) {
    assertThatThrownBy(() -> FlowRecordJson.decode(input.getBytes(StandardCharsets.UTF_8)))
        .as(what)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }
}
