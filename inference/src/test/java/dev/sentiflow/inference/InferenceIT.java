package dev.sentiflow.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.DeadLetter;
import dev.sentiflow.avro.DeadLetterReason;
import dev.sentiflow.avro.Prediction;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.text.data.Row;
import dev.sentiflow.text.data.RowReaders;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import dev.sentiflow.testkit.FreePort;
import dev.sentiflow.testkit.Poison;
import dev.sentiflow.testkit.PrometheusText;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inference app on a real broker with a real registry, started as its main starts it, on the
 * whole MiniLM: real UCI sentences tokenized by the bundled tokenizer go in; adapter v1 (several
 * chunks, one transaction) is on the models topic before start, v2 is published mid-stream. Every
 * input id gets exactly one prediction (read_committed), and everything sent after v2 was served
 * says version 2.
 */
class InferenceIT {

    private static final Path UCI = Path.of("../data/uci_sentiment_sentences.csv");
    private static final String TOKENIZED = "reviews.tokenized";
    private static final String MODELS = "models";

    private static EmbeddedKafka kafka;
    private static ApicurioRegistry server;
    private static SchemaRegistryClient registry;
    private static TestModels models;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        server = ApicurioRegistry.start();
        registry = new SchemaRegistryClient(server.confluentApiUrl());
        kafka.createTopics(2, TOKENIZED, "predictions", "predictions.dlq");
        kafka.createTopics(1, MODELS, "metrics.live");
        models = TestModels.load(0);
    }

    @AfterAll
    static void stop() {
        models.close();
        server.close();
        kafka.close();
    }

    static List<TokenizedReview> uciReviews(TestModels models, int skip, int count) throws Exception {
        try (Stream<Row> rows = RowReaders.rows(UCI)) {
            return rows.skip(skip).limit(count).map(r -> TokenizedReview.newBuilder()
                    .setId("uci:" + r.line())
                    .setTokenIds(Arrays.stream(models.tokenizer.encode(r.require("text"))).boxed().toList())
                    .setLabel(r.require("label").equals("1") ? "positive" : "negative")
                    .setDomain(r.require("source"))
                    .setEventTime(Instant.now())
                    .setTokenizerId(models.tokenizer.id())
                    .build()).toList();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void everyReviewGetsExactlyOnePredictionAndTheSwapTakesEffectMidStream(@TempDir Path stateDir) throws Exception {
        byte[] v1 = models.adapter(1);
        byte[] v2 = models.adapter(2);
        var v1Chunks = models.chunks("default", 1, v1, Optional.empty());
        assertTrue(v1Chunks.size() > 3, "v1 should span several records, got " + v1Chunks.size());
        KafkaChecks.publishCheckpoint(kafka.bootstrapServers(), registry, MODELS, 1, v1Chunks);

        List<TokenizedReview> before = uciReviews(models, 0, 200);
        List<TokenizedReview> during = uciReviews(models, 200, 100);
        List<TokenizedReview> after = uciReviews(models, 300, 100);
        KafkaChecks.sendReviews(kafka.bootstrapServers(), registry, TOKENIZED, before);
        // Records nobody can decode on every topic inference reads, the rollout history among them: read at
        // start, an unknown schema id there once stopped inference from starting at all.
        for (String topic : List.of(MODELS, "metrics.live", TOKENIZED)) {
            Poison.send(kafka.bootstrapServers(), topic);
        }

        Map<String, String> settings = Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", server.confluentApiUrl(),
                "state.dir", stateDir.toString(),
                "batch.max.records", "16",
                "kafka.commit.interval.ms", "100");
        long begin = System.nanoTime();
        InferenceService app = InferenceService.start(new InferenceConfig(settings));
        try {
            assertEquals(1L, app.registry().version("default").orElse(-1), "v1 must be served before scoring starts");
            awaitPredictions(before.size(), Duration.ofSeconds(120));
            double seconds = (System.nanoTime() - begin) / 1e9;
            System.out.printf("inference IT: %d predictions in %.1f s from start (%.0f/s, start-up included)%n",
                    before.size(), seconds, before.size() / seconds);

            // v2 lands while reviews are flowing.
            Thread sender = new Thread(() -> KafkaChecks.sendReviews(kafka.bootstrapServers(), registry, TOKENIZED,
                    during));
            sender.start();
            KafkaChecks.publishCheckpoint(kafka.bootstrapServers(), registry, MODELS, 1,
                    models.chunks("default", 2, v2, Optional.empty()));
            sender.join();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (app.registry().version("default").orElse(-1) != 2 && System.nanoTime() < deadline) {
                Thread.sleep(10); // polling under the deadline above
            }
            assertEquals(2L, app.registry().version("default").orElse(-1), "v2 was not swapped in");
            KafkaChecks.sendReviews(kafka.bootstrapServers(), registry, TOKENIZED, after);
            awaitPredictions(before.size() + during.size() + after.size(), Duration.ofSeconds(120));
        } finally {
            app.close();
        }

        List<ConsumerRecord<String, Prediction>> all = KafkaChecks.readAllCommitted(kafka.bootstrapServers(), registry,
                "predictions", Duration.ofSeconds(30));
        Map<String, Long> perId = all.stream().collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
        Set<String> expected = new HashSet<>();
        Stream.of(before, during, after).flatMap(List::stream).forEach(r -> expected.add(r.getId()));
        assertEquals(expected, perId.keySet(), "every input id has a prediction and nothing else does");
        assertEquals(Map.of(), perId.entrySet().stream().filter(e -> e.getValue() != 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "ids predicted more than once");
        Map<String, Prediction> byId = new HashMap<>();
        all.forEach(r -> byId.put(r.key(), r.value()));
        for (TokenizedReview r : before) {
            assertEquals(1L, byId.get(r.getId()).getModelVersion(), r.getId());
            assertEquals(sha256(v1), byId.get(r.getId()).getModelSha256());
        }
        for (TokenizedReview r : after) {
            assertEquals(2L, byId.get(r.getId()).getModelVersion(), r.getId() + " was sent after v2 was served");
            assertEquals(sha256(v2), byId.get(r.getId()).getModelSha256());
        }
        long duringV2 = during.stream().filter(r -> byId.get(r.getId()).getModelVersion() == 2L).count();
        System.out.printf("inference IT: of the %d reviews sent while v2 was published, %d were scored by v2%n",
                during.size(), duringV2);
        assertTrue(byId.values().stream().allMatch(p -> p.getModelVersion() == 1L || p.getModelVersion() == 2L));
        assertTrue(byId.values().stream().allMatch(p -> Set.of("amazon", "imdb", "yelp").contains(p.getDomain())));
        var letters = new dev.sentiflow.schemas.serde.AvroDeserializer<DeadLetter>(registry,
                DeadLetter.getClassSchema());
        List<DeadLetter> dead = kafka.readCommitted("predictions.dlq").stream()
                .map(r -> letters.deserialize("predictions.dlq", r.value())).toList();
        assertEquals(Poison.COUNT, dead.size(), "the undecodable inputs, dead-lettered, and nothing else");
        assertTrue(dead.stream().allMatch(l -> l.getReason() == DeadLetterReason.UNDECODABLE), dead.toString());
    }

    private static dev.sentiflow.avro.LiveMetrics decision(long version, dev.sentiflow.avro.RolloutAction action) {
        Instant now = Instant.now();
        return dev.sentiflow.avro.LiveMetrics.newBuilder().setModelName("default").setModelVersion(version)
                .setRole(dev.sentiflow.avro.LiveRole.CHALLENGER).setWindowStart(now).setWindowEnd(now)
                .setLabeledCount(200).setAccuracy(0.9).setMacroF1(0.9).setPerDomain(Map.of())
                .setDecision(action + " default v" + version + " over v" + (version - 1)).setAction(action)
                .setComparedVersion(version - 1).setComparedAccuracy(0.8).setCreatedAt(now).build();
    }

    /** A follower of a models topic and its live-metrics topic, caught up, over a registry of its own. */
    private static dev.sentiflow.inference.models.ModelsFollower follow(String modelsTopic, String liveTopic,
            dev.sentiflow.inference.models.ModelRegistry served,
            dev.sentiflow.inference.models.CheckpointIntake intake) throws InterruptedException {
        var follower = new dev.sentiflow.inference.models.ModelsFollower(
                Map.of("bootstrap.servers", kafka.bootstrapServers()), modelsTopic,
                new dev.sentiflow.schemas.serde.RecordDecoder<>(registry,
                        dev.sentiflow.avro.ModelCheckpoint.getClassSchema()), intake,
                Optional.of(new dev.sentiflow.inference.models.ModelsFollower.Decisions(liveTopic,
                        new dev.sentiflow.schemas.serde.RecordDecoder<>(registry,
                                dev.sentiflow.avro.LiveMetrics.getClassSchema()))));
        follower.start();
        assertTrue(follower.awaitCaughtUp(Duration.ofSeconds(60)), "the follower did not catch up");
        return follower;
    }

    /**
     * Rollout decisions on a real broker: a proposal whose transaction aborted never takes effect; of two
     * committed proposals that disagree (two instances, each on its own rows) the first counts, on every
     * instance and again after a restart.
     */
    @Test
    void rolloutDecisionsTakeEffectOnlyOnceCommittedAndTheFirstCommittedCounts() throws Exception {
        String modelsTopic = "models.rollouts";
        String liveTopic = "metrics.live.rollouts";
        kafka.createTopics(1, modelsTopic, liveTopic);
        KafkaChecks.publishCheckpoint(kafka.bootstrapServers(), registry, modelsTopic, 1,
                models.chunks("default", 1, models.adapter(1), Optional.empty()));
        KafkaChecks.publishCheckpoint(kafka.bootstrapServers(), registry, modelsTopic, 1,
                models.chunks(models.header("default", 2).rollout(dev.sentiflow.avro.Rollout.CHALLENGER).build(),
                        models.adapter(2), Optional.empty()));
        var challenger = Optional.of(Map.entry(dev.sentiflow.inference.models.ModelRegistry.ShadowRole.CHALLENGER, 2L));
        for (int instance = 0; instance < 2; instance++) {
            var served = new dev.sentiflow.inference.models.ModelRegistry();
            var intake = new dev.sentiflow.inference.models.CheckpointIntake(
                    new dev.sentiflow.schemas.checkpoint.CheckpointAssembler(64L << 20, Optional.empty()),
                    models.versions, served);
            try (var follower = follow(modelsTopic, liveTopic, served, intake)) {
                assertEquals(java.util.OptionalLong.of(1), served.version("default"));
                if (instance == 1) {
                    // Restarted: the committed decisions are read again, in the same order, with the same outcome.
                    assertEquals(Optional.empty(), served.shadow("default"), "v2 came back after a restart");
                    assertEquals(1, intake.rollouts().duplicates());
                    continue;
                }
                assertEquals(challenger, served.shadow("default"));
                KafkaChecks.sendLiveMetrics(kafka.bootstrapServers(), registry, liveTopic,
                        List.of(decision(2, dev.sentiflow.avro.RolloutAction.PROMOTED)), false);
                KafkaChecks.sendLiveMetrics(kafka.bootstrapServers(), registry, liveTopic,
                        List.of(decision(2, dev.sentiflow.avro.RolloutAction.REJECTED)), true);
                KafkaChecks.sendLiveMetrics(kafka.bootstrapServers(), registry, liveTopic,
                        List.of(decision(2, dev.sentiflow.avro.RolloutAction.PROMOTED)), true);
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (intake.rollouts().duplicates() < 1 && System.nanoTime() < deadline) {
                    Thread.sleep(20); // polling under the deadline above
                }
                assertEquals(1, intake.rollouts().applied(), "the committed REJECTED applies, and only it");
                assertEquals(1, intake.rollouts().duplicates(), "the later PROMOTED is a duplicate");
                assertEquals(Optional.empty(), served.shadow("default"), "the aborted PROMOTED took effect");
                assertEquals(java.util.OptionalLong.of(1), served.version("default"));
            } finally {
                served.close();
            }
        }
    }

    /**
     * With a signing key, a decision not signed with it (written by anyone who may write the
     * live-metrics topic) changes nothing; the signed one that follows applies.
     */
    @Test
    void withASigningKeyOnlySignedDecisionsChangeWhatIsServed() throws Exception {
        String modelsTopic = "models.signed-rollouts";
        String liveTopic = "metrics.live.signed-rollouts";
        kafka.createTopics(1, modelsTopic, liveTopic);
        var key = dev.sentiflow.schemas.checkpoint.CheckpointSigner.fromSecret("it-key");
        KafkaChecks.publishCheckpoint(kafka.bootstrapServers(), registry, modelsTopic, 1,
                models.chunks("default", 1, models.adapter(1), key));
        KafkaChecks.publishCheckpoint(kafka.bootstrapServers(), registry, modelsTopic, 1,
                models.chunks(models.header("default", 2).rollout(dev.sentiflow.avro.Rollout.CHALLENGER).build(),
                        models.adapter(2), key));
        var served = new dev.sentiflow.inference.models.ModelRegistry();
        var intake = new dev.sentiflow.inference.models.CheckpointIntake(
                new dev.sentiflow.schemas.checkpoint.CheckpointAssembler(64L << 20, key), models.versions, served);
        try (var follower = follow(modelsTopic, liveTopic, served, intake)) {
            KafkaChecks.sendLiveMetrics(kafka.bootstrapServers(), registry, liveTopic,
                    List.of(decision(2, dev.sentiflow.avro.RolloutAction.PROMOTED)), true);
            KafkaChecks.sendLiveMetrics(kafka.bootstrapServers(), registry, liveTopic,
                    List.of(key.get().signDecision(decision(2, dev.sentiflow.avro.RolloutAction.REJECTED))), true);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (intake.rollouts().applied() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling under the deadline above
            }
            assertEquals(1, intake.rollouts().refused(), "the unsigned PROMOTED is refused");
            assertEquals(1, intake.rollouts().applied(), "the signed REJECTED applies");
            assertEquals(Optional.empty(), served.shadow("default"));
            assertEquals(java.util.OptionalLong.of(1), served.version("default"));
        } finally {
            served.close();
        }
    }

    /**
     * With Streams' commit interval at ten minutes, predictions still reach a read_committed reader
     * within seconds: a batch cut by its wait asks for its commit ({@code batch.commit}, the default).
     */
    @Test
    void aScoredBatchIsVisibleWithoutWaitingForTheCommitInterval(@TempDir Path stateDir) throws Exception {
        kafka.createTopics(2, "eager.tokenized", "eager.predictions", "eager.dlq");
        Map<String, String> settings = new HashMap<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", server.confluentApiUrl(),
                "state.dir", stateDir.toString(),
                "application.id", "inference-eager-commit",
                "topic.tokenized", "eager.tokenized",
                "topic.predictions", "eager.predictions",
                "topic.dlq", "eager.dlq",
                "serve.without.model", "base-head",
                "kafka.commit.interval.ms", "600000"));
        settings.put("kafka.producer.transaction.timeout.ms", "900000"); // Streams wants it above the interval
        List<TokenizedReview> reviews = uciReviews(models, 400, 20); // fewer than a batch: cut by the wait
        InferenceService app = InferenceService.start(new InferenceConfig(settings));
        try {
            KafkaChecks.sendReviews(kafka.bootstrapServers(), registry, "eager.tokenized", reviews);
            awaitPredictions("eager.predictions", reviews.size(), Duration.ofSeconds(60));
        } finally {
            app.close();
        }
    }

    /**
     * One stream thread owning both input partitions scores what both hold in one batch: 20 reviews over
     * the two partitions, a wait long enough for all to arrive, one model run. Batching each partition
     * alone ({@code batch.across.partitions=false}) takes one run per partition.
     */
    @Test
    void oneStreamThreadBatchesItsPartitionsTogether(@TempDir Path stateDir) throws Exception {
        List<TokenizedReview> reviews = uciReviews(models, 500, 20); // fewer than a batch: cut by the wait
        assertEquals(1.0, batchesFor(reviews, true, stateDir.resolve("across")), "batches across partitions");
        assertEquals(2.0, batchesFor(reviews, false, stateDir.resolve("alone")), "batches per partition");
    }

    /**
     * A batch that takes another partition's pending records deletes them from that partition's store
     * in the transaction that carries their predictions, even when that partition's task has nothing of
     * its own to commit. Five reviews wait on partition 1 (its task has committed since), five arrive on
     * partition 0 and fill a batch of 10 across both, and the app closes cleanly right after. A second
     * app restores the pending stores from their changelog: a delete that missed the transaction brings
     * its review back, to be predicted a second time.
     */
    @Test
    void aBatchAcrossPartitionsDeletesWhatItTookInTheSameTransaction(@TempDir Path stateDir) throws Exception {
        String prefix = "taken";
        kafka.createTopics(2, prefix + ".tokenized", prefix + ".predictions", prefix + ".dlq");
        List<TokenizedReview> reviews = uciReviews(models, 600, 11);
        Map<String, String> settings = new HashMap<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", server.confluentApiUrl(),
                "state.dir", stateDir.toString(),
                "application.id", "inference-" + prefix,
                "topic.tokenized", prefix + ".tokenized",
                "topic.predictions", prefix + ".predictions",
                "topic.dlq", prefix + ".dlq",
                "serve.without.model", "base-head",
                "batch.max.records", "10",
                "batch.max.wait.ms", "60000")); // batches cut by size: a punctuation only every 15 s
        settings.put("kafka.session.timeout.ms", "6000"); // Streams does not leave its group on close
        InferenceService first = InferenceService.start(new InferenceConfig(settings));
        try {
            KafkaChecks.sendReviews(kafka.bootstrapServers(), registry, prefix + ".tokenized", 1, reviews.subList(0, 5));
            Thread.sleep(3000); // partition 1's task takes them and commits; then it has nothing to commit
            KafkaChecks.sendReviews(kafka.bootstrapServers(), registry, prefix + ".tokenized", 0, reviews.subList(5, 10));
            awaitPredictions(prefix + ".predictions", 10, Duration.ofSeconds(60));
        } finally {
            first.close();
        }
        settings.put("batch.max.wait.ms", "500");
        InferenceService second = InferenceService.start(new InferenceConfig(settings));
        try {
            // Older than this one, anything restored as pending is scored with it or before it.
            KafkaChecks.sendReviews(kafka.bootstrapServers(), registry, prefix + ".tokenized", 1, reviews.subList(10, 11));
            awaitPredictions(prefix + ".predictions", 11, Duration.ofSeconds(60));
        } finally {
            second.close();
        }
        Map<String, Long> perId = KafkaChecks.readAllCommitted(kafka.bootstrapServers(), registry,
                prefix + ".predictions", Duration.ofSeconds(30)).stream()
                .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
        assertEquals(11, perId.size(), perId.toString());
        assertEquals(Map.of(), perId.entrySet().stream().filter(e -> e.getValue() != 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "predicted more than once");
    }

    /** How many batches an app scoring the reviews from a 2-partition topic ran, with its own topics. */
    private static double batchesFor(List<TokenizedReview> reviews, boolean acrossPartitions, Path stateDir)
            throws Exception {
        String prefix = acrossPartitions ? "across" : "alone";
        kafka.createTopics(2, prefix + ".tokenized", prefix + ".predictions", prefix + ".dlq");
        int port = FreePort.find();
        InferenceService app = InferenceService.start(new InferenceConfig(Map.ofEntries(
                Map.entry("bootstrap.servers", kafka.bootstrapServers()),
                Map.entry("schema.registry.url", server.confluentApiUrl()),
                Map.entry("state.dir", stateDir.toString()),
                Map.entry("application.id", "inference-" + prefix),
                Map.entry("topic.tokenized", prefix + ".tokenized"),
                Map.entry("topic.predictions", prefix + ".predictions"),
                Map.entry("topic.dlq", prefix + ".dlq"),
                Map.entry("serve.without.model", "base-head"),
                Map.entry("batch.max.wait.ms", "2000"),
                Map.entry("batch.across.partitions", String.valueOf(acrossPartitions)),
                Map.entry("metrics.port", String.valueOf(port)),
                Map.entry("metrics.host", "127.0.0.1"))));
        try {
            KafkaChecks.sendReviews(kafka.bootstrapServers(), registry, prefix + ".tokenized", reviews);
            awaitPredictions(prefix + ".predictions", reviews.size(), Duration.ofSeconds(60));
            PrometheusText scrape = PrometheusText.scrape(port);
            assertEquals(Optional.of((double) reviews.size()),
                    scrape.sum("sentiflow_inference_batch_size_records_sum", Map.of()));
            return scrape.sum("sentiflow_inference_batch_seconds_count", Map.of()).orElseThrow();
        } finally {
            app.close();
        }
    }

    private static void awaitPredictions(int count, Duration timeout) {
        awaitPredictions("predictions", count, timeout);
    }

    private static void awaitPredictions(String topic, int count, Duration timeout) {
        Set<String> seen = new HashSet<>();
        try (var consumer = KafkaChecks.predictionsConsumer(kafka.bootstrapServers(), registry)) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (seen.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + seen.size() + " of " + count + " predictions within " + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.key()));
            }
        }
    }
    @Test
    void predictScoresWithTheNewestVersionOnTheModelsTopicAsTheCheckpointFileWould(@TempDir Path dir) throws Exception {
        byte[] v1 = models.adapter(31);
        byte[] v2 = models.adapter(32);
        KafkaChecks.publishCheckpoint(kafka.bootstrapServers(), registry, MODELS, 1, models.chunks("predict-me", 1, v1,
                Optional.empty()));
        KafkaChecks.publishCheckpoint(kafka.bootstrapServers(), registry, MODELS, 1, models.chunks("predict-me", 2, v2,
                Optional.empty()));
        Path settings = dir.resolve("client.properties");
        java.nio.file.Files.writeString(settings, "bootstrap.servers=" + kafka.bootstrapServers()
                + "\nschema.registry.url=" + server.confluentApiUrl() + "\n");
        Path file = dir.resolve("v2.safetensors");
        java.nio.file.Files.write(file, v2);
        String[] texts = {"the food was wonderful", "cold, bland and overpriced"};

        var fromTopic = run("--models", settings.toString(), "--model", "predict-me", texts[0], texts[1]);
        var fromFile = run("--checkpoint", file.toString(), texts[0], texts[1]);
        assertEquals(0, fromTopic.code(), fromTopic.err());
        assertTrue(fromTopic.err().contains("predict-me v2"), fromTopic.err());
        assertEquals(fromFile.out(), fromTopic.out(), "the topic's newest version scores as its checkpoint file does");
        assertEquals(2, fromTopic.out().strip().split("\n").length);

        var missing = run("--models", settings.toString(), "--model", "no-such-model", "x");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no valid version of model 'no-such-model'"), missing.err());
    }

    /**
     * {@code evaluate} scores every version on the topic on one labeled file; its accuracies match what
     * {@code predict --checkpoint} (another path: the file decoded onto a fresh model) predicts for the
     * same rows, per version and per domain; it says which labels it could not read.
     */
    @Test
    void evaluateScoresEveryVersionOnTheTestFileAsTheCheckpointFilesWould(@TempDir Path dir) throws Exception {
        byte[][] payloads = {models.adapter(41), models.adapter(42)};
        for (int v = 1; v <= 2; v++) {
            KafkaChecks.publishCheckpoint(kafka.bootstrapServers(), registry, MODELS, 1, models.chunks("evaluate-me", v,
                    payloads[v - 1], Optional.empty()));
        }
        List<Row> rows;
        try (Stream<Row> all = RowReaders.rows(UCI)) {
            rows = all.filter(r -> r.line() % 45 == 0).limit(60).toList(); // across the three domains
        }
        Path test = dir.resolve("test.csv");
        StringBuilder csv = new StringBuilder("text,label,source\n");
        rows.forEach(r -> csv.append('"').append(r.require("text").replace("\"", "\"\"")).append("\",")
                .append(r.require("label")).append(',').append(r.require("source")).append('\n'));
        java.nio.file.Files.writeString(test, csv);
        Path settings = dir.resolve("inference.properties");
        java.nio.file.Files.writeString(settings, "bootstrap.servers=" + kafka.bootstrapServers()
                + "\nschema.registry.url=" + server.confluentApiUrl() + "\n");

        double[] expected = new double[2];
        for (int v = 1; v <= 2; v++) {
            Path file = dir.resolve("v" + v + ".safetensors");
            java.nio.file.Files.write(file, payloads[v - 1]);
            var predicted = run(Stream.concat(Stream.of("--checkpoint", file.toString()),
                    rows.stream().map(r -> r.require("text"))).toArray(String[]::new));
            assertEquals(0, predicted.code(), predicted.err());
            List<String> labels = predicted.out().lines().map(l -> l.substring(0, l.indexOf(' '))).toList();
            long right = 0;
            for (int i = 0; i < rows.size(); i++) {
                right += labels.get(i).equals(rows.get(i).require("label").equals("1") ? "positive" : "negative") ? 1 : 0;
            }
            expected[v - 1] = right / (double) rows.size();
        }

        Path scores = dir.resolve("scores.json");
        var all = evaluate("--models", settings.toString(), "--model", "evaluate-me", "--file", test.toString(),
                "--label-map", "0=negative,1=positive", "--domain-column", "source", "--out", scores.toString());
        assertEquals(0, all.code(), all.err());
        System.out.print("evaluate IT:\n" + all.out());
        List<String> lines = all.out().lines().toList();
        assertEquals(2, lines.size(), all.out());
        assertTrue(lines.get(0).startsWith(String.format(java.util.Locale.ROOT,
                "evaluate-me v1 test accuracy %.4f", expected[0])), lines.get(0));
        assertTrue(lines.get(1).startsWith(String.format(java.util.Locale.ROOT,
                "evaluate-me v2 test accuracy %.4f", expected[1])), lines.get(1));
        assertTrue(lines.get(1).contains(String.format(java.util.Locale.ROOT, "on 60 (v1 %.4f", expected[0])),
                lines.get(1));
        assertTrue(lines.get(1).contains("amazon") && lines.get(1).contains("yelp"), "per domain: " + lines.get(1));
        // --out keeps the same scores for the report's chart.
        var kept = dev.sentiflow.inference.evaluate.TestScoresFile.read(scores);
        assertEquals(List.of(1L, 2L), kept.versions().stream().map(v -> v.version()).toList());
        assertEquals(expected[0], kept.versions().get(0).overall().accuracy(), 1e-9);
        assertEquals(expected[1], kept.versions().get(1).overall().accuracy(), 1e-9);
        assertEquals(60, kept.rows());
        assertTrue(kept.versions().get(1).domains().containsKey("yelp"), kept.toString());
        Path copy = java.nio.file.Files.copy(test, dir.resolve("copy.csv"));
        var elsewhere = evaluate("--models", settings.toString(), "--model", "evaluate-me", "--file", copy.toString(),
                "--label-map", "0=negative,1=positive", "--out", scores.toString());
        assertEquals(1, elsewhere.code(), elsewhere.err());
        assertTrue(elsewhere.err().contains("cannot be compared"), elsewhere.err());

        var one = evaluate("--models", settings.toString(), "--model", "evaluate-me", "--file", test.toString(),
                "--label-map", "0=negative,1=positive", "--versions", "2");
        assertEquals(List.of(lines.get(1).substring(0, lines.get(1).indexOf(" (v1"))),
                one.out().lines().map(l -> l.contains(" (v") ? l.substring(0, l.indexOf(" (v")) : l)
                        .map(l -> l.contains("  ") ? l.substring(0, l.indexOf("  ")) : l).toList());
        var unmapped = evaluate("--models", settings.toString(), "--model", "evaluate-me", "--file", test.toString());
        assertEquals(1, unmapped.code());
        assertTrue(unmapped.err().contains("label values seen: [0, 1]"), unmapped.err());
    }

    private static Run evaluate(String... args) {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int code = new EvaluateCommand(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8))
                .execute(args, new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        return new Run(code, out.toString(java.nio.charset.StandardCharsets.UTF_8),
                err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int code = new PredictCommand(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8))
                .execute(args, new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8),
                        new java.io.BufferedReader(new java.io.StringReader("")));
        return new Run(code, out.toString(java.nio.charset.StandardCharsets.UTF_8),
                err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }
}
