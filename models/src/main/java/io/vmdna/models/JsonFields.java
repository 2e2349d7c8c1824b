package io.vmdna.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Reading the fields of vmdna's versioned JSON records ({@link VmSampleJson}, {@code
 * FlowRecordJson}) with errors that name the field. Stateless and thread-safe.
 */
public final class JsonFields {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonFields() {}

  /**
   * Parses one record: a JSON object whose {@code schema} is {@code schema}.
   *
   * @param what what the record is, for the error of an empty one ("sample", "flow record")
   * @throws IllegalArgumentException if the bytes are empty, not JSON, not an object or of another
   *     schema
   */
  public static JsonNode object(byte[] json, int schema, String what) {
    if (json == null || json.length == 0) {
      throw new IllegalArgumentException("empty record (no JSON " + what + ")");
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
    JsonNode s = n.get("schema");
    if (s == null || !s.canConvertToInt() || s.intValue() != schema) {
      throw new IllegalArgumentException(
          "field schema: need " + schema + ", got " + (s == null ? "nothing" : s));
    }
    return n;
  }

  /** A present, non-null field. */
  private static JsonNode field(JsonNode n, String name) {
    JsonNode v = n.get(name);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("field " + name + ": missing");
    }
    return v;
  }

  /** A string field. */
  public static String text(JsonNode n, String name) {
    JsonNode v = field(n, name);
    if (!v.isTextual()) {
      throw new IllegalArgumentException("field " + name + ": need a string, got " + v);
    }
    return v.textValue();
  }

  /** A whole-number field. */
  public static long whole(JsonNode n, String name) {
    JsonNode v = field(n, name);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IllegalArgumentException("field " + name + ": need a whole number, got " + v);
    }
    return v.longValue();
  }

  /** A number field. */
  public static double number(JsonNode n, String name) {
    JsonNode v = field(n, name);
    if (!v.isNumber()) {
      throw new IllegalArgumentException("field " + name + ": need a number, got " + v);
    }
    return v.doubleValue();
  }

  /** A number field, or NaN (absent) when it is missing or null. */
  public static double optionalNumber(JsonNode n, String name) {
    JsonNode v = n.get(name);
    return v == null || v.isNull() ? Double.NaN : number(n, name);
  }
}
