package io.vmdna.kafka.testkit;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link KafkaBroker} for a test class: started before its first test (storage under {@code
 * target/}), stopped after its last. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
 * ... KAFKA.bootstrapServers() ...
 * }</pre>
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {
  private KafkaBroker broker;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    broker = KafkaBroker.start(Path.of("target"));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (broker != null) {
      broker.close();
      broker = null;
    }
  }

  /** The running broker's {@code bootstrap.servers}. */
  public String bootstrapServers() {
    if (broker == null) {
      throw new IllegalStateException("the Kafka broker runs only while the test class does");
    }
    return broker.bootstrapServers();
  }
}
