package io.vmdna.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.camunda.client.api.CamundaFuture;
import io.camunda.client.api.command.FinalCommandStep;
import io.camunda.client.api.worker.BackoffSupplier;
import io.camunda.client.impl.CamundaClientFutureImpl;
import io.camunda.client.impl.CamundaObjectMapper;
import io.camunda.client.impl.response.ActivatedJobImpl;
import io.camunda.client.jobhandling.CommandExceptionHandlingStrategy;
import io.camunda.client.jobhandling.CommandWrapper;
import io.camunda.client.jobhandling.DefaultCommandExceptionHandlingStrategy;
import io.camunda.client.metrics.DefaultNoopMetricsRecorder;
import io.camunda.zeebe.gateway.protocol.GatewayOuterClass;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A job command the gateway refuses, sent through the Camunda client's own {@link CommandWrapper}
 * the way its job handlers send complete, fail and throw-error commands ({@code
 * executeAsyncWithMetrics}, with {@code max-retries} 20).
 */
class RetryingCommandStrategyTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final BackoffSupplier backoff =
      BackoffSupplier.newBackoffBuilder().minDelay(10).maxDelay(50).build();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  /** Each send answers with the next of the given gRPC codes (OK: accepted); counts the sends. */
  private static final class Gateway implements FinalCommandStep<Void> {
    final ArrayDeque<Status.Code> answers;
    final AtomicInteger sends = new AtomicInteger();

    Gateway(Status.Code... answers) {
      this.answers = new ArrayDeque<>(List.of(answers));
    }

    @Override
    public FinalCommandStep<Void> requestTimeout(Duration timeout) {
      return this;
    }

    @Override
    public CamundaFuture<Void> send() {
      sends.incrementAndGet();
      CamundaClientFutureImpl<Void, Object> f = new CamundaClientFutureImpl<>(r -> null);
      Status.Code answer = answers.isEmpty() ? Status.Code.OK : answers.poll();
      if (answer == Status.Code.OK) {
        f.onNext(new Object());
      } else {
        f.onError(Status.fromCode(answer).withDescription("refused").asRuntimeException());
      }
      return f;
    }
  }

  private static ActivatedJobImpl job(long deadlineMs) {
    return new ActivatedJobImpl(
        new CamundaObjectMapper(),
        GatewayOuterClass.ActivatedJob.newBuilder()
            .setKey(1)
            .setType("vmdna.reserve-capacity")
            .setDeadline(deadlineMs)
            .setVariables("{}")
            .setCustomHeaders("{}")
            .build());
  }

  /** Sends through the client's wrapper; waits until the sends settle; returns how many. */
  private int sends(
      CommandExceptionHandlingStrategy strategy, long deadlineMs, Status.Code... codes)
      throws InterruptedException {
    Gateway gateway = new Gateway(codes);
    new CommandWrapper(gateway, job(deadlineMs), strategy, new DefaultNoopMetricsRecorder(), 20)
        .executeAsyncWithMetrics("test", "completed", "vmdna.reserve-capacity");
    int last = -1;
    for (int stable = 0; stable < 10; ) {
      Thread.sleep(50);
      int now = gateway.sends.get();
      stable = now == last ? stable + 1 : 0;
      last = now;
    }
    return last;
  }

  private RetryingCommandStrategy retrying() {
    return new RetryingCommandStrategy(backoff, scheduler);
  }

  private static long inAMinute() {
    return System.currentTimeMillis() + 60_000;
  }

  @Test
  void shouldSendACommandRefusedForNowAgainUntilItIsAccepted() throws Exception {
    assertThat(sends(retrying(), inAMinute(), Status.Code.RESOURCE_EXHAUSTED)).isEqualTo(2);
    assertThat(
            sends(
                retrying(),
                inAMinute(),
                Status.Code.UNAVAILABLE,
                Status.Code.DEADLINE_EXCEEDED,
                Status.Code.RESOURCE_EXHAUSTED))
        .isEqualTo(4);
  }

  @Test
  void shouldGiveUpAfterMaxRetriesOrOnARefusalThatIsNotTransient() throws Exception {
    Status.Code[] always = new Status.Code[40];
    java.util.Arrays.fill(always, Status.Code.RESOURCE_EXHAUSTED);
    assertThat(sends(retrying(), inAMinute(), always)).isEqualTo(20);
    assertThat(sends(retrying(), inAMinute(), Status.Code.NOT_FOUND)).isEqualTo(1);
    assertThat(sends(retrying(), inAMinute(), Status.Code.INVALID_ARGUMENT)).isEqualTo(1);
  }

  @Test
  void shouldNotSendAgainOnceTheJobsDeadlineHasPassed() throws Exception {
    // the client compares the deadline (ms) with the clock in seconds: a deadline in the past
    assertThat(sends(retrying(), 0, Status.Code.RESOURCE_EXHAUSTED)).isEqualTo(1);
  }

  /**
   * What the strategy replaces: with the client's own default strategy (8.8.1) a refused command is
   * never sent again, whether the error reaches it wrapped (as from its job handlers) or not. If a
   * client release retries, this fails, and the replacement can go.
   */
  @Test
  void theClientsOwnStrategyNeverSendsARefusedCommandAgain() throws Exception {
    DefaultCommandExceptionHandlingStrategy own =
        new DefaultCommandExceptionHandlingStrategy(backoff, scheduler);
    assertThat(sends(own, inAMinute(), Status.Code.RESOURCE_EXHAUSTED)).isEqualTo(1);
    assertThat(
            sends(
                (command, error) -> {
                  try {
                    own.handleCommandError(command, RetryingCommandStrategy.unwrap(error));
                  } catch (RuntimeException thrownIntoTheFuture) {
                    // as in the client: thrown inside exceptionally(), read by nobody
                  }
                },
                inAMinute(),
                Status.Code.RESOURCE_EXHAUSTED))
        .isEqualTo(1);
  }

  @Test
  void shouldUnwrapCompletionLayersOnly() {
    var refused = Status.RESOURCE_EXHAUSTED.asRuntimeException();
    assertThat(
            RetryingCommandStrategy.unwrap(
                new CompletionException(new ExecutionException(refused))))
        .isSameAs(refused);
    var other = new IllegalStateException("x");
    assertThat(RetryingCommandStrategy.unwrap(other)).isSameAs(other);
    assertThat(RetryingCommandStrategy.unwrap(new CompletionException(null)))
        .isInstanceOf(CompletionException.class);
  }
}
