package io.vmdna.hypervisor.api;

/**
 * A hypervisor operation that failed for a technical or business reason. The message names the
 * operation, the host and the VM where known.
 */
public class HypervisorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public HypervisorException(String message) {
    super(message);
  }

  /** Creates the exception with its cause. */
  public HypervisorException(String message, Throwable cause) {
    super(message, cause);
  }
}
