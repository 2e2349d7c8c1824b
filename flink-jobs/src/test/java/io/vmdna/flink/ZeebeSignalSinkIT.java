package io.vmdna.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.camunda.client.CamundaClient;
import io.camunda.zeebe.process.test.api.ZeebeTestEngine;
import io.camunda.zeebe.process.test.engine.EngineFactory;
import io.camunda.zeebe.process.test.filters.RecordStream;
import io.camunda.zeebe.protocol.record.intent.MessageIntent;
import io.camunda.zeebe.protocol.record.intent.ProcessInstanceIntent;
import io.camunda.zeebe.protocol.record.value.BpmnElementType;
import io.vmdna.bpmn.ProcessContract;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sink against a real in-process Zeebe engine with the bundled process deployed. */
class ZeebeSignalSinkIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder().setNumberSlotsPerTaskManager(2).build());

  private ZeebeTestEngine engine;
  private int port;

  @BeforeEach
  void startEngine() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    engine = EngineFactory.create(port);
    engine.start();
    try (CamundaClient client =
        CamundaClient.newClientBuilder()
            .grpcAddress(URI.create("http://localhost:" + port))
            .preferRestOverGrpc(false)
            .build()) {
      client
          .newDeployResourceCommand()
          .addResourceFromClasspath(ProcessContract.DMN_RESOURCE)
          .addResourceFromClasspath(ProcessContract.BPMN_RESOURCE)
          .send()
          .join();
    }
  }

  @AfterEach
  void stopEngine() {
    engine.stop();
  }

  private static MigrationSignal signal(String vm, long windowEnd) {
    return new MigrationSignal(
        ProcessContract.migrationId(vm, windowEnd),
        vm,
        "host-a",
        "FORECAST",
        windowEnd,
        1800,
        900,
        1000,
        0.2,
        1e6,
        10,
        1000,
        48000,
        0.1,
        List.of(),
        1,
        List.of(1.0, 2.0),
        "test");
  }

  private static <T> Stream<T> stream(Iterable<T> it) {
    return StreamSupport.stream(it.spliterator(), false);
  }

  @Test
  void shouldStartOneInstancePerMessageIdEvenWhenPublishedTwice() throws Exception {
    // given the same signal twice, and another one
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    env.fromData(signal("7", 1000), signal("7", 1000), signal("8", 1000))
        .sinkTo(new ZeebeSignalSink("http://localhost:" + port, Duration.ofSeconds(10)));

    // when
    env.execute("sink test");

    // then two messages were published, the duplicate rejected, and two instances started
    RecordStream records = RecordStream.of(engine.getRecordStreamSource());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                stream(RecordStream.of(engine.getRecordStreamSource()).processInstanceRecords())
                        .filter(
                            r ->
                                r.getIntent() == ProcessInstanceIntent.ELEMENT_COMPLETED
                                    && r.getValue().getBpmnElementType() == BpmnElementType.PROCESS)
                        .count()
                    == 2);
    assertThat(
            stream(records.messageRecords())
                .filter(r -> r.getIntent() == MessageIntent.PUBLISHED)
                .map(r -> r.getValue().getMessageId()))
        .containsExactlyInAnyOrder("7@1000", "8@1000");
    assertThat(
            stream(records.messageRecords())
                .filter(r -> r.getValue().getName().equals(ProcessContract.MESSAGE_FORECAST))
                .map(r -> r.getValue().getTimeToLive())
                .distinct())
        .containsExactly(ProcessContract.FORECAST_TTL.toMillis());
    // the forecast in these signals is calm, so the policy ends both as not needed
    assertThat(
            stream(RecordStream.of(engine.getRecordStreamSource()).processInstanceRecords())
                .filter(
                    r ->
                        r.getIntent() == ProcessInstanceIntent.ELEMENT_COMPLETED
                            && r.getValue().getBpmnElementType() == BpmnElementType.END_EVENT)
                .map(r -> r.getValue().getElementId()))
        .containsExactly(
            ProcessContract.EndEvents.NOT_NEEDED, ProcessContract.EndEvents.NOT_NEEDED);
  }
}
