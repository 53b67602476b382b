package dev.sentiflow.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The fixtures start real servers that real clients can use, and stop them. */
class RealPartsIT {

    @Test
    void brokerRoundTripsRecordsThroughAConsumerGroup() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(2, "probe");
            try (Admin admin = kafka.admin()) {
                assertTrue(admin.listTopics().names().get().contains("probe"));
            }
            try (var producer = new KafkaProducer<String, String>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("probe", "k" + i, "v" + i)).get();
                }
            }
            // A consumer group needs __consumer_offsets: this hangs if its replication factor were left at 3.
            try (var consumer = new KafkaConsumer<String, String>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "probe-group",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("probe"));
                Set<String> seen = new java.util.HashSet<>();
                long deadline = System.currentTimeMillis() + 30_000;
                while (seen.size() < 10 && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        seen.add(r.value());
                    }
                }
                assertEquals(10, seen.size());
                consumer.commitSync();
            }
        }
    }

    @Test
    void registryServesTheConfluentApiAndStops() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String url;
        try (ApicurioRegistry registry = ApicurioRegistry.start()) {
            url = registry.confluentApiUrl();
            HttpResponse<String> subjects = http.send(HttpRequest.newBuilder(URI.create(url + "/subjects")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, subjects.statusCode());
            assertEquals("[]", subjects.body().replace(" ", ""));
        }
        HttpRequest after = HttpRequest.newBuilder(URI.create(url + "/subjects")).timeout(Duration.ofSeconds(2)).build();
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> http.send(after, HttpResponse.BodyHandlers.discarding()), "registry still answering after close");
    }
}
