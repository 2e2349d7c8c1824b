package io.vmdna.flink;

import io.vmdna.hypervisor.api.CpuSpeedFactors;
import io.vmdna.hypervisor.libvirt.LibvirtSampleFeed;
import io.vmdna.models.Durations;
import io.vmdna.models.VmSample;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The entry class of {@link DnaProfilerJob} on a Flink cluster (the {@code vmdna-flink} chart's
 * {@code FlinkDeployment}): samples from the Kafka topic {@code ./vmdna collect} writes, signals to
 * the Zeebe gateway. Checkpointing, state backend and parallelism come from the cluster's Flink
 * configuration, not from here.
 *
 * <pre>
 * --kafka-bootstrap B        brokers (the cluster's source), or
 * --libvirt id=uri[,...]     poll these libvirt hosts directly (a job on one machine)
 * --poll-interval D          with --libvirt: 30s, 5m (default), 1h
 * --kafka-topic T            samples topic (default vm-samples)
 * --kafka-group G            consumer group (default vmdna-profiler)
 * --kafka-flows-topic T      also read VM flow records (FlowRecordJson, e.g. from ./vmdna collect
 *                            --conntrack) from this topic: the DNA's traffic features (with
 *                            --kafka-bootstrap; none by default)
 * --kafka-properties FILE    further consumer settings (security), e.g. mounted from a Secret
 * --hosts FILE               host,&lt;id&gt;,&lt;cpuMhz&gt; rows (required; the demo's fleet.csv works)
 * --zeebe-grpc URL           Zeebe gateway (default http://camunda-zeebe-gateway:26500); OAuth
 *                            credentials come from the Camunda client's environment variables
 *                            (CAMUNDA_CLIENT_ID, CAMUNDA_CLIENT_SECRET, ...)
 * --forecast-model M         shipped (default), trend, or a model folder
 * --dna-model M              shipped (default), none, or a dna-model.json (./vmdna dna-train)
 * --anomaly A                chart (default): the EWMA chart on CPU; ensemble: the calibrated
 *                            ensemble on CPU % and memory % beside it (alarms name detector and
 *                            feature; 183 KB more state per VM)
 * --cpu-speed-factors F      host=factor[,...]: how fast each host's cores are against a
 *                            reference core; the hosts file's capacities and the polled
 *                            libvirt samples become reference MHz (hosts not named: 1.0).
 *                            Samples from Kafka are scaled where they are collected
 *                            (./vmdna collect --cpu-speed-factors)
 * --store-url URL            the state store (jdbc:postgresql://...): every DNA the job computes
 *                            is written to its DNA history (none without it)
 * --store-user U             its user (default vmdna); the password comes from the environment
 *                            variable VMDNA_STORE_PASSWORD, never from the command line
 * </pre>
 */
public final class DnaProfilerMain {
  static final String DEFAULT_ZEEBE = "http://camunda-zeebe-gateway:26500";
  private static final Set<String> OPTIONS =
      Set.of(
          "--kafka-bootstrap",
          "--libvirt",
          "--poll-interval",
          "--kafka-topic",
          "--kafka-group",
          "--kafka-flows-topic",
          "--kafka-properties",
          "--hosts",
          "--zeebe-grpc",
          "--forecast-model",
          "--dna-model",
          "--anomaly",
          "--cpu-speed-factors",
          "--store-url",
          "--store-user");

  private DnaProfilerMain() {}

  /**
   * The job's settings from the command line.
   *
   * @param bootstrapServers Kafka brokers, or null when polling libvirt
   * @param libvirtHosts host id → libvirt URI to poll directly; empty with Kafka
   * @param pollInterval time between polls of the libvirt hosts
   * @param topic samples topic
   * @param group consumer group
   * @param kafkaProperties further consumer settings
   * @param config the profiler's settings (capacities from the hosts file)
   * @param zeebeGrpc Zeebe gateway address
   * @param speeds CPU speed factors per host (none by default)
   * @param storeUrl the state store's JDBC URL for the DNA history, or null for none
   * @param storeUser its user
   * @param flowsTopic the flow records' topic, or null for none
   */
  record Settings(
      String bootstrapServers,
      Map<String, String> libvirtHosts,
      Duration pollInterval,
      String topic,
      String group,
      Map<String, String> kafkaProperties,
      ProfilerConfig config,
      String zeebeGrpc,
      CpuSpeedFactors speeds,
      String storeUrl,
      String storeUser,
      String flowsTopic) {}

  /** Runs the job until it is cancelled (or a savepoint stops it). */
  public static void main(String[] args) throws Exception {
    Settings s = parse(args);
    DnaProfilerJob job =
        new DnaProfilerJob(
            source(s), new ZeebeSignalSink(s.zeebeGrpc(), Duration.ofSeconds(10)), s.config());
    if (s.storeUrl() != null) {
      String password = System.getenv().getOrDefault("VMDNA_STORE_PASSWORD", "");
      job = job.withDnaHistory(new DnaHistorySink(s.storeUrl(), s.storeUser(), password, 500));
    }
    if (s.flowsTopic() != null) {
      job =
          job.withFlows(
              KafkaSamples.flowSource(
                  s.bootstrapServers(), s.flowsTopic(), s.group(), false, s.kafkaProperties()));
    }
    job.execute(StreamExecutionEnvironment.getExecutionEnvironment());
  }

  /** The samples: the Kafka topic, or the libvirt hosts polled directly when they are given. */
  static Source<VmSample, ?, ?> source(Settings s) {
    return s.libvirtHosts().isEmpty()
        ? KafkaSamples.source(
            s.bootstrapServers(), s.topic(), s.group(), false, s.kafkaProperties())
        : PollingSource.of(
            s.speeds().applyTo(LibvirtSampleFeed.factory(s.libvirtHosts(), Duration.ofSeconds(10))),
            s.pollInterval(),
            Long.MAX_VALUE);
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
    if (!v.containsKey("--hosts")) {
      throw new IllegalArgumentException("option --hosts is required");
    }
    if (v.containsKey("--kafka-bootstrap") == v.containsKey("--libvirt")) {
      throw new IllegalArgumentException(
          "give either --kafka-bootstrap (read the samples topic) or --libvirt id=uri[,...] (poll"
              + " the hosts directly), not both or neither");
    }
    if (v.containsKey("--kafka-flows-topic") && !v.containsKey("--kafka-bootstrap")) {
      throw new IllegalArgumentException(
          "--kafka-flows-topic needs --kafka-bootstrap (flow records come from Kafka)");
    }
    Map<String, String> libvirt =
        v.containsKey("--libvirt") ? LibvirtSampleFeed.parseHosts(v.get("--libvirt")) : Map.of();
    Duration interval;
    try {
      interval = Durations.parse(v.getOrDefault("--poll-interval", "5m"));
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("not > 0");
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "--poll-interval needs a duration like 30s, 5m or 1h, got '"
              + v.get("--poll-interval")
              + "'");
    }
    Map<String, String> props = new LinkedHashMap<>();
    if (v.containsKey("--kafka-properties")) {
      props.putAll(
          KafkaSamples.readClientProperties(
              "--kafka-properties", Path.of(v.get("--kafka-properties"))));
    }
    CpuSpeedFactors speeds;
    try {
      speeds = CpuSpeedFactors.parse(v.get("--cpu-speed-factors"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--cpu-speed-factors: " + e.getMessage(), e);
    }
    Map<String, Double> capacities = new LinkedHashMap<>();
    HostCapacities.read(Path.of(v.get("--hosts")))
        .forEach((host, mhz) -> capacities.put(host, mhz * speeds.of(host)));
    ProfilerConfig config =
        ProfilerConfig.defaults(capacities)
            .withForecastModel(v.getOrDefault("--forecast-model", ProfilerConfig.SHIPPED))
            .withDnaModel(v.getOrDefault("--dna-model", ProfilerConfig.SHIPPED));
    try {
      config =
          config.withAnomaly(
              ProfilerConfig.anomalyNamed(v.getOrDefault("--anomaly", ProfilerConfig.CHART)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--anomaly: " + e.getMessage(), e);
    }
    try {
      VmProfiler.loadDnaModel(config.dnaModel()); // a bad file fails here, not in the job
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--dna-model: " + e.getMessage(), e);
    }
    String storeUrl = v.get("--store-url");
    if (storeUrl != null && !storeUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "--store-url needs a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/db), got '"
              + storeUrl
              + "'");
    }
    return new Settings(
        v.get("--kafka-bootstrap"),
        libvirt,
        interval,
        v.getOrDefault("--kafka-topic", KafkaSamples.DEFAULT_TOPIC),
        v.getOrDefault("--kafka-group", KafkaSamples.DEFAULT_GROUP),
        props,
        config,
        v.getOrDefault("--zeebe-grpc", DEFAULT_ZEEBE),
        speeds,
        storeUrl,
        v.getOrDefault("--store-user", "vmdna"),
        v.get("--kafka-flows-topic"));
  }
}
