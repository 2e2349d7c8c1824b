package io.vmdna.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VmSampleJsonTest {
  private static final VmSample SAMPLE =
      new VmSample(
          "vm-7",
          "host-a",
          1_372_636_800L,
          4,
          11703.99,
          2340.8,
          20.0,
          16_777_216,
          8_388_608,
          12.5,
          3.0,
          1.5,
          0.7);

  @Test
  void shouldRoundTripEveryField() {
    assertThat(VmSampleJson.decode(VmSampleJson.encode(SAMPLE))).isEqualTo(SAMPLE);
  }

  @Test
  void shouldCarryTheOptionalMemoryMetricsOnlyWhenPresent() {
    VmSample withMemory =
        new VmSample(
            "vm-7",
            "host-a",
            1_372_636_800L,
            4,
            11703.99,
            2340.8,
            20.0,
            16_777_216,
            8_388_608,
            12.5,
            3.0,
            1.5,
            0.7,
            0.25,
            0.0);
    String json = new String(VmSampleJson.encode(withMemory), StandardCharsets.UTF_8);
    assertThat(json).endsWith(",\"majorFaultsPerS\":0.25,\"swapKbps\":0.0}");
    assertThat(VmSampleJson.decode(VmSampleJson.encode(withMemory))).isEqualTo(withMemory);

    // without them nothing is written, and a null reads as absent
    assertThat(new String(VmSampleJson.encode(SAMPLE), StandardCharsets.UTF_8))
        .doesNotContain("majorFaultsPerS")
        .doesNotContain("swapKbps");
    assertThat(SAMPLE.majorFaultsPerS()).isNaN();
    String nulls = json.replace("0.25", "null");
    VmSample read = VmSampleJson.decode(nulls.getBytes(StandardCharsets.UTF_8));
    assertThat(read.majorFaultsPerS()).isNaN();
    assertThat(read.swapKbps()).isZero();
    assertThatThrownBy(
            () ->
                VmSampleJson.decode(
                    json.replace("0.25", "\"many\"").getBytes(StandardCharsets.UTF_8)))
        .hasMessageStartingWith("field majorFaultsPerS: need a number");
  }

  @Test
  void shouldWriteTheSchemaVersionAndIgnoreUnknownFields() {
    String json = new String(VmSampleJson.encode(SAMPLE), StandardCharsets.UTF_8);
    assertThat(json).startsWith("{\"schema\":1,\"vmId\":\"vm-7\"");
    String extended = json.replace("{\"schema\":1,", "{\"schema\":1,\"rack\":\"r1\",");
    assertThat(VmSampleJson.decode(extended.getBytes(StandardCharsets.UTF_8))).isEqualTo(SAMPLE);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not JSON | {\"schema\":1, | not JSON",
        "an array | [1,2] | not a JSON object",
        "no schema | {\"vmId\":\"a\"} | field schema: need 1, got nothing",
        "newer schema | {\"schema\":2} | field schema: need 1, got 2",
        "missing field | SAMPLE-netTxKbps | field netTxKbps: missing",
        "text for a number | SAMPLE:cpuUsagePct=\"high\" | field cpuUsagePct: need a number",
        "fraction for a whole | SAMPLE:timestampS=1.5 | field timestampS: need a whole number",
        "huge core count | SAMPLE:cpuCores=99999999999 | field cpuCores: out of range",
        "number for the vm | SAMPLE:vmId=7 | field vmId: need a string",
        "blank vm | SAMPLE:vmId=\" \" | field vmId: blank",
      })
  void shouldNameWhatIsWrong(String what, String input, String message) {
    assertThatThrownBy(() -> VmSampleJson.decode(bytes(input)))
        .as(what)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void shouldRefuseAnEmptyRecord() {
    assertThatThrownBy(() -> VmSampleJson.decode(new byte[0])).hasMessageContaining("empty record");
    assertThatThrownBy(() -> VmSampleJson.decode(null)).hasMessageContaining("empty record");
  }

  /** {@code SAMPLE-f} drops field f; {@code SAMPLE:f=v} sets it to raw JSON v; else literal. */
  private static byte[] bytes(String spec) {
    String json = new String(VmSampleJson.encode(SAMPLE), StandardCharsets.UTF_8);
    if (spec.startsWith("SAMPLE-")) {
      String f = spec.substring(7);
      json = json.replaceAll(",\"" + f + "\":[^,}]+", "");
    } else if (spec.startsWith("SAMPLE:")) {
      String f = spec.substring(7, spec.indexOf('='));
      String v = spec.substring(spec.indexOf('=') + 1);
      json = json.replaceAll("\"" + f + "\":(\"[^\"]*\"|[^,}]+)", "\"" + f + "\":" + v);
    } else {
      json = spec;
    }
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
