package dev.sentiflow.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.DeadLetter;
import dev.sentiflow.avro.DeadLetterReason;
import dev.sentiflow.avro.Review;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import dev.sentiflow.schemas.serde.AvroSerializer;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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
 * Inputs that fit the broker's limit but whose dead letter (original bytes plus an envelope) would
 * not: the dead letter must still be written, and the records after them on the same partition
 * must not wait. The broker keeps its default message.max.bytes (about 1 MiB).
 */
class OversizedRecordIT {

    /** Just under what the default broker accepts for one record with a short key. */
    private static final int INPUT_BYTES = 1_048_430;

    private static EmbeddedKafka kafka;
    private static ApicurioRegistry server;
    private static SchemaRegistryClient registry;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        server = ApicurioRegistry.start();
        registry = new SchemaRegistryClient(server.confluentApiUrl());
        // One partition: the valid record is behind the huge ones in the same log.
        kafka.createTopics(1, "reviews", "reviews.tokenized", "reviews.dlq");
    }

    @AfterAll
    static void stop() {
        server.close();
        kafka.close();
    }

    @Test
    void aHugeInputIsDeadLetteredWithItsBytesCappedAndTheNextRecordFlows(@TempDir Path stateDir) throws Exception {
        var serializer = new AvroSerializer<Review>(registry, Review.getClassSchema(), true, false);
        byte[] hugeReview = reviewOfSize(serializer, "huge-text", INPUT_BYTES);
        byte[] hugeGarbage = new byte[INPUT_BYTES];
        Arrays.fill(hugeGarbage, (byte) '{');
        Map<String, byte[]> inputs = new HashMap<>();
        inputs.put("huge-text", hugeReview);
        inputs.put("huge-garbage", hugeGarbage);
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String key : List.of("huge-text", "huge-garbage")) {
                producer.send(new ProducerRecord<>("reviews", key.getBytes(StandardCharsets.UTF_8), inputs.get(key)))
                        .get();
            }
            Review after = Review.newBuilder().setId("after").setText("still tokenized").setRating(5)
                    .setDomain("test").setEventTime(Instant.now()).build();
            producer.send(new ProducerRecord<>("reviews", "after".getBytes(StandardCharsets.UTF_8),
                    serializer.serialize("reviews", after))).get();
        }

        KafkaStreams streams = IngestApp.start(new IngestConfig(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", server.confluentApiUrl(),
                "state.dir", stateDir.toString(),
                "kafka.commit.interval.ms", "200")));
        Map<String, ConsumerRecord<byte[], DeadLetter>> letters = new HashMap<>();
        ConsumerRecord<String, TokenizedReview> tokenized = null;
        try (var tokenConsumer = consumer(new StringDeserializer(),
                new AvroDeserializer<TokenizedReview>(registry, TokenizedReview.getClassSchema()));
             var dlqConsumer = consumer(new ByteArrayDeserializer(),
                     new AvroDeserializer<DeadLetter>(registry, DeadLetter.getClassSchema()))) {
            tokenConsumer.subscribe(List.of("reviews.tokenized"));
            dlqConsumer.subscribe(List.of("reviews.dlq"));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while ((tokenized == null || letters.size() < 2) && System.nanoTime() < deadline) {
                for (var r : tokenConsumer.poll(Duration.ofMillis(100))) {
                    tokenized = r;
                }
                for (var r : dlqConsumer.poll(Duration.ofMillis(100))) {
                    letters.put(new String(r.key(), StandardCharsets.UTF_8), r);
                }
            }
        } finally {
            streams.close(Duration.ofSeconds(30));
        }
        assertTrue(tokenized != null, "the valid record behind the huge ones never came out tokenized");
        assertEquals("after", tokenized.key());
        assertEquals(DeadLetterReason.TEXT_TOO_LARGE, letters.get("huge-text").value().getReason());
        assertEquals(DeadLetterReason.UNDECODABLE, letters.get("huge-garbage").value().getReason());
        int biggest = 0;
        for (String key : List.of("huge-text", "huge-garbage")) {
            ConsumerRecord<byte[], DeadLetter> record = letters.get(key);
            DeadLetter letter = record.value();
            byte[] original = inputs.get(key);
            byte[] carried = new byte[letter.getOriginalValue().remaining()];
            letter.getOriginalValue().duplicate().get(carried);
            assertTrue(letter.getOriginalValueTruncated(), key + ": a ~1 MiB input cannot fit whole");
            assertTrue(carried.length < original.length && carried.length > original.length / 2,
                    key + ": carries " + carried.length + " of " + original.length + " bytes");
            assertArrayEquals(Arrays.copyOf(original, carried.length), carried, key + ": the prefix, unchanged");
            assertEquals(original.length, letter.getOriginalValueLength());
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(original)),
                    letter.getOriginalValueSha256());
            assertTrue(letter.getDetail().contains("cut from " + original.length), letter.getDetail());
            assertArrayEquals(key.getBytes(StandardCharsets.UTF_8), letter.getOriginalKey().array());
            biggest = Math.max(biggest, record.serializedValueSize());
        }
        assertTrue(biggest <= 1_048_576 - 1024, "dead letter of " + biggest + " bytes is too close to the limit");
        System.out.printf("oversized IT: biggest DeadLetter value %d bytes (inputs %d bytes)%n", biggest, INPUT_BYTES);
    }

    /** A framed Review of exactly {@code size} bytes (the text fills what the other fields leave). */
    private static byte[] reviewOfSize(AvroSerializer<Review> serializer, String id, int size) {
        int text = size - 64;
        for (int attempt = 0; attempt < 5; attempt++) {
            byte[] bytes = serializer.serialize("reviews", Review.newBuilder().setId(id).setText("x".repeat(text))
                    .setRating(5).setDomain("test").setEventTime(Instant.now()).build());
            if (bytes.length == size) {
                return bytes;
            }
            text += size - bytes.length;
        }
        throw new AssertionError("could not build a Review of " + size + " bytes");
    }

    private static <K, V> KafkaConsumer<K, V> consumer(org.apache.kafka.common.serialization.Deserializer<K> keys,
                                                       org.apache.kafka.common.serialization.Deserializer<V> values) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024), keys, values);
    }
}
