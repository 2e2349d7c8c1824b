package io.vmdna.workers.api;

import org.springframework.http.HttpStatus;

/** An API error with its HTTP status and a message safe to show to the caller. */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final HttpStatus status;

  /** Creates the error. */
  public ApiException(HttpStatus status, String message) {
    super(message);
    this.status = status;
  }

  /** The HTTP status to answer with. */
  public HttpStatus status() {
    return status;
  }
}
