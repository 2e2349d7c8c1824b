package io.vmdna.models.dna;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmdna.models.JsonFields;

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
    JsonNode n = JsonFields.object(json, SCHEMA, "flow record");
    return new FlowRecord(
        JsonFields.text(n, "vmId"),
        JsonFields.whole(n, "timestampS"),
        JsonFields.text(n, "protocol"),
        JsonFields.text(n, "destination"),
        JsonFields.whole(n, "bytes"));
  }
}
