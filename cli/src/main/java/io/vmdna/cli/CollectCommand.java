package io.vmdna.cli;

import io.vmdna.hypervisor.api.CpuSpeedFactors;
import io.vmdna.hypervisor.api.SampleFeed;
import io.vmdna.hypervisor.image.QemuImg;
import io.vmdna.hypervisor.libvirt.ConntrackCollector;
import io.vmdna.hypervisor.libvirt.LibvirtSampleFeed;
import io.vmdna.hypervisor.sim.FleetSpec;
import io.vmdna.hypervisor.sim.SimFleet;
import io.vmdna.models.VmSample;
import io.vmdna.models.VmSampleJson;
import io.vmdna.models.dna.FlowRecord;
import io.vmdna.models.dna.FlowRecordJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./vmdna collect}: polls hypervisors through the compatibility layer and publishes every
 * {@link VmSample} to a Kafka topic, keyed by VM id (so one VM's samples stay in order on one
 * partition), as {@link VmSampleJson}. The profiler's cluster job ({@code DnaProfilerMain}) reads
 * that topic.
 *
 * <p>Sources: live libvirt hosts ({@code --libvirt id=uri,...}, one poll per {@code --interval}; a
 * host that does not answer is skipped for that poll and named), or a replay of the simulated fleet
 * from traces ({@code --traces}, {@code --steps-per-second}) for a demo or a load test.
 *
 * <p>Delivery is at least once: the producer is idempotent with {@code acks=all}, and each step's
 * sends are confirmed before the next step; a send that fails after the producer's retries stops
 * the command with the topic and the broker's error. Nothing is buffered beyond one step.
 *
 * @param bootstrapServers Kafka brokers
 * @param topic the samples topic
 * @param kafkaProperties further producer settings (security), may be empty
 * @param libvirtHosts host id → libvirt URI; empty for a replay
 * @param traces trace folder of a replay (with {@code fleet.csv}), null for libvirt
 * @param interval time between libvirt polls
 * @param stepsPerSecond replay pace
 * @param steps steps (polls) to publish at most; 0 = until the replay ends (libvirt: forever)
 * @param work folder for the replay's simulated disk images
 * @param speeds CPU speed factors of the libvirt hosts: their samples are published in reference
 *     MHz ({@link CpuSpeedFactors}); none for a replay (the traces are already in one unit)
 * @param conntrack with live hosts, the collector of the guests' flow records read from this host's
 *     connection tracking table at each poll, or null for none
 * @param flowsTopic where the flow records go ({@link FlowRecordJson}, keyed by VM); with {@code
 *     conntrack} only
 */
