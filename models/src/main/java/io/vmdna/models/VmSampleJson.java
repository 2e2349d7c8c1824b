package io.vmdna.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

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
    JsonNode n = JsonFields.object(json, SCHEMA, "sample");
    String vmId = JsonFields.text(n, "vmId");
    if (vmId.isBlank()) {
      throw new IllegalArgumentException("field vmId: blank");
    }
    long cores = JsonFields.whole(n, "cpuCores");
    if (cores != (int) cores) {
      throw new IllegalArgumentException("field cpuCores: out of range, got " + cores);
    }
    return new VmSample(
        vmId,
        JsonFields.text(n, "hostId"),
        JsonFields.whole(n, "timestampS"),
        (int) cores,
        JsonFields.number(n, "cpuProvisionedMhz"),
        JsonFields.number(n, "cpuUsageMhz"),
        JsonFields.number(n, "cpuUsagePct"),
        JsonFields.number(n, "memProvisionedKb"),
        JsonFields.number(n, "memUsageKb"),
        JsonFields.number(n, "diskReadKbps"),
        JsonFields.number(n, "diskWriteKbps"),
        JsonFields.number(n, "netRxKbps"),
        JsonFields.number(n, "netTxKbps"),
        JsonFields.optionalNumber(n, "majorFaultsPerS"),
        JsonFields.optionalNumber(n, "swapKbps"));
  }
}
