package io.vmdna.models.dna;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * The wire format of a {@link FlowRecord} on the flows topic (Kafka, keyed by VM id), written by
 * {@code ./vmdna collect --conntrack} or any flow collector:
 *
 * <pre>{@code
 * {"schema":1,"vmId":"vm-7","timestampS":1372636800,"protocol":"tcp",
 *  "destination":"10.0.0.5","bytes":25000}
 * }</pre>
 *
 * <p>{@code bytes} are those of the flow since the collector's previous report of it (both
 * directions; 0 when the collector has no byte accounting). Decoding checks form and the record's
 * own rules (a VM, a protocol, a destination, bytes ≥ 0) and names the field; unknown fields are
 * ignored. Stateless and thread-safe.
 */
public final class FlowRecordJson {
  /** The schema version written and the only one read. */
  public static final int SCHEMA = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  private FlowRecordJson() {}

  /** The record as UTF-8 JSON. */
  public static byte[] encode(FlowRecord f) {
    ObjectNode n = JSON.createObjectNode();
    n.put("schema", SCHEMA);
    n.put("vmId", f.vmId());
    n.put("timestampS", f.timestampS());
    n.put("protocol", f.protocol());
    n.put("destination", f.destination());
    n.put("bytes", f.bytes());
    try {
      return JSON.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a flow record as JSON", e);
    }
  }

  /**
   * Reads one record.
   *
   * @throws IllegalArgumentException if the bytes are not a JSON object of schema {@value SCHEMA}
   *     with every field present, of its type and valid; the message names the field
   */
  public static FlowRecord decode(byte[] json) {
    if (json == null || json.length == 0) {
      throw new IllegalArgumentException("empty record (no JSON flow record)");
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
    return new FlowRecord(
        text(n, "vmId"),
        whole(n, "timestampS"),
        text(n, "protocol"),
        text(n, "destination"),
        whole(n, "bytes"));
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
    return v.longValue();
  }
}
