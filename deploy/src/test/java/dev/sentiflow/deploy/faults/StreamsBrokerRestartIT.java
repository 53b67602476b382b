package dev.sentiflow.deploy.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.Review;
import dev.sentiflow.deploy.local.ChildProcesses;
import dev.sentiflow.deploy.local.LocalKafka;
import dev.sentiflow.inference.InferenceConfig;
import dev.sentiflow.inference.InferenceService;
import dev.sentiflow.ingest.IngestApp;
import dev.sentiflow.ingest.IngestConfig;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroSerializer;
import dev.sentiflow.schemas.topic.ReadToEnd;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.text.data.Row;
import dev.sentiflow.text.data.RowReaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away while reviews flow through ingest and inference, and comes back on its data:
 * a real {@code kafka.Kafka} child process (the local stack's) killed with SIGKILL mid-stream and
 * started again 20 s later on the same folder and ports, with both Streams apps running in this JVM
 * and a producer sending throughout. Every review id must end exactly once, read with
 * {@code read_committed}: a prediction, or a dead letter of ingest or inference; and neither app may
 * stop (they share one failure policy: a broker outage must not count as permanent).
 */
class StreamsBrokerRestartIT {

    private static final int REVIEWS = 600;
    private static final Duration OUTAGE = Duration.ofSeconds(20);
    private static final List<String> TOPICS = List.of("reviews", "reviews.tokenized", "reviews.dlq", "predictions",
            "predictions.dlq");

    @TempDir
    Path dir;

    @Test
    void everyReviewEndsExactlyOnceAcrossABrokerKilledMidStreamAndRestartedOnItsData() throws Exception {
        ChildProcesses restarted = null;
        KafkaStreams ingest = null;
        InferenceService inference = null;
        try (ChildProcesses children = new ChildProcesses(dir.resolve("logs"), Duration.ofSeconds(10), death -> { });
             ApicurioRegistry server = ApicurioRegistry.start()) {
            LocalKafka kafka = LocalKafka.start(children, dir);
            String bootstrap = kafka.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.createTopics(Stream.concat(TOPICS.stream().map(t -> new NewTopic(t, 2, (short) 1)), Stream.of(
                        new NewTopic("models", 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                        new NewTopic("metrics.live", 1, (short) 1))).toList()).all().get();
            }
            Map<String, String> common = Map.of("bootstrap.servers", bootstrap, "schema.registry.url",
                    server.confluentApiUrl());
            Map<String, String> ingestSettings = new HashMap<>(common);
            ingestSettings.put("state.dir", dir.resolve("ingest-state").toString());
            ingest = IngestApp.start(new IngestConfig(ingestSettings));
            Map<String, String> inferenceSettings = new HashMap<>(common);
            inferenceSettings.put("state.dir", dir.resolve("inference-state").toString());
            inferenceSettings.put("base.model", "minilm@2layers");
            inferenceSettings.put("serve.without.model", "base-head");
            inference = InferenceService.start(new InferenceConfig(inferenceSettings));

            List<Review> reviews = reviews();
            AtomicInteger sent = new AtomicInteger();
            AtomicReference<Exception> sendFailure = new AtomicReference<>();
            Thread producer = new Thread(() -> send(bootstrap, new SchemaRegistryClient(server.confluentApiUrl()),
                    reviews, sent, sendFailure), "it-producer");
            producer.start();
            while (sent.get() < REVIEWS / 4) {
                Thread.sleep(100);
            }
            kafka.child().process().destroyForcibly().waitFor();
            long killedAt = System.nanoTime();
            Thread.sleep(OUTAGE.toMillis());
            restarted = new ChildProcesses(dir.resolve("logs-restarted"), Duration.ofSeconds(10), death -> { });
            kafka = LocalKafka.start(restarted, dir);
            assertTrue(kafka.reused(), "the broker came back on its own data");
            System.out.printf("streams broker restart IT: broker away %.1f s; %d of %d reviews handed to the "
                    + "producer when it went%n", (System.nanoTime() - killedAt) / 1e9, REVIEWS / 4, REVIEWS);
            producer.join(Duration.ofMinutes(3).toMillis());
            assertEquals(null, sendFailure.get(), "the producer rode it out too");

            Set<String> expected = reviews.stream().map(Review::getId).collect(Collectors.toSet());
            Map<String, Integer> outcomes = Map.of();
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            while (System.nanoTime() < deadline) {
                assertTrue(ingest.state().isRunningOrRebalancing(), "ingest stopped: " + ingest.state());
                assertTrue(inference.streams().state().isRunningOrRebalancing(), "inference stopped: "
                        + inference.streams().state());
                outcomes = outcomes(kafka.bootstrapServers());
                if (outcomes.keySet().containsAll(expected)) {
                    break;
                }
                Thread.sleep(1000);
            }
            Map<String, Integer> notOnce = new TreeMap<>(outcomes);
            notOnce.values().removeIf(n -> n == 1);
            Set<String> missing = new java.util.TreeSet<>(expected);
            missing.removeAll(outcomes.keySet());
            System.out.printf("streams broker restart IT: %d ids accounted for, %d missing, %d not exactly once%n",
                    outcomes.size(), missing.size(), notOnce.size());
            assertEquals(Set.of(), missing, "every review ends somewhere");
            assertEquals(Map.of(), notOnce, "and exactly once");
            assertEquals(expected, outcomes.keySet(), "and nothing else");
        } finally {
            if (inference != null) {
                inference.close();
            }
            if (ingest != null) {
                ingest.close(Duration.ofSeconds(30));
            }
            if (restarted != null) {
                restarted.close();
            }
        }
    }

    private static List<Review> reviews() throws Exception {
        try (Stream<Row> rows = RowReaders.rows(Path.of("../data/uci_sentiment_sentences.csv"))) {
            return rows.limit(REVIEWS).map(r -> Review.newBuilder().setId("uci:" + r.line()).setText(r.require("text"))
                    .setLabel(r.require("label").equals("1") ? "positive" : "negative").setRating(null)
                    .setDomain(r.require("source")).setEventTime(Instant.EPOCH).build()).toList();
        }
    }

    /** About 30 reviews a second, idempotent, with time to wait out the outage (as a real producer is set up). */
    private static void send(String bootstrap, SchemaRegistryClient registry, List<Review> reviews, AtomicInteger sent,
            AtomicReference<Exception> failure) {
        var serializer = new AvroSerializer<Review>(registry, Review.getClassSchema(), true, false);
        Map<String, Object> settings = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000, ProducerConfig.MAX_BLOCK_MS_CONFIG, 180_000);
        try (var producer = new KafkaProducer<>(settings, new StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (Review r : reviews) {
                producer.send(new ProducerRecord<>("reviews", r.getId(), serializer.serialize("reviews", r)),
                        (meta, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
                sent.incrementAndGet();
                Thread.sleep(33);
            }
            producer.flush();
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    /** How many times each review id appears as a prediction or a dead letter (read_committed). */
    private static Map<String, Integer> outcomes(String bootstrap) {
        Map<String, Integer> seen = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            for (String topic : List.of("predictions", "predictions.dlq", "reviews.dlq")) {
                ReadToEnd.read(consumer, topic, Duration.ofSeconds(30), r -> {
                    seen.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
                    return true;
                }).recordsOrThrow(topic, Duration.ofSeconds(30));
            }
        } catch (RuntimeException e) {
            return Map.of(); // the broker is not back yet
        }
        return seen;
    }
}
