package io.vmdna.flink;

import io.camunda.client.CamundaClient;
import io.camunda.client.api.response.PublishMessageResponse;
import io.grpc.Status;
import io.vmdna.bpmn.ProcessContract;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes each {@link MigrationSignal} as message {@code vm-resource-forecast} to Zeebe over
 * gRPC: correlation key = VM id, message id = migration id, TTL {@link
 * ProcessContract#FORECAST_TTL}, variables as the process contract names them.
 *
 * <p>At-least-once: sends are asynchronous and every pending send completes before a checkpoint
 * ({@link SinkWriter#flush}). Re-publishing after a restore is harmless: Zeebe rejects a message id
 * it still holds ({@code ALREADY_EXISTS}, counted as delivered), and past the TTL the store's
 * unique migration id ends the duplicate instance in {@code NotNeededEndEvent}.
 */
public final class ZeebeSignalSink implements Sink<MigrationSignal> {
  private static final long serialVersionUID = 1L;

  private final String grpcAddress;
  private final Duration requestTimeout;

  /**
   * @param grpcAddress the Zeebe gateway, e.g. {@code http://localhost:26500}
   * @param requestTimeout how long one publish may take before the job fails
   */
  public ZeebeSignalSink(String grpcAddress, Duration requestTimeout) {
    this.grpcAddress = grpcAddress;
    this.requestTimeout = requestTimeout;
  }

  @Override
  public SinkWriter<MigrationSignal> createWriter(WriterInitContext context) {
    return new Writer(grpcAddress, requestTimeout);
  }

  private static final class Writer implements SinkWriter<MigrationSignal> {
    private static final Logger LOG = LoggerFactory.getLogger(ZeebeSignalSink.class);
    private final CamundaClient client;
    private final Duration timeout;
    private final List<CompletableFuture<PublishMessageResponse>> pending = new ArrayList<>();

    Writer(String grpcAddress, Duration timeout) {
      this.timeout = timeout;
      this.client =
          CamundaClient.newClientBuilder()
              .grpcAddress(URI.create(grpcAddress))
              .preferRestOverGrpc(false)
              .defaultRequestTimeout(timeout)
              .build();
    }

    @Override
    public void write(MigrationSignal s, Context context) {
      LOG.info("signal {} {}: {}", s.signalType(), s.migrationId(), s.reason());
      pending.add(
          client
              .newPublishMessageCommand()
              .messageName(ProcessContract.MESSAGE_FORECAST)
              .correlationKey(s.vmId())
              .messageId(s.migrationId())
              .timeToLive(ProcessContract.FORECAST_TTL)
              .variables(withSignalTime(s))
              .send()
              .toCompletableFuture());
    }

    /** The contract's variables plus the wall-clock send time, for the policy's staleness rule. */
    private static Map<String, Object> withSignalTime(MigrationSignal s) {
      Map<String, Object> vars = new LinkedHashMap<>(s.variables());
      vars.put(ProcessContract.Vars.SIGNAL_TIME, Instant.now().toString());
      return vars;
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      for (CompletableFuture<PublishMessageResponse> f : pending) {
        try {
          f.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          Throwable cause = e.getCause() != null ? e.getCause() : e;
          if (Status.fromThrowable(cause).getCode() == Status.Code.ALREADY_EXISTS) {
            // Zeebe still holds a message with this id: the signal was delivered before
            LOG.info(
                "message already published (duplicate id), not sent twice: {}", cause.getMessage());
            continue;
          }
          throw new IOException(
              "publishing " + ProcessContract.MESSAGE_FORECAST + " failed: " + cause, cause);
        }
      }
      pending.clear();
    }

    @Override
    public void close() throws IOException {
      try {
        flush(true);
      } finally {
        client.close();
      }
    }
  }
}
