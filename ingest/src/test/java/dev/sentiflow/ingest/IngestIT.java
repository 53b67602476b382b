package dev.sentiflow.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.DeadLetter;
import dev.sentiflow.avro.DeadLetterReason;
import dev.sentiflow.avro.Review;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.text.data.Row;
import dev.sentiflow.text.data.RowReaders;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import dev.sentiflow.schemas.serde.AvroSerializer;
import dev.sentiflow.schemas.serde.WireFormat;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import dev.sentiflow.testkit.FreePort;
import dev.sentiflow.testkit.PrometheusText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest app on a real broker with a real registry: real reviews from the bundled UCI file plus
 * malformed input; every input record ends in exactly one of reviews.tokenized or reviews.dlq.
 */
class IngestIT {

    private static final Path UCI = Path.of("../data/uci_sentiment_sentences.csv");

    private static EmbeddedKafka kafka;
    private static ApicurioRegistry server;
    private static SchemaRegistryClient registry;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        server = ApicurioRegistry.start();
        registry = new SchemaRegistryClient(server.confluentApiUrl());
        kafka.createTopics(2, "reviews", "reviews.tokenized", "reviews.dlq");
    }

    @AfterAll
    static void stop() {
        server.close();
        kafka.close();
    }

    @Test
    void everyRecordEndsTokenizedOrDeadLetteredExactlyOnce(@TempDir Path stateDir) throws Exception {
        assertTrue(Files.exists(UCI), "bundled data missing: " + UCI.toAbsolutePath());
        // 1. Real reviews through the producer command.
        var options = ReviewFileProducer.Options.parse(new String[] {
            "--file", UCI.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
            "--registry", server.confluentApiUrl(), "--domain-column", "source",
            "--label-map", "0=negative,1=positive", "--limit", "1000"});
        long produced = ReviewFileProducer.produce(options);
        assertEquals(1000, produced);
        Set<String> goodIds;
        try (Stream<Row> rows = RowReaders.rows(UCI)) {
            goodIds = rows.limit(1000).map(r -> "uci_sentiment_sentences.csv:" + r.line()).collect(Collectors.toSet());
        }

        // 2. Bad input of every kind, interleaved with the good ones by partition.
        Map<String, DeadLetterReason> badKeys = new HashMap<>();
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            var serializer = new AvroSerializer<Review>(registry, Review.getClassSchema(), true, false);
            send(producer, badKeys, "bad-json", "{\"text\":\"x\"}".getBytes(StandardCharsets.UTF_8),
                    DeadLetterReason.UNDECODABLE);
            send(producer, badKeys, "bad-id", WireFormat.frame(424242, new byte[] {0}), DeadLetterReason.UNDECODABLE);
            send(producer, badKeys, "bad-empty", serializer.serialize("reviews", review("bad-empty", " ", 5, null)),
                    DeadLetterReason.EMPTY_TEXT);
            send(producer, badKeys, "bad-huge", serializer.serialize("reviews",
                    review("bad-huge", "x".repeat(70_000), 5, null)), DeadLetterReason.TEXT_TOO_LARGE);
            send(producer, badKeys, "bad-label", serializer.serialize("reviews", review("bad-label", "hm", null, "meh")),
                    DeadLetterReason.UNKNOWN_LABEL);
            send(producer, badKeys, "bad-neutral", serializer.serialize("reviews",
                    review("bad-neutral", "ok I guess", 3, null)), DeadLetterReason.NEUTRAL_EXCLUDED);
        }
        int expected = goodIds.size() + badKeys.size();
        int opsPort = FreePort.find();

        // 3. Run the app exactly as its main does.
        Map<String, String> settings = Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", server.confluentApiUrl(),
                "state.dir", stateDir.toString(),
                "kafka.commit.interval.ms", "200",
                "metrics.port", String.valueOf(opsPort), "metrics.host", "127.0.0.1");
        long begin = System.nanoTime();
        KafkaStreams streams = IngestApp.start(new IngestConfig(settings));
        List<ConsumerRecord<String, TokenizedReview>> tokenized = new ArrayList<>();
        List<ConsumerRecord<byte[], DeadLetter>> letters = new ArrayList<>();
        try (var tokenConsumer = consumer(new StringDeserializer(),
                new AvroDeserializer<TokenizedReview>(registry, TokenizedReview.getClassSchema()));
             var dlqConsumer = consumer(new ByteArrayDeserializer(),
                     new AvroDeserializer<DeadLetter>(registry, DeadLetter.getClassSchema()))) {
            tokenConsumer.subscribe(List.of("reviews.tokenized"));
            dlqConsumer.subscribe(List.of("reviews.dlq"));
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (tokenized.size() + letters.size() < expected && System.nanoTime() < deadline) {
                tokenConsumer.poll(Duration.ofMillis(100)).forEach(tokenized::add);
                dlqConsumer.poll(Duration.ofMillis(100)).forEach(letters::add);
            }
            double seconds = (System.nanoTime() - begin) / 1e9;
            // Linger a little: anything more would be a duplicate.
            long settle = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < settle) {
                tokenConsumer.poll(Duration.ofMillis(100)).forEach(tokenized::add);
                dlqConsumer.poll(Duration.ofMillis(100)).forEach(letters::add);
            }
            System.out.printf("ingest IT: %d records out in %.1f s (%.0f records/s including app start-up)%n",
                    tokenized.size() + letters.size(), seconds, (tokenized.size() + letters.size()) / seconds);

            // What an operator's Prometheus sees: the same counts, read by a text-format parser.
            PrometheusText.Response ready = PrometheusText.get(opsPort, "/health/ready");
            assertEquals(200, ready.status(), ready.body());
            assertTrue(ready.body().contains("RUNNING"), ready.body());
            assertEquals(200, PrometheusText.get(opsPort, "/health/live").status());
            PrometheusText scrape = PrometheusText.scrape(opsPort);
            Map<String, String> ingest = Map.of("service", "ingest");
            assertEquals(Optional.of((double) expected), scrape.sum("sentiflow_ingest_records_in_total", ingest));
            assertEquals(Optional.of((double) goodIds.size()), scrape.sum("sentiflow_ingest_records_tokenized_total",
                    ingest));
            Map<DeadLetterReason, Long> byReason = badKeys.values().stream()
                    .collect(Collectors.groupingBy(r -> r, Collectors.counting()));
            for (DeadLetterReason reason : DeadLetterReason.values()) {
                assertEquals(Optional.of((double) byReason.getOrDefault(reason, 0L)),
                        scrape.sum("sentiflow_ingest_dead_letters_total", Map.of("reason", reason.name())), reason.name());
            }
            assertTrue(scrape.samples().stream().anyMatch(m -> m.name().startsWith("kafka_stream_")),
                    "Kafka Streams' own meters");
            assertTrue(scrape.sum("jvm_threads_live_threads", ingest).orElse(0.0) > 0);
        } finally {
            streams.close(Duration.ofSeconds(30));
        }
        assertThrows(java.io.IOException.class, () -> PrometheusText.get(opsPort, "/health/live"),
                "the endpoint closes with the streams");

        List<String> tokenIds = tokenized.stream().map(ConsumerRecord::key).toList();
        assertEquals(goodIds.size(), tokenIds.size(), "tokenized count");
        assertEquals(goodIds, new HashSet<>(tokenIds), "every good review tokenized, none duplicated");
        for (var r : tokenized) {
            TokenizedReview t = r.value();
            assertTrue(t.getLabel().equals("negative") || t.getLabel().equals("positive"), t.getLabel());
            assertTrue(Set.of("amazon", "imdb", "yelp").contains(t.getDomain()), t.getDomain());
            assertEquals(101, t.getTokenIds().get(0));
            assertEquals(102, t.getTokenIds().get(t.getTokenIds().size() - 1));
        }
        Map<String, DeadLetterReason> dead = new HashMap<>();
        for (var r : letters) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            assertEquals(null, dead.put(key, r.value().getReason()), "dead-lettered twice: " + key);
        }
        assertEquals(badKeys, dead);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Map<String, DeadLetterReason> keys, String key,
                             byte[] value, DeadLetterReason expected) throws Exception {
        producer.send(new ProducerRecord<>("reviews", key.getBytes(StandardCharsets.UTF_8), value)).get();
        keys.put(key, expected);
    }

    private static Review review(String id, String text, Integer rating, String label) {
        return Review.newBuilder().setId(id).setText(text).setRating(rating).setLabel(label).setDomain("test")
                .setEventTime(Instant.now()).build();
    }

    private static <K, V> KafkaConsumer<K, V> consumer(org.apache.kafka.common.serialization.Deserializer<K> keys,
                                                       org.apache.kafka.common.serialization.Deserializer<V> values) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), keys, values);
    }
}
