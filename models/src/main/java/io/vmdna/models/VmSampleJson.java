package io.vmdna.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * The wire format of a {@link VmSample} on the samples topic (Kafka, keyed by VM id): one JSON
 * object with a {@code schema} version and the record's fields under their Java names, units as
 * {@link VmSample} documents them:
 *
 * <pre>{@code
 * {"schema":1,"vmId":"vm-7","hostId":"host-a","timestampS":1372636800,"cpuCores":4,
 *  "cpuProvisionedMhz":11703.99,"cpuUsageMhz":2340.8,"cpuUsagePct":20.0,
 *  "memProvisionedKb":16777216,"memUsageKb":8388608,"diskReadKbps":12.5,"diskWriteKbps":3.0,
 *  "netRxKbps":1.5,"netTxKbps":0.7,"majorFaultsPerS":0.2,"swapKbps":0.0}
 * }</pre>
 *
 * <p>{@code majorFaultsPerS} and {@code swapKbps} are optional: written only when the sample has
 * them, read as absent (NaN) when missing or null.
 *
 * <p>Decoding checks form (schema, presence and type of every field), not plausibility: the
 * profiler's {@link SampleCheck} judges values. Unknown fields are ignored, so a producer may add
 * fields without breaking older consumers. Stateless and thread-safe.
 */
public final class VmSampleJson {
  /** The schema version written and the only one read. */
  public static final int SCHEMA = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  private VmSampleJson() {}

  /** The sample as UTF-8 JSON. */
  public static byte[] encode(VmSample s) {
    ObjectNode n = JSON.createObjectNode();
    n.put("schema", SCHEMA);
    n.put("vmId", s.vmId());
    n.put("hostId", s.hostId());
    n.put("timestampS", s.timestampS());
    n.put("cpuCores", s.cpuCores());
    n.put("cpuProvisionedMhz", s.cpuProvisionedMhz());
    n.put("cpuUsageMhz", s.cpuUsageMhz());
    n.put("cpuUsagePct", s.cpuUsagePct());
    n.put("memProvisionedKb", s.memProvisionedKb());
    n.put("memUsageKb", s.memUsageKb());
    n.put("diskReadKbps", s.diskReadKbps());
    n.put("diskWriteKbps", s.diskWriteKbps());
    n.put("netRxKbps", s.netRxKbps());
    n.put("netTxKbps", s.netTxKbps());
    if (!Double.isNaN(s.majorFaultsPerS())) {
      n.put("majorFaultsPerS", s.majorFaultsPerS());
    }
    if (!Double.isNaN(s.swapKbps())) {
      n.put("swapKbps", s.swapKbps());
    }
    try {
      return JSON.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a sample as JSON", e);
    }
  }

  /**
   * Reads one sample.
   *
   * @throws IllegalArgumentException if the bytes are not a JSON object of schema {@value SCHEMA}
   *     with every field present and of its type; the message names the field
   */
  public static VmSample decode(byte[] json) {
    if (json == null || json.length == 0) {
      throw new IllegalArgumentException("empty record (no JSON sample)");
    }
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage());
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode schema = n.get("schema");
    if (schema == null || !schema.canConvertToInt() || schema.intValue() != SCHEMA) {
      throw new IllegalArgumentException(
          "field schema: need " + SCHEMA + ", got " + (schema == null ? "nothing" : schema));
    }
    String vmId = text(n, "vmId");
    if (vmId.isBlank()) {
      throw new IllegalArgumentException("field vmId: blank");
    }
    return new VmSample(
        vmId,
        text(n, "hostId"),
        whole(n, "timestampS"),
        (int) whole(n, "cpuCores"),
        number(n, "cpuProvisionedMhz"),
        number(n, "cpuUsageMhz"),
        number(n, "cpuUsagePct"),
        number(n, "memProvisionedKb"),
        number(n, "memUsageKb"),
        number(n, "diskReadKbps"),
        number(n, "diskWriteKbps"),
        number(n, "netRxKbps"),
        number(n, "netTxKbps"),
        optionalNumber(n, "majorFaultsPerS"),
        optionalNumber(n, "swapKbps"));
  }

  /** A number, or NaN (absent) when the field is missing or null. */
  private static double optionalNumber(JsonNode n, String name) {
    JsonNode v = n.get(name);
    return v == null || v.isNull() ? Double.NaN : number(n, name);
  }

  private static JsonNode field(JsonNode n, String name) {
    JsonNode v = n.get(name);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("field " + name + ": missing");
    }
    return v;
  }

  private static String text(JsonNode n, String name) {
    JsonNode v = field(n, name);
    if (!v.isTextual()) {
      throw new IllegalArgumentException("field " + name + ": need a string, got " + v);
    }
    return v.textValue();
  }

  private static long whole(JsonNode n, String name) {
    JsonNode v = field(n, name);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IllegalArgumentException("field " + name + ": need a whole number, got " + v);
    }
    if (name.equals("cpuCores") && !v.canConvertToInt()) {
      throw new IllegalArgumentException("field " + name + ": out of range, got " + v);
    }
    return v.longValue();
  }

  private static double number(JsonNode n, String name) {
    JsonNode v = field(n, name);
    if (!v.isNumber()) {
      throw new IllegalArgumentException("field " + name + ": need a number, got " + v);
    }
    return v.doubleValue();
  }
}
