package io.vmdna.flink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The entry class of {@link DnaProfilerJob} on a Flink cluster (the {@code vmdna-flink} chart's
 * {@code FlinkDeployment}): samples from the Kafka topic {@code ./vmdna collect} writes, signals to
 * the Zeebe gateway. Checkpointing, state backend and parallelism come from the cluster's Flink
 * configuration, not from here.
 *
 * <pre>
 * --kafka-bootstrap B        brokers (required)
 * --kafka-topic T            samples topic (default vm-samples)
 * --kafka-group G            consumer group (default vmdna-profiler)
 * --kafka-properties FILE    further consumer settings (security), e.g. mounted from a Secret
 * --hosts FILE               host,&lt;id&gt;,&lt;cpuMhz&gt; rows (required; the demo's fleet.csv works)
 * --zeebe-grpc URL           Zeebe gateway (default http://camunda-zeebe-gateway:26500); OAuth
 *                            credentials come from the Camunda client's environment variables
 *                            (CAMUNDA_CLIENT_ID, CAMUNDA_CLIENT_SECRET, ...)
 * --forecast-model M         shipped (default), trend, or a model folder
 * </pre>
 */
public final class DnaProfilerMain {
  static final String DEFAULT_ZEEBE = "http://camunda-zeebe-gateway:26500";
  private static final Set<String> OPTIONS =
      Set.of(
          "--kafka-bootstrap",
          "--kafka-topic",
          "--kafka-group",
          "--kafka-properties",
          "--hosts",
          "--zeebe-grpc",
          "--forecast-model");

  private DnaProfilerMain() {}

  /**
   * The job's settings from the command line.
   *
   * @param bootstrapServers Kafka brokers
   * @param topic samples topic
   * @param group consumer group
   * @param kafkaProperties further consumer settings
   * @param config the profiler's settings (capacities from the hosts file)
   * @param zeebeGrpc Zeebe gateway address
   */
  record Settings(
      String bootstrapServers,
      String topic,
      String group,
      Map<String, String> kafkaProperties,
      ProfilerConfig config,
      String zeebeGrpc) {}

  /** Runs the job until it is cancelled (or a savepoint stops it). */
  public static void main(String[] args) throws Exception {
    Settings s = parse(args);
    new DnaProfilerJob(
            KafkaSamples.source(
                s.bootstrapServers(), s.topic(), s.group(), false, s.kafkaProperties()),
            new ZeebeSignalSink(s.zeebeGrpc(), Duration.ofSeconds(10)),
            s.config())
        .execute(StreamExecutionEnvironment.getExecutionEnvironment());
  }

  /**
   * Parses {@code --name value} pairs.
   *
   * @throws IllegalArgumentException naming the unknown, missing or malformed option or file row
   */
  static Settings parse(String[] args) {
    Map<String, String> v = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!OPTIONS.contains(args[i])) {
        throw new IllegalArgumentException(
            "unknown option "
                + args[i]
                + "; known: "
                + String.join(" ", OPTIONS.stream().sorted().toList()));
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " needs a value");
      }
      v.put(args[i], args[++i]);
    }
    for (String required : new String[] {"--kafka-bootstrap", "--hosts"}) {
      if (!v.containsKey(required)) {
        throw new IllegalArgumentException("option " + required + " is required");
      }
    }
    Map<String, String> props = new LinkedHashMap<>();
    if (v.containsKey("--kafka-properties")) {
      props.putAll(
          KafkaSamples.readClientProperties(
              "--kafka-properties", Path.of(v.get("--kafka-properties"))));
    }
    ProfilerConfig config =
        ProfilerConfig.defaults(HostCapacities.read(Path.of(v.get("--hosts"))))
            .withForecastModel(v.getOrDefault("--forecast-model", ProfilerConfig.SHIPPED));
    return new Settings(
        v.get("--kafka-bootstrap"),
        v.getOrDefault("--kafka-topic", KafkaSamples.DEFAULT_TOPIC),
        v.getOrDefault("--kafka-group", KafkaSamples.DEFAULT_GROUP),
        props,
        config,
        v.getOrDefault("--zeebe-grpc", DEFAULT_ZEEBE));
  }
}
