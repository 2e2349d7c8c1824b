package io.vmdna.workers.jobs;

/**
 * A process variable a worker cannot use, naming the variable and what is wrong with it. The job
 * fails with no retries left, so the engine raises an incident at once (retrying cannot mend a
 * variable): correct the variable in Operate and resolve the incident.
 */
public final class InvalidVariableException extends RuntimeException {
  private final String variable;

  /**
   * @param variable the variable's name, with a path for a field inside one (e.g. {@code
   *     forecast.cpuP90})
   * @param problem what is wrong, e.g. {@code must be a number >= 0, was 'lots'}
   */
  public InvalidVariableException(String variable, String problem) {
    super("process variable '" + variable + "' " + problem);
    this.variable = variable;
  }

  /** The variable's name (with a path for a field inside one). */
  public String variable() {
    return variable;
  }
}
