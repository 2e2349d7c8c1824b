package io.vmdna.workers;

import io.camunda.client.api.response.ActivatedJob;
import io.camunda.client.exception.CamundaError;
import io.camunda.client.jobhandling.JobExceptionHandlingStrategy;
import io.vmdna.hypervisor.api.HypervisorUnavailableException;
import io.vmdna.store.StoreException;
import io.vmdna.workers.jobs.InvalidVariableException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a job worker's exception reaches the engine. BPMN errors and explicit job errors go the
 * standard way. A technical failure (a host that does not answer, the database, anything
 * unexpected) fails the job with one retry fewer, a backoff, and a message an operator can act on:
 * what failed, for which migration, on which host, and what to do. When the retries run out the
 * engine raises an incident carrying that message; fixing the cause and resolving the incident in
 * Operate (with new retries) runs the step again, which is safe because every step is idempotent by
 * migration id. A process variable the worker cannot use (missing, of the wrong type, or out of
 * range) fails the job with no retries: the incident names the variable at once.
 */
public final class TechnicalFailureStrategy implements JobExceptionHandlingStrategy {
  private static final Logger LOG = LoggerFactory.getLogger(TechnicalFailureStrategy.class);
  private final JobExceptionHandlingStrategy standard;
  private final Duration backoff;

  /**
   * @param standard the starter's strategy, for BPMN errors and explicit job errors
   * @param backoff the wait before a failed job is retried
   */
  public TechnicalFailureStrategy(JobExceptionHandlingStrategy standard, Duration backoff) {
    this.standard = standard;
    this.backoff = backoff;
  }

  @Override
  public void handleException(Exception e, ExceptionHandlingContext ctx) throws Exception {
    if (e instanceof CamundaError) {
      standard.handleException(e, ctx);
      return;
    }
    ActivatedJob job = ctx.job();
    if (badVariable(e)) {
      // retrying cannot mend a variable: an incident at once, saying which one
      String message =
          ("%s failed for migration %s: %s. What to do: correct the variable in Operate (the"
                  + " instance's Variables), then resolve this incident.")
              .formatted(job.getType(), job.getVariablesAsMap().get("migrationId"), e.getMessage());
      LOG.warn("{}", message);
      ctx.jobClient().newFailCommand(job.getKey()).retries(0).errorMessage(message).send().join();
      return;
    }
    int retries = Math.max(0, job.getRetries() - 1);
    String message = message(e, job, retries);
    LOG.warn("{}", message, e);
    ctx.jobClient()
        .newFailCommand(job.getKey())
        .retries(retries)
        .retryBackoff(backoff)
        .errorMessage(message)
        .send()
        .join();
  }

  /**
   * A variable the worker cannot use ({@link InvalidVariableException}, anywhere in the causes). A
   * parameter the Camunda client cannot bind never gets here: binding happens before this strategy
   * applies, and {@code WorkersConfiguration#parameterResolverStrategy} names the variable there.
   */
  public static boolean badVariable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InvalidVariableException) {
        return true;
      }
    }
    return false;
  }

  private String message(Exception e, ActivatedJob job, int retriesLeft) {
    Object migrationId = job.getVariablesAsMap().get("migrationId");
    String what = "%s failed for migration %s".formatted(job.getType(), migrationId);
    String todo;
    if (e instanceof HypervisorUnavailableException h) {
      what += " on host " + h.hostId() + " (" + h.operation() + ")";
      todo = "check that host %s and its hypervisor answer".formatted(h.hostId());
    } else if (e instanceof StoreException) {
      todo = "check that the vmdna PostgreSQL database is up and reachable";
    } else {
      todo = "see the workers' log for the stack trace";
    }
    String next =
        retriesLeft > 0
            ? "retrying in %s (%d retries left)".formatted(backoff, retriesLeft)
            : "no retries left: fix the cause, then resolve this incident in Operate";
    return "%s: %s. What to do: %s; %s.".formatted(what, e.getMessage(), todo, next);
  }
}
