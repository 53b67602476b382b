package dev.sentiflow.ingest;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.Review;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroSerializer;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start and stop of the real app: the admin client that checks topics gets the {@code kafka.*}
 * settings, and SIGTERM ends a separate JVM within {@code shutdown.timeout.ms} even when the broker
 * is gone while a transaction is open (its commit would block for {@code max.block.ms}, a minute).
 * Each test has a broker of its own (one of them stops it).
 */
class IngestLifecycleIT {

    private static final long SHUTDOWN_TIMEOUT_MS = 3_000;
    /** JVM exit, log flushing and a slow shared machine. */
    private static final long MARGIN_MS = 10_000;

    @Test
    void sigtermWithTheBrokerGoneExitsWithinTheShutdownTimeout(@TempDir Path dir) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        Process app = null;
        Path log = dir.resolve("ingest.log");
        try (ApicurioRegistry registry = ApicurioRegistry.start()) {
            kafka.createTopics(1, "reviews", "reviews.tokenized", "reviews.dlq");
            // Surefire may run tests from a manifest-only jar; it names the real class path here.
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> command = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-Dorg.slf4j.simpleLogger.log.dev.sentiflow=info", "-cp", classPath,
                    "dev.sentiflow.ingest.IngestApp",
                    "bootstrap.servers=" + kafka.bootstrapServers(),
                    "schema.registry.url=" + registry.confluentApiUrl(),
                    "state.dir=" + dir.resolve("state"),
                    // No commit before the close: the close then has a transaction to commit.
                    "kafka.commit.interval.ms=60000", "kafka.producer.transaction.timeout.ms=120000",
                    "shutdown.timeout.ms=" + SHUTDOWN_TIMEOUT_MS);
            app = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            awaitLog(app, log, "-> RUNNING", Duration.ofSeconds(90));
            processOneReviewIntoAnOpenTransaction(kafka, new SchemaRegistryClient(registry.confluentApiUrl()));

            kafka.close(); // the broker is gone: committing that transaction would now block for a minute
            long begin = System.nanoTime();
            app.destroy(); // SIGTERM
            boolean exited = app.waitFor(SHUTDOWN_TIMEOUT_MS + MARGIN_MS, TimeUnit.MILLISECONDS);
            long millis = (System.nanoTime() - begin) / 1_000_000;
            assertTrue(exited, "ingest still running " + millis + " ms after SIGTERM; log:\n" + tail(log));
            String out = Files.readString(log);
            assertTrue(out.contains("ingest did not stop within"), "the unfinished close must be logged:\n" + tail(log));
            System.out.printf("lifecycle IT: exited %d ms after SIGTERM with the broker gone%n", millis);
        } finally {
            if (app != null) {
                app.destroyForcibly();
            }
            kafka.close();
        }
    }

    /** Sends a review and waits until its tokenized record is written, uncommitted (read_uncommitted sees it). */
    private static void processOneReviewIntoAnOpenTransaction(EmbeddedKafka kafka, SchemaRegistryClient registry)
            throws Exception {
        var serializer = new AvroSerializer<Review>(registry, Review.getClassSchema(), true, false);
        Review review = Review.newBuilder().setId("r1").setText("a fine tea").setRating(5).setDomain("test")
                .setEventTime(Instant.now()).build();
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer());
             var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                     ConsumerConfig.GROUP_ID_CONFIG, "lifecycle-" + System.nanoTime(),
                     ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                     ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"),
                     new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            producer.send(new ProducerRecord<>("reviews", "r1".getBytes(StandardCharsets.UTF_8),
                    serializer.serialize("reviews", review))).get();
            consumer.subscribe(List.of("reviews.tokenized"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (consumer.poll(Duration.ofMillis(200)).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "the review was never processed");
            }
        }
    }

    @Test
    void theTopicCheckUsesTheKafkaSecuritySettings(@TempDir Path dir) {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            // The broker speaks PLAINTEXT: an admin client that really got security.protocol=SSL cannot
            // list topics, and with the admin-only timeouts below it gives up fast.
            IngestConfig config = new IngestConfig(Map.of(
                    "bootstrap.servers", kafka.bootstrapServers(),
                    "state.dir", dir.toString(),
                    "kafka.security.protocol", "SSL",
                    "kafka.admin.default.api.timeout.ms", "3000",
                    "kafka.admin.request.timeout.ms", "1000"));
            long begin = System.nanoTime();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> IngestApp.start(config).close());
            long millis = (System.nanoTime() - begin) / 1_000_000;
            assertTrue(e.getMessage().contains("cannot check topics") && e.getMessage().contains(kafka.bootstrapServers()),
                    e.getMessage());
            assertTrue(millis < 20_000, "took " + millis + " ms");
        }
    }

    private static void awaitLog(Process app, Path log, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            if (!app.isAlive()) {
                throw new AssertionError("ingest exited with " + app.exitValue() + " before '" + text + "':\n"
                        + tail(log));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' within " + timeout.toSeconds() + " s:\n" + tail(log));
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
