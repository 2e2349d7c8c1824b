package io.vmdna.models;

import java.time.Duration;

/** Durations as the command lines write them: {@code 30s}, {@code 5m}, {@code 1h}. Stateless. */
public final class Durations {
  private Durations() {}

  /**
   * Reads a whole number followed by {@code s}, {@code m} or {@code h}.
   *
   * @throws IllegalArgumentException when the text is not of that form
   */
  public static Duration parse(String text) {
    if (text == null || text.length() < 2) {
      throw new IllegalArgumentException("not a duration: '" + text + "'");
    }
    long n;
    try {
      n = Long.parseLong(text.substring(0, text.length() - 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a duration: '" + text + "'");
    }
    return switch (text.charAt(text.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> throw new IllegalArgumentException("not a duration: '" + text + "'");
    };
  }
}
