package dev.sentiflow.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.sentiflow.avro.MetricsScope;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.avro.TrainingMetrics;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.schemas.checkpoint.AssemblyResult;
import dev.sentiflow.schemas.checkpoint.CheckpointAssembler;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import dev.sentiflow.schemas.serde.AvroSerializer;
import dev.sentiflow.testkit.ApicurioLauncher;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import dev.sentiflow.testkit.Poison;
import dev.sentiflow.testkit.TcpRelay;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import dev.sentiflow.trainer.config.TrainerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The trainer under faults, on a real broker and registry with a small real model (MiniLM's first 2
 * layers): undecodable records on every topic it reads, windows that fill in the middle of a poll,
 * rounds longer than {@code max.poll.interval.ms}, and a registry that goes away (a real TCP path cut
 * in front of the real server) while records arrive and while a finished round is being committed.
 * Every labeled record must end trained (a round's window) or in the evaluation set, and the trainer
 * must keep running throughout.
 */
class TrainerFaultsIT {

    private static EmbeddedKafka kafka;
    private static ApicurioRegistry server;
    private static SchemaRegistryClient registry;
    private static NDManager manager;
    private static BaseModel base;
    private static TextTokenizer tokenizer;
    private static List<TokenizedReview> uci;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        server = ApicurioRegistry.start();
        registry = new SchemaRegistryClient(server.confluentApiUrl());
        manager = NDManager.newBaseManager();
        base = BaseModels.load(manager, "minilm@2layers");
        tokenizer = base.openTokenizer(64);
        uci = UciTokenized.load(tokenizer);
    }

    @AfterAll
    static void stop() {
        tokenizer.close();
        base.close();
        manager.close();
        server.close();
        kafka.close();
    }

    /** Topics and settings of one test, so tests share the broker but nothing else. */
    private record Setup(String prefix, String tokenized, String models, String metrics, String live, String group) {
        static Setup of(String prefix) {
            return new Setup(prefix, prefix + ".tokenized", prefix + ".models", prefix + ".metrics", prefix + ".live",
                    prefix + "-trainer");
        }

        void create() {
            kafka.createTopics(List.of(new NewTopic(tokenized, 1, (short) 1),
                    new NewTopic(models, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic(metrics, 1, (short) 1), new NewTopic(live, 1, (short) 1)));
        }

        Map<String, String> settings(String registryUrl) {
            Map<String, String> s = new HashMap<>();
            s.put("bootstrap.servers", kafka.bootstrapServers());
            s.put("schema.registry.url", registryUrl);
            s.put("group.id", group);
            s.put("topic.tokenized", tokenized);
            s.put("topic.models", models);
            s.put("topic.training.metrics", metrics);
            s.put("topic.metrics.live", live);
            s.put("round.size", "40");
            s.put("round.min.examples", "1");
            s.put("round.max.wait.ms", "1000");
            s.put("replay.capacity", "40");
            s.put("epochs", "2");
            s.put("learning.rate", "3e-3");
            s.put("max.length", "64");
            s.put("eval.share", "0.2");
            s.put("gate.min.domain.examples", "20");
            s.put("checkpoint.chunk.bytes", "65536");
            s.put("checkpoint.signing.key", "it-secret");
            return s;
        }
    }

    /**
     * Defects 1, 2 and 3 of the fault issue: four undecodable records on {@code reviews.tokenized}
     * (two with a schema id the registry does not know, two of random bytes) and two each on
     * {@code models} and {@code metrics.live} leave the trainer running and counting them; a poll
     * fetches far more records than a window holds (500 against 80), and no record past a full window
     * is skipped; rounds take longer than {@code max.poll.interval.ms} and still commit once.
     */
    @Test
    void poisonIsSkippedAndEveryLabeledRecordEndsTrainedOrEvaluatedWhateverThePollAndRoundSizes() throws Exception {
        Setup t = Setup.of("poison");
        t.create();
        Poison.send(kafka.bootstrapServers(), t.models());
        Poison.send(kafka.bootstrapServers(), t.live());
        Poison.send(kafka.bootstrapServers(), t.tokenized());
        List<TokenizedReview> reviews = uci.subList(0, 300);
        produce(t.tokenized(), reviews);

        Map<String, String> settings = t.settings(server.confluentApiUrl());
        settings.put("kafka.consumer.max.poll.records", "500");
        settings.put("kafka.consumer.max.poll.interval.ms", "2000");
        settings.put("epochs", "5");
        TrainerConfig config = new TrainerConfig(settings);
        long evaluated = reviews.stream().filter(r -> config.evalSplit().isEval(r.getId())).count();

        ExecutorService pool = Executors.newSingleThreadExecutor();
        TrainerService trainer = TrainerApp.build(config, manager, base, tokenizer);
        Future<?> running = pool.submit(trainer::run);
        try {
            awaitTrue(() -> windowExamples(t) + evaluated == reviews.size()
                    && endOffset(t.tokenized()) == committedOffset(t), Duration.ofMinutes(6), running,
                    () -> "trained " + windowExamples(t) + " + evaluated " + evaluated + " of " + reviews.size()
                            + "; committed " + committedOffset(t) + " of " + endOffset(t.tokenized()));
            assertEquals(Poison.COUNT, trainer.undecodableRecords(), "every undecodable input record counted");
            assertFalse(running.isDone(), "the trainer keeps running");
            List<TrainingMetrics> rounds = roundRecords(t);
            double longest = rounds.stream().mapToDouble(m -> m.getValues().get("wall_seconds")).max().orElse(0);
            System.out.printf("trainer faults IT: %d rounds, windows %s, longest %.1f s (max.poll.interval 2 s), "
                    + "versions %d%n", rounds.size(), rounds.stream().map(m -> m.getValues().get("window_examples")
                    .intValue()).toList(), longest, versions(t, config).size());
            assertTrue(longest > 2, "a round must outlast max.poll.interval.ms for this test to mean anything: "
                    + longest + " s");
            assertTrue(rounds.stream().allMatch(m -> m.getValues().get("window_examples") <= 80),
                    "no window over its capacity");
            List<Long> versions = versions(t, config);
            assertEquals(rounds.stream().filter(m -> "PUBLISH".equals(m.getLabels().get("decision"))).count(),
                    versions.size(), "one version per published round");
            for (int i = 0; i < versions.size(); i++) {
                assertEquals(i + 1, versions.get(i), "each version once, in order: " + versions);
            }
        } finally {
            trainer.stop();
            running.get();
            trainer.close();
            pool.shutdown();
        }
    }

    /**
     * A window that fills (2 x {@code round.size}) before its model has any evaluation example: the
     * evaluation examples behind it must still be read, or no round can ever start. Here the first 25
     * labeled records are all training examples and a window holds 10.
     */
    @Test
    void aWindowFullBeforeAnyEvaluationExampleStillReachesTheEvaluationExamplesBehindIt() throws Exception {
        Setup t = Setup.of("noeval");
        t.create();
        Map<String, String> settings = t.settings(server.confluentApiUrl());
        settings.put("round.size", "5");
        settings.put("round.max.wait.ms", "600000");
        TrainerConfig config = new TrainerConfig(settings);
        List<TokenizedReview> training = uci.stream().filter(r -> config.evalSplit().isTrain(r.getId())).limit(25)
                .toList();
        List<TokenizedReview> held = uci.stream().filter(r -> config.evalSplit().isEval(r.getId())).limit(10)
                .toList();
        produce(t.tokenized(), training);
        produce(t.tokenized(), held);

        ExecutorService pool = Executors.newSingleThreadExecutor();
        TrainerService trainer = TrainerApp.build(config, manager, base, tokenizer);
        Future<?> running = pool.submit(trainer::run);
        try {
            awaitTrue(() -> windowExamples(t) == training.size() && endOffset(t.tokenized()) == committedOffset(t),
                    Duration.ofMinutes(4), running, () -> "trained " + windowExamples(t) + " of " + training.size()
                            + "; committed " + committedOffset(t) + " of " + endOffset(t.tokenized()));
            List<TrainingMetrics> rounds = roundRecords(t);
            System.out.printf("window full before evaluation IT: %d rounds, windows %s%n", rounds.size(),
                    rounds.stream().map(m -> m.getValues().get("window_examples").intValue()).toList());
            assertTrue(rounds.stream().allMatch(m -> m.getValues().get("window_examples") <= 10),
                    "no window over its capacity");
            assertFalse(running.isDone(), "the trainer keeps running");
        } finally {
            trainer.stop();
            running.get();
            trainer.close();
            pool.shutdown();
        }
    }

    /**
     * Defects 1 and 5: the registry becomes unreachable (the TCP path to it cut) before the trainer
     * reads anything, and again while a round trains, so the round's checkpoint cannot be serialized
     * when it is committed. The trainer waits and retries; once the registry is back the same round
     * is committed, exactly once, with every offset.
     */
    @Test
    void aRegistryOutageBeforeAndDuringARoundIsWaitedOutAndTheRoundCommitsOnce() throws Exception {
        Setup t = Setup.of("outage");
        t.create();
        List<TokenizedReview> reviews = uci.subList(300, 560);
        produce(t.tokenized(), reviews);
        try (TcpRelay relay = TcpRelay.to(server.port())) {
            Map<String, String> settings = t.settings(ApicurioLauncher.confluentApiUrl(relay.port()));
            settings.put("round.size", "200");
            settings.put("round.max.wait.ms", "600000");
            settings.put("epochs", "3");
            TrainerConfig config = new TrainerConfig(settings);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            relay.cut();
            TrainerService trainer = TrainerApp.build(config, manager, base, tokenizer);
            Future<?> running = pool.submit(trainer::run);
            try {
                Thread.sleep(8000);
                assertFalse(running.isDone(), "the trainer waits for the registry");
                assertEquals(-1, trainer.versionInFlight(), "nothing could be read yet");
                relay.restore();
                awaitTrue(() -> trainer.versionInFlight() == 1, Duration.ofMinutes(2), running, () -> "no round started");
                relay.cut();
                awaitTrue(() -> trainer.failedCommits() >= 1, Duration.ofMinutes(3), running,
                        () -> "the round's commit never failed (was the registry cut in time?)");
                relay.restore();
                awaitTrue(() -> roundRecords(t).size() == 1 && trainer.versionInFlight() == -1,
                        Duration.ofMinutes(2), running, () -> "the round was not committed after the registry came back");
                Thread.sleep(2000);
                List<TrainingMetrics> rounds = roundRecords(t);
                assertEquals(1, rounds.size(), "one round, committed once");
                boolean published = "PUBLISH".equals(rounds.get(0).getLabels().get("decision"));
                assertEquals(published ? List.of(1L) : List.of(), versions(t, config), rounds.get(0).getLabels()
                        .toString());
                assertEquals(0, trainer.undecodableRecords(), "an outage is not the records' fault");
                assertTrue(committedOffset(t) >= reviews.size(), "the round committed its offsets");
            } finally {
                trainer.stop();
                running.get();
                trainer.close();
                pool.shutdown();
            }
        }
    }

    /**
     * Defect 9 of the fault issue: the trainer's champion is the version inference serves. Before start,
     * v1 (a champion) and v2 (a challenger) are on the models topic and inference's REJECTED of v2 is
     * committed on the live-metrics topic: the first round trains from v1 (the parent of v3). While the
     * trainer runs, a PROMOTED of v3 commits and a ROLLED_BACK of v3 aborts: the next round trains from v3.
     */
    @Test
    void theChampionIsTheVersionInferenceServesAsItsCommittedDecisionsSay() throws Exception {
        Setup t = Setup.of("rollout");
        t.create();
        Map<String, String> settings = t.settings(server.confluentApiUrl());
        settings.put("publish.as", "challenger");
        settings.put("gate.tolerance", "0.5"); // the most there is: the test is about whom a round trains from
        TrainerConfig config = new TrainerConfig(settings);
        publishCheckpoint(t, config, 1, dev.sentiflow.avro.Rollout.CHAMPION);
        publishCheckpoint(t, config, 2, dev.sentiflow.avro.Rollout.CHALLENGER);
        // Unsigned, so not inference's: with a signing key set it must not count (else v2 would be promoted).
        sendDecision(t, 2, dev.sentiflow.avro.RolloutAction.PROMOTED, true, false);
        sendDecision(t, 2, dev.sentiflow.avro.RolloutAction.REJECTED, true);
        produce(t.tokenized(), uci.subList(600, 660));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        TrainerService trainer = TrainerApp.build(config, manager, base, tokenizer);
        Future<?> running = pool.submit(trainer::run);
        try {
            awaitTrue(() -> versions(t, config).contains(3L), Duration.ofMinutes(3), running, () -> "v3 not published");
            assertEquals(java.util.OptionalLong.of(1), parent(t, config, 3), "v3 must be trained from v1, not the rejected v2");
            sendDecision(t, 3, dev.sentiflow.avro.RolloutAction.ROLLED_BACK, false);
            sendDecision(t, 3, dev.sentiflow.avro.RolloutAction.PROMOTED, true);
            Thread.sleep(2000); // the decisions reach the trainer's loop between polls
            produce(t.tokenized(), uci.subList(660, 720));
            awaitTrue(() -> versions(t, config).contains(4L), Duration.ofMinutes(3), running, () -> "v4 not published");
            assertEquals(java.util.OptionalLong.of(3), parent(t, config, 4),
                    "v4 must be trained from the promoted v3 (the aborted rollback does not count)");
        } finally {
            trainer.stop();
            running.get();
            trainer.close();
            pool.shutdown();
        }
    }

    /**
     * A trainer restarted with a setting its champion was not trained with (here max.length 32 against
     * the champion's 64) refuses to start, naming the difference, before it reads or trains anything.
     */
    @Test
    void aTrainerWhoseSettingsDoNotFitItsChampionRefusesToStartSayingWhy() {
        Setup t = Setup.of("unfit");
        t.create();
        Map<String, String> settings = t.settings(server.confluentApiUrl());
        publishCheckpoint(t, new TrainerConfig(settings), 1, dev.sentiflow.avro.Rollout.CHAMPION);
        settings.put("max.length", "32");
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> TrainerApp.build(new TrainerConfig(settings), manager, base, tokenizer));
        assertTrue(e.getMessage().contains("champion v1") && e.getMessage().contains("max length 64 but this model "
                + "uses 32"), e.getMessage());
    }

    /**
     * One model per domain, and a domain too rare ever to train (3 examples, fewer than
     * round.min.examples) at the head of the partition: it holds the group's committed offset back for
     * every model. The busy domain's rounds say in the offset's metadata where it trained up to, so a
     * restarted trainer reads those examples as history and trains only what is new.
     */
    @Test
    void aDomainThatNeverTrainsDoesNotMakeTheOthersRetrainAfterARestart() throws Exception {
        Setup t = Setup.of("perdomain");
        t.create();
        Map<String, String> settings = t.settings(server.confluentApiUrl());
        settings.put("model.per.domain", "true");
        settings.put("round.min.examples", "10");
        TrainerConfig config = new TrainerConfig(settings);
        List<TokenizedReview> rare = uci.subList(0, 40).stream().filter(r -> config.evalSplit().isTrain(r.getId()))
                .limit(3).map(r -> TokenizedReview.newBuilder(r).setDomain("rare").build()).toList();
        List<TokenizedReview> busy = uci.subList(40, 160).stream()
                .map(r -> TokenizedReview.newBuilder(r).setDomain("busy").build()).toList();
        List<TokenizedReview> later = uci.subList(160, 200).stream().filter(r -> config.evalSplit().isTrain(r.getId()))
                .limit(12).map(r -> TokenizedReview.newBuilder(r).setDomain("busy").build()).toList();
        long busyTrain = busy.stream().filter(r -> config.evalSplit().isTrain(r.getId())).count();
        produce(t.tokenized(), rare);
        produce(t.tokenized(), busy);

        ExecutorService pool = Executors.newSingleThreadExecutor();
        TrainerService first = TrainerApp.build(config, manager, base, tokenizer);
        Future<?> running = pool.submit(first::run);
        try {
            awaitTrue(() -> windowExamples(t, "busy") == busyTrain, Duration.ofMinutes(3), running,
                    () -> "busy trained " + windowExamples(t, "busy") + " of " + busyTrain);
            assertEquals(0, committedOffset(t), "the rare domain's waiting example holds the committed offset");
        } finally {
            first.stop();
            running.get();
            first.close();
        }
        TrainerService second = TrainerApp.build(config, manager, base, tokenizer);
        running = pool.submit(second::run);
        try {
            produce(t.tokenized(), later);
            Future<?> secondRun = running;
            awaitTrue(() -> windowExamples(t, "busy") >= busyTrain + later.size(), Duration.ofMinutes(3), secondRun,
                    () -> "busy trained " + windowExamples(t, "busy") + " of " + (busyTrain + later.size()));
            Thread.sleep(3000); // a retrained window would be committed by now: round.max.wait.ms is 1 s
            assertEquals(busyTrain + later.size(), windowExamples(t, "busy"),
                    "after the restart busy trains only its new examples, none it had trained before");
            assertEquals(0, windowExamples(t, "rare"), "the rare domain never had enough to train");
        } finally {
            second.stop();
            running.get();
            second.close();
            pool.shutdown();
        }
    }

    /** checkpoint.chunk.bytes above what the models topic takes: the trainer does not start, and says what would fit. */
    @Test
    void chunksBiggerThanTheModelsTopicTakesStopTheTrainerAtStart() throws Exception {
        Setup t = Setup.of("bigchunk");
        t.create();
        setMaxMessageBytes(t.models(), 100_000);
        Map<String, String> settings = t.settings(server.confluentApiUrl());
        settings.put("checkpoint.chunk.bytes", "60000");
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> TrainerApp.build(new TrainerConfig(settings), manager, base, tokenizer));
        assertTrue(e.getMessage().contains("bigchunk.models's max.message.bytes is 100000")
                && e.getMessage().contains("at most 34464"), e.getMessage());
    }

    /**
     * The models topic's limit lowered under the chunks while the trainer runs: the round's commit
     * fails with a record too large, which no retry fixes, so the trainer ends saying so instead of
     * retrying for ever while its probes say it is healthy.
     */
    @Test
    void aCommitThatNoRetryCanFixEndsTheTrainerSayingWhy() throws Exception {
        Setup t = Setup.of("shrunk");
        t.create();
        Map<String, String> settings = t.settings(server.confluentApiUrl());
        settings.put("gate.tolerance", "0.5"); // publishes against the untrained champion below
        TrainerConfig config = new TrainerConfig(settings);
        publishCheckpoint(t, config, 1, dev.sentiflow.avro.Rollout.CHAMPION);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        TrainerService trainer = TrainerApp.build(config, manager, base, tokenizer);
        Future<?> running = pool.submit(trainer::run);
        try {
            setMaxMessageBytes(t.models(), 20_000);
            produce(t.tokenized(), uci.subList(600, 660));
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (!running.isDone() && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            assertTrue(running.isDone(), "the trainer must end; failed commits so far: " + trainer.failedCommits());
            var failure = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                    running::get);
            assertTrue(failure.getCause().getMessage().contains("retrying would not help")
                    && failure.getCause().getMessage().contains("checkpoint.chunk.bytes"), failure.getCause().toString());
            assertEquals(List.of(1L), versions(t, config), "nothing of the failed round is visible");
        } finally {
            trainer.stop();
            trainer.close();
            pool.shutdown();
        }
    }

    private static void setMaxMessageBytes(String topic, int bytes) throws Exception {
        try (var admin = kafka.admin()) {
            var resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry("max.message.bytes", String.valueOf(bytes)),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
        }
    }

    private static java.util.OptionalLong parent(Setup t, TrainerConfig config, long version) {
        return checkpoints(t, config).stream().filter(c -> c.version() == version).findFirst().orElseThrow()
                .header().parentVersion();
    }

    /** A signed checkpoint of an untrained adapter on the test's base, published as a trainer does. */
    private static void publishCheckpoint(Setup t, TrainerConfig config, long version, dev.sentiflow.avro.Rollout rollout) {
        var lora = dev.sentiflow.modeldata.config.LoraConfig.defaults();
        List<String> labels = List.of("negative", "positive");
        byte[] payload;
        try (NDManager m = manager.newSubManager()) {
            var model = dev.sentiflow.model.head.Classifiers.create(m, base, labels.size(), java.util.Optional.of(lora),
                    version);
            payload = dev.sentiflow.model.checkpoint.CheckpointCodec.encode(model,
                    new dev.sentiflow.modeldata.checkpoint.CheckpointMetadata(dev.sentiflow.modeldata.checkpoint.CheckpointKind.ADAPTER,
                            base.baseHash(), java.util.Optional.of(lora), labels, tokenizer.id(), 64));
        }
        var header = dev.sentiflow.schemas.checkpoint.CheckpointHeader.builder("default", version,
                        dev.sentiflow.avro.CheckpointKind.ADAPTER)
                .baseModelHash(base.baseHash()).tokenizerId(tokenizer.id()).labels(labels)
                .metrics(Map.of("accuracy", 0.5)).loraConfig(dev.sentiflow.modeldata.checkpoint.LoraConfigJson.toText(lora))
                .createdAt(java.time.Instant.now()).rollout(rollout).build();
        var serializer = new AvroSerializer<ModelCheckpoint>(registry, ModelCheckpoint.getClassSchema(), true, false);
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ProducerConfig.TRANSACTIONAL_ID_CONFIG, t.models() + "-test"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (ModelCheckpoint chunk : config.chunker().chunk(header, payload)) {
                producer.send(new ProducerRecord<>(t.models(), 0, dev.sentiflow.schemas.checkpoint.CheckpointKeys.keyBytes(
                        "default", chunk.getChunkIndex()), serializer.serialize(t.models(), chunk)));
            }
            producer.commitTransaction();
        }
    }

    /** A rollout decision as inference's stream task writes it, in a transaction that commits or aborts. */
    private static void sendDecision(Setup t, long version, dev.sentiflow.avro.RolloutAction action, boolean commit) {
        sendDecision(t, version, action, commit, true);
    }

    /** @param signed with the test's signing key, as inference signs them (unsigned: as anyone could write one) */
    private static void sendDecision(Setup t, long version, dev.sentiflow.avro.RolloutAction action, boolean commit,
            boolean signed) {
        java.time.Instant now = java.time.Instant.now();
        var m = dev.sentiflow.avro.LiveMetrics.newBuilder().setModelName("default").setModelVersion(version)
                .setRole(dev.sentiflow.avro.LiveRole.CHALLENGER).setWindowStart(now).setWindowEnd(now)
                .setLabeledCount(200).setAccuracy(0.9).setMacroF1(0.9).setPerDomain(Map.of())
                .setDecision(action + " default v" + version).setAction(action).setComparedVersion(version - 1)
                .setComparedAccuracy(0.8).setCreatedAt(now).build();
        var serializer = new AvroSerializer<dev.sentiflow.avro.LiveMetrics>(registry,
                dev.sentiflow.avro.LiveMetrics.getClassSchema(), true, false);
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ProducerConfig.TRANSACTIONAL_ID_CONFIG, t.live() + "-test"),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            var value = signed ? dev.sentiflow.schemas.checkpoint.CheckpointSigner.fromSecret("it-secret").orElseThrow()
                    .signDecision(m) : m;
            producer.send(new ProducerRecord<>(t.live(), "default", serializer.serialize(t.live(), value)));
            producer.flush();
            if (commit) {
                producer.commitTransaction();
            } else {
                producer.abortTransaction();
            }
        }
    }

    /** In one transaction, as ingest writes. */
    private static void produce(String topic, List<TokenizedReview> reviews) {
        var serializer = new AvroSerializer<TokenizedReview>(registry, TokenizedReview.getClassSchema(), true, false);
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic + "-ingest"),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (TokenizedReview r : reviews) {
                producer.send(new ProducerRecord<>(topic, r.getId(), serializer.serialize(topic, r)));
            }
            producer.commitTransaction();
        }
    }

    private static List<TrainingMetrics> roundRecords(Setup t) {
        var deserializer = new AvroDeserializer<TrainingMetrics>(registry, TrainingMetrics.getClassSchema());
        return kafka.readCommitted(t.metrics()).stream().map(r -> deserializer.deserialize(t.metrics(), r.value()))
                .filter(m -> m.getScope() == MetricsScope.ROUND).toList();
    }

    private static long windowExamples(Setup t) {
        return roundRecords(t).stream().mapToLong(m -> m.getValues().get("window_examples").longValue()).sum();
    }

    private static long windowExamples(Setup t, String model) {
        return roundRecords(t).stream().filter(m -> m.getModelName().equals(model))
                .mapToLong(m -> m.getValues().get("window_examples").longValue()).sum();
    }

    /** Complete versions on the topic (read_committed), in order; undecodable records skipped as the trainer does. */
    private static List<Long> versions(Setup t, TrainerConfig config) {
        return checkpoints(t, config).stream().map(c -> c.version()).toList();
    }

    private static List<dev.sentiflow.schemas.checkpoint.AssembledCheckpoint> checkpoints(Setup t,
            TrainerConfig config) {
        var deserializer = new AvroDeserializer<ModelCheckpoint>(registry, ModelCheckpoint.getClassSchema());
        var assembler = new CheckpointAssembler(64L << 20, config.signer());
        List<dev.sentiflow.schemas.checkpoint.AssembledCheckpoint> out = new ArrayList<>();
        for (var r : kafka.readCommitted(t.models())) {
            ModelCheckpoint chunk;
            try {
                chunk = r.value() == null ? null : deserializer.deserialize(t.models(), r.value());
            } catch (RuntimeException poison) {
                continue;
            }
            if (chunk != null && assembler.accept(chunk) instanceof AssemblyResult.Complete c) {
                out.add(c.checkpoint());
            }
        }
        return out;
    }

    private static long endOffset(String topic) {
        try (var admin = kafka.admin()) {
            TopicPartition tp = new TopicPartition(topic, 0);
            return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long committedOffset(Setup t) {
        try (var admin = kafka.admin()) {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(t.group()).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(t.tokenized(), 0));
            return o == null ? -1 : o.offset();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(BooleanSupplier condition, Duration timeout, Future<?> trainer,
            java.util.function.Supplier<String> what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (trainer.isDone()) {
                trainer.get(); // surfaces the trainer's failure
                throw new AssertionError("the trainer stopped: " + what.get());
            }
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("not within " + timeout + ": " + what.get());
    }
}
