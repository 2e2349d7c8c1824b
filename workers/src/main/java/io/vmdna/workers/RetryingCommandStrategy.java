package io.vmdna.workers;

import io.camunda.client.api.worker.BackoffSupplier;
import io.camunda.client.jobhandling.CommandExceptionHandlingStrategy;
import io.camunda.client.jobhandling.CommandWrapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when the gateway refuses a job's complete, fail or throw-error command: a transient
 * refusal ({@code RESOURCE_EXHAUSTED}, {@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED}, {@code
 * ABORTED}) sends the command again after a backoff, up to {@code
 * camunda.client.worker.defaults.max-retries} times and while the job's deadline has not passed;
 * {@code NOT_FOUND} (the job is gone: an earlier send went through, or it timed out and was handed
 * out again) is logged and dropped; anything else is logged and dropped. A dropped command's job is
 * handed out again once its timeout passes, and every step is idempotent by migration id.
 *
 * <p>Why not the client's own strategy: the Camunda client (8.8.1) hands a command's failure over
 * wrapped in a {@link CompletionException} (from {@code send().thenApply(...).exceptionally(...)}),
 * which its {@code DefaultCommandExceptionHandlingStrategy} silently ignores; and handed the gRPC
 * error itself, it throws on {@code RESOURCE_EXHAUSTED} instead of retrying, into a future nobody
 * reads. Either way the command was never sent again, nothing was logged, and the job stayed active
 * until its timeout: the 60 s stalls measured on the 8.6 broker under load, e.g. a reserve-capacity
 * job whose {@code CAPACITY_GONE} never reached the engine ({@code RetryingCommandStrategyTest}
 * shows both with the client's own classes).
 *
 * <p>Thread-safe; called on the client's threads.
 */
public final class RetryingCommandStrategy implements CommandExceptionHandlingStrategy {
  private static final Logger LOG = LoggerFactory.getLogger(RetryingCommandStrategy.class);

  /** Refusals that say "not now" rather than "never". */
  static final Set<Status.Code> TRANSIENT =
      Set.of(
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.UNAVAILABLE,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.ABORTED);

  private final BackoffSupplier backoff;
  private final ScheduledExecutorService scheduler;

  /**
   * @param backoff the delay before each new send (the wrapper keeps the current one)
   * @param scheduler where the new sends are scheduled
   */
  public RetryingCommandStrategy(BackoffSupplier backoff, ScheduledExecutorService scheduler) {
    this.backoff = backoff;
    this.scheduler = scheduler;
  }

  @Override
  public void handleCommandError(CommandWrapper command, Throwable error) {
    Throwable cause = unwrap(error);
    Status.Code code =
        cause instanceof StatusRuntimeException s ? s.getStatus().getCode() : Status.Code.UNKNOWN;
    if (TRANSIENT.contains(code) && command.hasMoreRetries()) {
      command.increaseBackoffUsing(backoff);
      LOG.warn("sending {} again after {}", command, code);
      command.scheduleExecutionUsing(scheduler);
    } else if (code == Status.Code.NOT_FOUND) {
      LOG.info(
          "{} found no job (done by an earlier send, or handed out again): {}", command, cause);
    } else {
      LOG.warn(
          "{} failed and is not sent again ({}); its job is handed out again after its timeout",
          command,
          cause.toString());
    }
  }

  /** The error inside any {@link CompletionException} or {@link ExecutionException} layers. */
  static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
