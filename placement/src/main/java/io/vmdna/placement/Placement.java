package io.vmdna.placement;

import java.util.Map;
import java.util.Optional;

/**
 * The outcome of a host scan.
 *
 * @param targetHostId the best host, empty when none passed the filters
 * @param scores weighted score of every host that passed, by host id
 * @param rejections why each other host was rejected, by host id
 */
public record Placement(
    Optional<String> targetHostId, Map<String, Double> scores, Map<String, String> rejections) {
  /** Copies the maps. */
  public Placement {
    scores = Map.copyOf(scores);
    rejections = Map.copyOf(rejections);
  }

  /**
   * The decision as a process variable, visible in Operate: {@code chosen}, {@code scores} (host →
   * weighted score) and {@code rejections} (host → why).
   */
  public Map<String, Object> asVariable() {
    Map<String, Object> v = new java.util.LinkedHashMap<>();
    v.put("chosen", targetHostId.orElse(null));
    v.put("scores", new java.util.TreeMap<>(scores));
    v.put("rejections", new java.util.TreeMap<>(rejections));
    return v;
  }

  /** A one-line explanation, e.g. for a BPMN variable or a log line. */
  public String explain() {
    return targetHostId
        .map(h -> "chose " + h + " " + scores)
        .orElse("no suitable host: " + rejections);
  }
}
