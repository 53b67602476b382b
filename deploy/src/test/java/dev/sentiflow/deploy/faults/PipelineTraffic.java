package dev.sentiflow.deploy.faults;

import dev.sentiflow.avro.Review;
import dev.sentiflow.inference.InferenceConfig;
import dev.sentiflow.inference.InferenceService;
import dev.sentiflow.ingest.IngestApp;
import dev.sentiflow.ingest.IngestConfig;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroSerializer;
import dev.sentiflow.text.data.Row;
import dev.sentiflow.text.data.RowReaders;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What the streams fault tests share: the pipeline's topics, ingest and inference started in this
 * JVM (inference serving the base head, so no checkpoint is needed), reviews sent at a steady rate by
 * a producer set up to ride out an outage, and the accounting of every review id across
 * {@code predictions}, {@code predictions.dlq} and {@code reviews.dlq} read with {@code read_committed}.
 */
final class PipelineTraffic implements AutoCloseable {

    private static final List<String> TOPICS = List.of("reviews", "reviews.tokenized", "reviews.dlq", "predictions",
            "predictions.dlq");

    final KafkaStreams ingest;
    final InferenceService inference;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PipelineTraffic(KafkaStreams ingest, InferenceService inference) {
        this.ingest = ingest;
        this.inference = inference;
    }

    static void createTopics(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(Stream.concat(TOPICS.stream().map(t -> new NewTopic(t, 2, (short) 1)), Stream.of(
                    new NewTopic("models", 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic("metrics.live", 1, (short) 1))).toList()).all().get();
        }
    }

    /** Starts ingest and inference against {@code registryUrl}; inference returns once it can score. */
    static PipelineTraffic start(String bootstrap, String registryUrl, Path dir) throws InterruptedException {
        // Streams gives a task this long to make progress before failing its thread; the outages here last
        // longer, so the apps' failure policy (not only Streams' retries) must ride them out.
        Map<String, String> common = Map.of("bootstrap.servers", bootstrap, "schema.registry.url", registryUrl,
                "kafka.task.timeout.ms", "5000");
        Map<String, String> ingestSettings = new HashMap<>(common);
        ingestSettings.put("state.dir", dir.resolve("ingest-state").toString());
        KafkaStreams ingest = IngestApp.start(new IngestConfig(ingestSettings));
        Map<String, String> inferenceSettings = new HashMap<>(common);
        inferenceSettings.put("state.dir", dir.resolve("inference-state").toString());
        inferenceSettings.put("base.model", "minilm@2layers");
        inferenceSettings.put("serve.without.model", "base-head");
        try {
            return new PipelineTraffic(ingest, InferenceService.start(new InferenceConfig(inferenceSettings)));
        } catch (RuntimeException | InterruptedException e) {
            ingest.close(Duration.ofSeconds(30));
            throw e;
        }
    }

    /** Whether both apps still run (a stopped one would leave its records unaccounted for). */
    String stopped() {
        if (!ingest.state().isRunningOrRebalancing()) {
            return "ingest " + ingest.state();
        }
        if (!inference.streams().state().isRunningOrRebalancing()) {
            return "inference " + inference.streams().state();
        }
        return null;
    }

    /** The first {@code n} bundled UCI sentences as labeled reviews. */
    static List<Review> reviews(int n) throws Exception {
        try (Stream<Row> rows = RowReaders.rows(Path.of("../data/uci_sentiment_sentences.csv"))) {
            return rows.limit(n).map(r -> Review.newBuilder().setId("uci:" + r.line()).setText(r.require("text"))
                    .setLabel(r.require("label").equals("1") ? "positive" : "negative").setRating(null)
                    .setDomain(r.require("source")).setEventTime(Instant.EPOCH).build()).toList();
        }
    }

    /** About 30 reviews a second, idempotent, with time to wait out an outage (as a real producer is set up). */
    static Thread sendInBackground(String bootstrap, SchemaRegistryClient registry, List<Review> reviews,
            AtomicInteger sent, AtomicReference<Exception> failure) {
        Thread t = new Thread(() -> {
            var serializer = new AvroSerializer<Review>(registry, Review.getClassSchema(), true, false);
            Map<String, Object> settings = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000, ProducerConfig.MAX_BLOCK_MS_CONFIG, 180_000);
            try (var producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer())) {
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
        }, "it-producer");
        t.start();
        return t;
    }

    /** How many times each review id appears as a prediction or a dead letter (read_committed); empty if unreadable. */
    static Map<String, Integer> outcomes(String bootstrap) {
        try {
            return KeyCounts.of(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                    List.of("predictions", "predictions.dlq", "reviews.dlq"), Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            return Map.of(); // the broker is not back yet
        }
    }

    /**
     * Waits until every expected id appears as a prediction or a dead letter (or the timeout), failing
     * at once if an app stops; returns the last accounting.
     */
    Map<String, Integer> awaitAccounted(String bootstrap, Set<String> expected, Duration timeout)
            throws InterruptedException {
        Map<String, Integer> outcomes = Map.of();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String stopped = stopped();
            if (stopped != null) {
                throw new AssertionError("an app stopped: " + stopped);
            }
            outcomes = outcomes(bootstrap);
            if (outcomes.keySet().containsAll(expected)) {
                break;
            }
            Thread.sleep(1000);
        }
        return outcomes;
    }

    /** What is wrong with the accounting: ids missing, ids not exactly once, ids nobody sent; empty when none. */
    static Map<String, Object> problems(Set<String> expected, Map<String, Integer> outcomes) {
        Map<String, Object> problems = new TreeMap<>();
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(outcomes.keySet());
        Map<String, Integer> notOnce = new TreeMap<>(outcomes);
        notOnce.values().removeIf(n -> n == 1);
        Set<String> unknown = new TreeSet<>(outcomes.keySet());
        unknown.removeAll(expected);
        if (!missing.isEmpty()) {
            problems.put("missing", missing.size() + " " + missing.stream().limit(5).toList());
        }
        if (!notOnce.isEmpty()) {
            problems.put("not exactly once", notOnce);
        }
        if (!unknown.isEmpty()) {
            problems.put("never sent", unknown);
        }
        return problems;
    }

    /** Stops both apps; a second call does nothing, so a test may stop them before the broker they use goes. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        inference.close();
        ingest.close(Duration.ofSeconds(30));
    }
}
