package dev.sentiflow.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.LiveRole;
import dev.sentiflow.avro.MetricsScope;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.avro.TrainingMetrics;
import dev.sentiflow.model.checkpoint.Checkpoint;
import dev.sentiflow.model.checkpoint.CheckpointCodec;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.schemas.checkpoint.AssembledCheckpoint;
import dev.sentiflow.schemas.checkpoint.AssemblyResult;
import dev.sentiflow.schemas.checkpoint.CheckpointAssembler;
import dev.sentiflow.schemas.checkpoint.CheckpointChunker;
import dev.sentiflow.schemas.checkpoint.CheckpointHeader;
import dev.sentiflow.schemas.checkpoint.CheckpointKeys;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import dev.sentiflow.schemas.serde.AvroSerializer;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.testkit.EmbeddedKafka;
import dev.sentiflow.testkit.FreePort;
import dev.sentiflow.testkit.PrometheusText;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import dev.sentiflow.trainer.config.TrainerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
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
 * The trainer on a real broker and registry with a small real model (MiniLM's first 2 layers): labeled
 * reviews in, a round, a verified checkpoint read back with read_committed; a half-written
 * transaction of a dead publisher stays invisible; a restarted trainer continues from the champion
 * with the next version and commits every offset; a live-accuracy drop starts a DRIFT round.
 */
class TrainerIT {

    private static final String TOKENIZED = "reviews.tokenized";
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
        kafka.createTopics(2, TOKENIZED);
        kafka.createTopics(List.of(new NewTopic("models", 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                new NewTopic("training.metrics", 1, (short) 1), new NewTopic("metrics.live", 1, (short) 1)));
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

    private static TrainerConfig config() {
        return config(Map.of());
    }

    private static TrainerConfig config(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", kafka.bootstrapServers());
        settings.put("schema.registry.url", server.confluentApiUrl());
        settings.put("round.size", "300");
        settings.put("round.min.examples", "300");
        settings.put("epochs", "6");
        settings.put("learning.rate", "2e-3");
        settings.put("max.length", "64");
        settings.put("eval.share", "0.2");
        settings.put("gate.min.domain.examples", "20");
        settings.put("drift.min.labeled", "100");
        settings.put("checkpoint.chunk.bytes", "65536");
        settings.put("checkpoint.signing.key", "it-secret");
        settings.put("kafka.consumer.max.poll.records", "100");
        settings.putAll(extra);
        return new TrainerConfig(settings);
    }

    @Test
    void roundsPublishVerifiedVersionsExactlyOnceAcrossARestartAndDriftStartsARound() throws Exception {
        TrainerConfig config = config();
        // A publisher that died mid-transaction: three chunks of a v1 that never committed.
        deadPublisherLeavesAnOpenTransaction(config);

        produce(uci.subList(0, 420));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        TrainerService first = TrainerApp.build(config, manager, base, tokenizer);
        Future<?> running = pool.submit(first::run);
        List<AssembledCheckpoint> versions = waitForVersions(1, Duration.ofMinutes(8), running);
        first.stop();
        running.get();
        first.close();

        AssembledCheckpoint v1 = versions.get(0);
        assertEquals(1, v1.version());
        assertTrue(v1.header().lineage().size() >= 1, "lineage names the input ranges");
        assertFalse(v1.header().parentVersion().isPresent());
        verifyLoads(v1);

        // Restart: a new instance finds v1 on the topic and continues with v2 from it.
        produce(uci.subList(420, 800));
        int opsPort = FreePort.find();
        TrainerService second = TrainerApp.build(config(Map.of("metrics.port", String.valueOf(opsPort),
                "metrics.host", "127.0.0.1")), manager, base, tokenizer);
        running = pool.submit(second::run);
        versions = waitForVersions(2, Duration.ofMinutes(8), running);
        // What an operator's Prometheus and Kubernetes see of the restarted trainer, read by a text-format parser.
        PrometheusText.Response ready = PrometheusText.get(opsPort, "/health/ready");
        assertEquals(200, ready.status(), ready.body());
        assertTrue(ready.body().contains("partition(s) assigned"), ready.body());
        assertEquals(200, PrometheusText.get(opsPort, "/health/live").status());
        PrometheusText scrape = awaitScrape(opsPort, p -> p.sum("sentiflow_trainer_rounds_total", Map.of()).isPresent());
        Map<String, String> model = Map.of("model", "default");
        assertEquals(Optional.of(1.0), scrape.sum("sentiflow_trainer_rounds_total", Map.of("model", "default",
                "trigger", "VOLUME", "outcome", "published", "rule", "not_worse")), scrape.samples("sentiflow_trainer_rounds_total", Map.of()).toString());
        assertEquals(Optional.of(2.0), scrape.sum("sentiflow_trainer_champion_version", model));
        assertEquals(Optional.of(1.0), scrape.sum("sentiflow_trainer_round_duration_seconds_count", model));
        assertTrue(scrape.sum("sentiflow_trainer_eval_examples", model).orElse(0.0) > 0);
        assertTrue(scrape.sum("sentiflow_trainer_replay_examples", model).orElse(0.0) > 0);
        assertTrue(scrape.sum("sentiflow_trainer_since_last_publish_seconds", model).orElse(-1.0) >= 0);
        assertTrue(scrape.sum("sentiflow_trainer_round_train_samples_per_second", model).orElse(0.0) > 0);
        assertTrue(scrape.samples().stream().anyMatch(m -> m.name().startsWith("kafka_consumer_")),
                "the input consumer's own meters");
        assertEquals(List.of(1L, 2L), versions.stream().map(AssembledCheckpoint::version).toList(),
                "each version exactly once, none partial");
        assertEquals(1L, versions.get(1).header().parentVersion().getAsLong());
        verifyLoads(versions.get(1));
        // The round commits up to the last record; an idle trainer then steps over the commit markers.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!endOffsets().equals(committedOffsets()) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(endOffsets(), committedOffsets(), "every consumed offset committed, commit markers included");

        // Drift: the serving v2 does far worse live than it was published with; 60 new labels suffice.
        publishLive(2, 0.2);
        produce(uci.subList(800, 860));
        TrainingMetrics drift = waitForMetrics(m -> m.getScope() == MetricsScope.ROUND
                && "DRIFT".equals(m.getLabels().get("trigger")), Duration.ofMinutes(8), running);
        PrometheusText afterDrift = awaitScrape(opsPort, p -> p.sum("sentiflow_trainer_rounds_total",
                Map.of("trigger", "DRIFT")).isPresent());
        assertEquals(Optional.of(1.0), afterDrift.sum("sentiflow_trainer_rounds_total", Map.of("trigger", "DRIFT")));
        second.stop();
        running.get();
        second.close();
        pool.shutdown();
        assertThrows(java.io.IOException.class, () -> PrometheusText.get(opsPort, "/health/live"),
                "the endpoint closes with the trainer");
        assertTrue(drift.getLabels().get("trigger_detail").contains("v2"), drift.getLabels().toString());

        List<TrainingMetrics> metrics = TrainerIT.<TrainingMetrics>readAll("training.metrics",
                TrainingMetrics.getClassSchema());
        long roundRecords = metrics.stream().filter(m -> m.getScope() == MetricsScope.ROUND).count();
        assertTrue(roundRecords >= 3, "round records: " + roundRecords);
        assertTrue(metrics.stream().anyMatch(m -> m.getScope() == MetricsScope.STEP && m.getValues().containsKey("lr")));
        TrainingMetrics firstRound = metrics.stream().filter(m -> m.getScope() == MetricsScope.ROUND).findFirst().get();
        assertEquals("PUBLISH", firstRound.getLabels().get("decision"), firstRound.getLabels().toString());
        assertEquals("VOLUME", firstRound.getLabels().get("trigger"));
        assertEquals(3, firstRound.getPerDomain().size(), "amazon, imdb, yelp scored separately");
        System.out.printf("trainer IT: v1 %s, v2 %s, drift round %s%n", v1.header().metrics(),
                versions.get(1).header().metrics(), drift.getLabels().get("decision"));
    }

    private static void deadPublisherLeavesAnOpenTransaction(TrainerConfig config) {
        var chunker = new CheckpointChunker(100, config.signer());
        CheckpointHeader header = CheckpointHeader.builder("default", 1, dev.sentiflow.avro.CheckpointKind.ADAPTER)
                .baseModelHash(base.baseHash()).tokenizerId(tokenizer.id()).labels(List.of("negative", "positive"))
                .loraConfig("{}").createdAt(Instant.now()).build();
        List<ModelCheckpoint> chunks = chunker.chunk(header, new byte[500]);
        var serializer = new AvroSerializer<ModelCheckpoint>(registry, ModelCheckpoint.getClassSchema(), true, false);
        var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ProducerConfig.TRANSACTIONAL_ID_CONFIG, "sentiflow-trainer-publisher"),
                new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
        producer.beginTransaction();
        for (ModelCheckpoint chunk : chunks.subList(0, 3)) {
            producer.send(new ProducerRecord<>("models", 0, CheckpointKeys.keyBytes("default", chunk.getChunkIndex()),
                    serializer.serialize("models", chunk)));
        }
        producer.flush();
        producer.close(Duration.ZERO); // dies without committing or aborting
    }

    /** In one transaction, as ingest writes: the commit markers take offsets the trainer must step over. */
    private static void produce(List<TokenizedReview> reviews) {
        var serializer = new AvroSerializer<TokenizedReview>(registry, TokenizedReview.getClassSchema(), true, false);
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-ingest"),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (TokenizedReview r : reviews) {
                producer.send(new ProducerRecord<>(TOKENIZED, r.getId(), serializer.serialize(TOKENIZED, r)));
            }
            producer.commitTransaction();
        }
    }

    private static void publishLive(long version, double accuracy) {
        var serializer = new AvroSerializer<LiveMetrics>(registry, LiveMetrics.getClassSchema(), true, false);
        LiveMetrics m = LiveMetrics.newBuilder().setModelName("default").setModelVersion(version)
                .setRole(LiveRole.CHAMPION).setWindowStart(Instant.now().minusSeconds(60)).setWindowEnd(Instant.now())
                .setLabeledCount(500).setAccuracy(accuracy).setMacroF1(accuracy).setCreatedAt(Instant.now()).build();
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("metrics.live", "default", serializer.serialize("metrics.live", m)));
        }
    }

    /** Complete versions on the models topic, read_committed, once {@code count} of them are there. */
    private static List<AssembledCheckpoint> waitForVersions(int count, Duration timeout, Future<?> trainer)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (trainer.isDone()) {
                trainer.get(); // surfaces the trainer's failure
                throw new AssertionError("the trainer stopped");
            }
            List<AssembledCheckpoint> complete = new ArrayList<>();
            var assembler = new CheckpointAssembler(64L << 20, config().signer());
            for (ModelCheckpoint chunk : TrainerIT.<ModelCheckpoint>readAll("models", ModelCheckpoint.getClassSchema())) {
                AssemblyResult result = assembler.accept(chunk);
                assertFalse(result instanceof AssemblyResult.Rejected, () -> "refused: " + result);
                if (result instanceof AssemblyResult.Complete c) {
                    complete.add(c.checkpoint());
                }
            }
            if (complete.size() >= count) {
                return complete;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("fewer than " + count + " versions on models within " + timeout);
    }

    private static TrainingMetrics waitForMetrics(Predicate<TrainingMetrics> wanted, Duration timeout,
            Future<?> trainer) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (trainer.isDone()) {
                trainer.get();
                throw new AssertionError("the trainer stopped");
            }
            Optional<TrainingMetrics> found = TrainerIT.<TrainingMetrics>readAll("training.metrics",
                    TrainingMetrics.getClassSchema()).stream()
                    .filter(wanted).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no such training.metrics record within " + timeout);
    }

    private static void verifyLoads(AssembledCheckpoint version) {
        var lora = LoraConfig.defaults();
        var identity = new dev.sentiflow.modeldata.checkpoint.ModelIdentity(base.baseHash(), Optional.of(lora),
                List.of("negative", "positive"), tokenizer.id(), 64);
        try (NDManager m = manager.newSubManager()) {
            Checkpoint cp = CheckpointCodec.decode(m, version.payload(), "v" + version.version());
            var model = Classifiers.create(m, base, 2, Optional.of(lora), 1);
            CheckpointCodec.apply(cp, model, identity, "v" + version.version());
        }
        assertTrue(version.header().metrics().get("accuracy") > 0.5, version.header().metrics().toString());
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> List<T> readAll(String topic,
            org.apache.avro.Schema schema) {
        var deserializer = new AvroDeserializer<T>(registry, schema);
        return kafka.readCommitted(topic).stream().filter(r -> r.value() != null)
                .map(r -> deserializer.deserialize(topic, r.value())).toList();
    }

    private static Map<TopicPartition, Long> endOffsets() throws Exception {
        try (var admin = kafka.admin()) {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (int p = 0; p < 2; p++) {
                specs.put(new TopicPartition(TOKENIZED, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> out = new HashMap<>();
            admin.listOffsets(specs).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        }
    }

    private static Map<TopicPartition, Long> committedOffsets() throws Exception {
        try (var admin = kafka.admin()) {
            Map<TopicPartition, Long> out = new HashMap<>();
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("sentiflow-trainer")
                    .partitionsToOffsetAndMetadata().get();
            committed.forEach((tp, o) -> out.put(tp, o.offset()));
            return out;
        }
    }

    private static PrometheusText awaitScrape(int port, java.util.function.Predicate<PrometheusText> wanted)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        PrometheusText last = PrometheusText.scrape(port);
        while (!wanted.test(last) && System.nanoTime() < deadline) {
            Thread.sleep(200); // polling under the deadline above: a round counts once its transaction commits
            last = PrometheusText.scrape(port);
        }
        return last;
    }
}
