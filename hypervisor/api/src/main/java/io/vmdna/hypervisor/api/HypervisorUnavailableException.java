package io.vmdna.hypervisor.api;

/**
 * A hypervisor or host that did not answer (connection refused, timeout): a technical failure,
 * worth retrying later, unlike a refused operation. The message names the host and the operation.
 */
public class HypervisorUnavailableException extends HypervisorException {
  private static final long serialVersionUID = 1L;
  private final String hostId;
  private final String operation;

  /**
   * @param hostId the host that did not answer
   * @param operation what was asked of it, e.g. {@code migrate 47}
   * @param message what happened
   */
  public HypervisorUnavailableException(String hostId, String operation, String message) {
    super("%s: host %s did not answer: %s".formatted(operation, hostId, message));
    this.hostId = hostId;
    this.operation = operation;
  }

  /** The host that did not answer. */
  public String hostId() {
    return hostId;
  }

  /** The operation that was asked of it. */
  public String operation() {
    return operation;
  }
}
