package dev.sentiflow.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.Prediction;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import dev.sentiflow.testkit.PausedProcess;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the real app, a separate JVM started as users start it, and proves nothing is lost or
 * duplicated: once mid-stream, and once while the tail of the two partitions sits in a batch that is not
 * full (its records are covered by committed input offsets, so only the changelogged pending store
 * can bring them back). Each restart uses a fresh state directory, so the store comes back from its
 * changelog. Then the app's JVM is stopped past its transaction timeout and continued. Predictions are
 * read with read_committed and every id is counted.
 */
class InferenceCrashIT {

    private static final String APP_ID = "sentiflow-inference-crash";
    private static final String TOKENIZED = "reviews.tokenized";
    private static final int PARTITIONS = 2;
    private static final int BATCH = 16;

    private static EmbeddedKafka kafka;
    private static ApicurioRegistry server;
    private static SchemaRegistryClient registry;
    private static TestModels models;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        server = ApicurioRegistry.start();
        registry = new SchemaRegistryClient(server.confluentApiUrl());
        kafka.createTopics(PARTITIONS, TOKENIZED, "predictions", "predictions.dlq");
        kafka.createTopics(1, "models");
        models = TestModels.load(0);
    }

    @AfterAll
    static void stop() {
        models.close();
        server.close();
        kafka.close();
    }

    @Test
    void killedTwiceLosesAndDuplicatesNothing(@TempDir Path dir) throws Exception {
        KafkaChecks.publishCheckpoint(kafka.bootstrapServers(), registry, "models", 1,
                models.chunks("default", 1, models.adapter(1), Optional.empty()));
        List<TokenizedReview> reviews = InferenceIT.uciReviews(models, 0, 300);
        KafkaChecks.sendReviews(kafka.bootstrapServers(), registry, TOKENIZED, reviews);
        // Full batches of the one stream thread's two partitions together (batch.across.partitions); the
        // rest waits for the (long) batch wait.
        long inFullBatches = reviews.size() / BATCH * BATCH;
        long tail = reviews.size() - inFullBatches;
        assertTrue(tail > 0, "the test needs a partial batch: " + reviews.size() + " reviews, batches of " + BATCH);

        // 1. Killed mid-stream, as soon as anything is committed.
        Process first = launch(dir, "run1", 60_000);
        awaitCommittedPredictions(1, first, dir.resolve("run1.log"));
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

        // 2. Killed while every full batch is scored and the partial ones wait in the store.
        Process second = launch(dir, "run2", 60_000);
        awaitCommittedPredictions(inFullBatches, second, dir.resolve("run2.log"));
        awaitPendingInChangelog(tail, second);
        second.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        long afterSecond = KafkaChecks.readAllCommitted(kafka.bootstrapServers(), registry, "predictions",
                Duration.ofSeconds(60)).stream().map(ConsumerRecord::key).distinct().count();
        assertEquals(inFullBatches, afterSecond, "the partial batches must not have been scored before the kill");

        // 3. A short wait this time: the restored pending records are scored; then a clean stop.
        Process third = launch(dir, "run3", 200);
        awaitCommittedPredictions(reviews.size(), third, dir.resolve("run3.log"));
        third.destroy(); // SIGTERM: the shutdown hook closes Streams cleanly
        assertTrue(third.waitFor(60, TimeUnit.SECONDS), "the app did not stop on SIGTERM");

        List<ConsumerRecord<String, Prediction>> all = KafkaChecks.readAllCommitted(kafka.bootstrapServers(), registry,
                "predictions", Duration.ofSeconds(60));
        Map<String, Long> perId = all.stream().collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
        Set<String> expected = reviews.stream().map(TokenizedReview::getId).collect(Collectors.toSet());
        assertEquals(expected, perId.keySet(), "lost or unexpected ids");
        assertEquals(Map.of(), perId.entrySet().stream().filter(e -> e.getValue() != 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "duplicated ids");
        String log = Files.readString(dir.resolve("run3.log"));
        assertTrue(log.contains("restored from the changelog"), "run 3 should have scored restored records:\n" + log);
        System.out.printf("crash IT: %d ids, each predicted once, across two kills; %d waited in partial batches%n",
                perId.size(), tail);
    }

    /**
     * The app's JVM stopped (SIGSTOP, as a long GC pause or a frozen container would) for 25 s while
     * reviews flow, past its 10 s transaction timeout, then continued. The broker aborts the open
     * transaction (its predictions and pending-store writes with it); the app must carry on, and every
     * id must be predicted exactly once.
     */
    @Test
    void stoppedPastItsTransactionTimeoutItCarriesOnAndLosesNothing(@TempDir Path dir) throws Exception {
        kafka.createTopics(PARTITIONS, "paused.tokenized", "paused.predictions", "paused.dlq");
        List<TokenizedReview> reviews = InferenceIT.uciReviews(models, 300, 800);
        Process app = launch(dir, "paused", 200, "application.id=sentiflow-inference-paused",
                "topic.tokenized=paused.tokenized", "topic.predictions=paused.predictions", "topic.dlq=paused.dlq",
                "serve.without.model=base-head", "kafka.session.timeout.ms=45000", "kafka.heartbeat.interval.ms=3000",
                // Commits seconds apart, so a transaction is open most of the time (with a commit per batch
                // the pause would mostly fall between transactions, as it does in production).
                "batch.commit=false", "kafka.commit.interval.ms=5000");
        Path log = dir.resolve("paused.log");
        try {
            // Traffic from when the app runs, for 20 s: the pause must fall while it works, not after a
            // backlog built during its start-up is done.
            PausedProcess.awaitRunning(app, log);
            Thread sender = new Thread(() -> KafkaChecks.sendReviews(kafka.bootstrapServers(), registry,
                    "paused.tokenized", reviews, Duration.ofMillis(25)), "it-sender");
            sender.start();
            awaitCommittedPredictions("paused.predictions", 50, app, log);
            PausedProcess.pause(app, Duration.ofSeconds(25)); // past the timeout and the broker's 10 s sweep
            sender.join(Duration.ofMinutes(2).toMillis());
            awaitCommittedPredictions("paused.predictions", reviews.size(), app, log);
            assertTrue(app.isAlive(), "the app stopped:\n" + Files.readString(log));
        } finally {
            app.destroy();
            if (!app.waitFor(60, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
        }
        Map<String, Long> perId = KafkaChecks.readAllCommitted(kafka.bootstrapServers(), registry,
                "paused.predictions", Duration.ofSeconds(60)).stream()
                .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
        assertEquals(reviews.stream().map(TokenizedReview::getId).collect(Collectors.toSet()), perId.keySet(),
                "lost or unexpected ids");
        assertEquals(Map.of(), perId.entrySet().stream().filter(e -> e.getValue() != 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "duplicated ids");
        String out = Files.readString(log);
        System.out.printf("crash IT: %d ids predicted once each across a 25 s SIGSTOP; the app %s%n", perId.size(),
                out.contains("transient problem") ? "had its stream thread replaced (our failure policy)"
                        : out.contains("being fenced") ? "was fenced and rejoined its group (Streams' own recovery)"
                        : "lost no transaction (none was open)");
    }

    /** The app as users run it: its own JVM, settings as key=value arguments ({@code extra} last, so they win). */
    private static Process launch(Path dir, String run, long batchWaitMs, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dai.djl.offline=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.log.dev.sentiflow=info",
                "-cp", System.getProperty("java.class.path"),
                InferenceApp.class.getName(),
                "bootstrap.servers=" + kafka.bootstrapServers(),
                "schema.registry.url=" + server.confluentApiUrl(),
                "application.id=" + APP_ID,
                "state.dir=" + dir.resolve("state-" + run),
                "batch.max.records=" + BATCH,
                "batch.max.wait.ms=" + batchWaitMs,
                "kafka.commit.interval.ms=100",
                "kafka.session.timeout.ms=6000",
                "kafka.heartbeat.interval.ms=1000"));
        command.addAll(List.of(extra));
        File log = dir.resolve(run + ".log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    private static void awaitCommittedPredictions(long count, Process app, Path log) throws Exception {
        awaitCommittedPredictions("predictions", count, app, log);
    }

    private static void awaitCommittedPredictions(String topic, long count, Process app, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        Set<String> seen = new HashSet<>();
        try (var consumer = KafkaChecks.predictionsConsumer(kafka.bootstrapServers(), registry)) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (seen.size() < count) {
                if (!app.isAlive()) {
                    throw new AssertionError("the app exited with " + app.exitValue() + ":\n" + Files.readString(log));
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + seen.size() + " of " + count + " predictions in time:\n"
                            + Files.readString(log));
                }
                consumer.poll(Duration.ofMillis(100)).forEach(r -> seen.add(r.key()));
            }
        }
    }

    /** Waits until the committed changelog of the pending store holds exactly {@code count} live records. */
    private static void awaitPendingInChangelog(long count, Process app) throws Exception {
        String changelog = APP_ID + "-" + InferenceTopology.PENDING_STORE + "-changelog";
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, Boolean> live = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(changelog).stream()
                    .map(p -> new TopicPartition(changelog, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (live.values().stream().filter(b -> b).count() != count) {
                if (!app.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("the pending store's changelog never held " + count + " records: " + live);
                }
                consumer.poll(Duration.ofMillis(100)).forEach(r ->
                        live.put(r.partition() + ":" + java.util.HexFormat.of().formatHex(r.key()), r.value() != null));
            }
        }
    }
}
