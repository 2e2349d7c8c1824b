package io.vmdna.models.trace;

/** A trace file that cannot be read at all (missing or wrong header, unreadable file). */
public final class TraceFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception; the message names the file and what was wrong. */
  public TraceFormatException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Creates the exception; the message names the file and what was wrong. */
  public TraceFormatException(String message) {
    super(message);
  }
}