public record CollectCommand(
    String bootstrapServers,
    String topic,
    Map<String, String> kafkaProperties,
    Map<String, String> libvirtHosts,
    Path traces,
    Duration interval,
    double stepsPerSecond,
    long steps,
    Path work,
    CpuSpeedFactors speeds,
    ConntrackCollector conntrack,
    String flowsTopic) {

  /** Validates: exactly one source, positive pacing. */
  public CollectCommand {
    if ((conntrack == null) != (flowsTopic == null)) {
      throw new IllegalArgumentException(
          "collect: flow records need both --vm-addresses (with --conntrack-command) and"
              + " --flows-topic");
    }
    if (conntrack != null && traces != null) {
      throw new IllegalArgumentException(
          "collect: flow records come from live hosts' conntrack tables, not from a replay");
    }
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("collect: --kafka-bootstrap is required");
    }
    if (libvirtHosts.isEmpty() == (traces == null)) {
      throw new IllegalArgumentException(
          "collect: give either --libvirt id=uri[,id=uri...] (live hosts) or --traces DIR (a"
              + " replay), not both or neither");
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("collect: --interval must be > 0, was " + interval);
    }
    if (!(stepsPerSecond > 0)) {
      throw new IllegalArgumentException(
          "collect: --steps-per-second must be > 0, was " + stepsPerSecond);
    }
    if (steps < 0) {
      throw new IllegalArgumentException("collect: --steps must be >= 0, was " + steps);
    }
    kafkaProperties = Map.copyOf(kafkaProperties);
    libvirtHosts = Map.copyOf(libvirtHosts);
  }

  /**
   * Parses {@code id=uri[,id=uri...]}.
   *
   * @throws IllegalArgumentException naming the malformed or repeated entry
   */
  static Map<String, String> parseHosts(String spec) {
    try {
      return LibvirtSampleFeed.parseHosts(spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("collect: " + e.getMessage(), e);
    }
  }

  /** Publishes until the replay ends or {@code steps} are done; returns samples published. */
  public long run(PrintStream out) throws Exception {
    Map<String, Object> config = new HashMap<>(kafkaProperties);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    List<AutoCloseable> toClose = new ArrayList<>();
    try {
      // the source first: a bad trace folder or host list fails before any connection is made
      SampleFeed feed = feed(toClose);
      KafkaProducer<String, byte[]> producer;
      try {
        producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
      } catch (org.apache.kafka.common.KafkaException e) {
        throw new IllegalArgumentException(
            "collect: cannot create a Kafka producer for "
                + bootstrapServers
                + ": "
                + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()),
            e);
      }
      toClose.add(0, producer);
      boolean live = traces == null;
      long pauseNanos =
          live ? interval.toNanos() : (long) (TimeUnit.SECONDS.toNanos(1) / stepsPerSecond);
      out.printf(
          "collect: %s → Kafka %s topic %s%n",
          live ? "libvirt hosts " + libvirtHosts.keySet() : "replay of " + traces,
          bootstrapServers,
          topic);
      long published = 0;
      long flows = 0;
      long step = 0;
      long next = System.nanoTime();
      while ((steps == 0 || step < steps) && feed.remainingSamples() > 0) {
        List<VmSample> samples = feed.nextStep();
        List<Future<RecordMetadata>> sends = new ArrayList<>(samples.size());
        for (VmSample s : samples) {
          sends.add(producer.send(new ProducerRecord<>(topic, s.vmId(), VmSampleJson.encode(s))));
        }
        producer.flush();
        for (Future<RecordMetadata> f : sends) {
          confirm(f);
        }
        published += samples.size();
        flows += publishFlows(producer, out);
        step++;
        if (live || step % 100 == 0) {
          String skipped =
              feed instanceof LibvirtSampleFeed l && !l.unavailableHosts().isEmpty()
                  ? ", hosts not answering: " + l.unavailableHosts()
                  : "";
          out.printf("collect: step %d, %d samples published%s%n", step, published, skipped);
        }
        next += pauseNanos;
        long wait = next - System.nanoTime();
        if (wait > 0 && (steps == 0 || step < steps) && feed.remainingSamples() > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
      out.printf("collect: done, %d steps, %d samples published to %s%n", step, published, topic);
      if (conntrack != null) {
        out.printf("collect: %d flow records published to %s%n", flows, flowsTopic);
      }
      return published;
    } finally {
      // the producer first (flushes what is pending), then the hypervisor connections
      for (AutoCloseable c : toClose) {
        c.close();
      }
    }
  }

  /**
   * Reads the conntrack table and publishes the guests' flow records; a failed read is reported and
   * skipped (the samples go on). Returns the records published.
   */
  private long publishFlows(KafkaProducer<String, byte[]> producer, PrintStream out)
      throws Exception {
    if (conntrack == null) {
      return 0;
    }
    List<FlowRecord> records;
    try {
      records = conntrack.poll(System.currentTimeMillis() / 1000);
    } catch (IOException | IllegalArgumentException e) {
      out.printf("collect: no flow records this poll: %s%n", e.getMessage());
      return 0;
    }
    List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
    for (FlowRecord f : records) {
      sends.add(
          producer.send(new ProducerRecord<>(flowsTopic, f.vmId(), FlowRecordJson.encode(f))));
    }
    producer.flush();
    for (Future<RecordMetadata> f : sends) {
      confirm(f);
    }
    return records.size();
  }

  private void confirm(Future<RecordMetadata> f) throws Exception {
    try {
      f.get(3, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "collect: publishing to topic " + topic + " failed: " + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "collect: no acknowledgement from Kafka " + bootstrapServers + " within 3 min", e);
    }
  }

  private SampleFeed feed(List<AutoCloseable> toClose) throws Exception {
    if (traces == null) {
      SampleFeed feed =
          speeds.applyTo(LibvirtSampleFeed.factory(libvirtHosts, Duration.ofSeconds(10))).open();
      if (feed instanceof AutoCloseable c) {
        toClose.add(c);
      }
      return feed;
    }
    Path fleetFile = traces.resolve("fleet.csv");
    if (!Files.isRegularFile(fleetFile)) {
      throw new IllegalArgumentException(
          "collect: " + traces + " has no fleet.csv (the replay needs hosts and placement)");
    }
    Files.createDirectories(work);
    return SimFleet.load(traces, FleetSpec.read(fleetFile), work, QemuImg.onPath());
  }
}
