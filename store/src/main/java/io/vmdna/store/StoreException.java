package io.vmdna.store;

/** A database call that failed; the message names the operation and the key. */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
