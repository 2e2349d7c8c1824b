package io.vmdna.kafka.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The broker starts in KRaft mode, takes records and hands them back; close stops it. */
class KafkaBrokerTest {
  @Test
  void aClusterIdShouldNeverReadAsAnOption() {
    // one base64url id in 64 starts with '-', which the storage tool took for an option
    for (int i = 0; i < 20_000; i++) {
      assertThat(KafkaBroker.clusterId()).doesNotStartWith("-").hasSize(22);
    }
  }

  @Test
  void shouldStoreAndServeRecords() throws Exception {
    KafkaBroker broker = KafkaBroker.start(Path.of("target"));
    try (broker) {
      try (var producer =
          new KafkaProducer<String, String>(
              Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
              new StringSerializer(),
              new StringSerializer())) {
        for (int i = 0; i < 10; i++) {
          producer.send(new ProducerRecord<>("t", "vm" + i, "v" + i)).get();
        }
      }
      List<ConsumerRecord<String, String>> got = new ArrayList<>();
      try (var consumer =
          new KafkaConsumer<String, String>(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  broker.bootstrapServers(),
                  ConsumerConfig.GROUP_ID_CONFIG,
                  "g",
                  ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                  "earliest"),
              new StringDeserializer(),
              new StringDeserializer())) {
        consumer.subscribe(List.of("t"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (got.size() < 10 && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(500)).forEach(got::add);
        }
      }
      assertThat(got).extracting(ConsumerRecord::value).hasSize(10).contains("v0", "v9");
      assertThat(broker.log()).content().contains("KafkaRaftServer");
    }
    assertThat(broker.log()).doesNotExist();
  }
}
