package io.vmdna.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ConcurrentModificationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The record-stream reads' retry: only a read meeting the engine's concurrent append repeats. */
class EmbeddedLoopTest {

  @Test
  void shouldRepeatAReadThatMetTheEnginesAppend() {
    AtomicInteger calls = new AtomicInteger();
    String result =
        EmbeddedLoop.retrying(
            () -> {
              int call = calls.incrementAndGet();
              if (call == 1) {
                throw new ConcurrentModificationException();
              }
              if (call == 2) {
                throw fromLogStorage(new NullPointerException("buffer is null"));
              }
              return "read";
            });
    assertThat(result).isEqualTo("read");
    assertThat(calls).hasValue(3);
  }

  @Test
  void shouldThrowANullPointerExceptionOfItsOwnAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                EmbeddedLoop.retrying(
                    () -> {
                      calls.incrementAndGet();
                      throw new NullPointerException("a test's own bug");
                    }))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("a test's own bug");
    assertThat(calls).hasValue(1);
  }

  @Test
  void shouldGiveUpAfterTwentyReads() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                EmbeddedLoop.retrying(
                    () -> {
                      calls.incrementAndGet();
                      throw new ConcurrentModificationException();
                    }))
        .isInstanceOf(ConcurrentModificationException.class);
    assertThat(calls).hasValue(20);
  }

  private static NullPointerException fromLogStorage(NullPointerException e) {
    e.setStackTrace(
        new StackTraceElement[] {
          new StackTraceElement(
              "io.camunda.zeebe.process.test.engine.InMemoryLogStorage$ListLogStorageReader",
              "next",
              "InMemoryLogStorage.java",
              101)
        });
    return e;
  }
}
