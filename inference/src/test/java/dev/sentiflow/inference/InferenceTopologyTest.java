package dev.sentiflow.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.sentiflow.avro.DeadLetter;
import dev.sentiflow.avro.DeadLetterReason;
import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.Prediction;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.inference.batch.BatchPolicy;
import dev.sentiflow.inference.models.CheckpointIntake;
import dev.sentiflow.schemas.checkpoint.CheckpointHeader;
import dev.sentiflow.inference.models.ModelRegistry;
import dev.sentiflow.inference.rollout.RolloutPolicy;
import dev.sentiflow.inference.scoring.BatchScorer;
import dev.sentiflow.model.checkpoint.CheckpointCodec;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.inference.onnx.OnnxScorer;
import dev.sentiflow.model.infer.ClassifierScorer;
import dev.sentiflow.schemas.checkpoint.CheckpointAssembler;
import dev.sentiflow.schemas.checkpoint.CheckpointSigner;
import dev.sentiflow.schemas.deadletter.DeadLetterSizing;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import dev.sentiflow.schemas.serde.AvroSerializer;
import dev.sentiflow.testkit.ApicurioRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scoring topology driven with TopologyTestDriver: batching by size and by wall-clock wait,
 * routing by domain, swaps between batches, refused checkpoints, dead letters. Real parts: an
 * Apicurio registry behind the serdes, MiniLM's first layer as the base, the bundled tokenizer,
 * checkpoints through the real chunker, assembler and codec.
 */
class InferenceTopologyTest {

    private static final Optional<dev.sentiflow.schemas.checkpoint.CheckpointSigner> DECISION_KEY =
            dev.sentiflow.schemas.checkpoint.CheckpointSigner.fromSecret("topology-test-key");

    private static final int BATCH = 4;
    private static final Duration WAIT = Duration.ofMillis(50);
    private static final int ROLLOUT_RECORDS = 8;

    private static ApicurioRegistry server;
    private static SchemaRegistryClient schemas;
    private static TestModels models;

    private ModelRegistry registry;
    private CheckpointIntake intake;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<String, Prediction> predictions;
    private TestOutputTopic<byte[], DeadLetter> dlq;
    private TestOutputTopic<String, dev.sentiflow.avro.LiveMetrics> live;
    private final AvroSerializer<TokenizedReview> reviews =
            new AvroSerializer<>(schemas, TokenizedReview.getClassSchema(), true, false);
    private long nextOffsetSource;

    @BeforeAll
    static void startRegistry() {
        server = ApicurioRegistry.start();
        schemas = new SchemaRegistryClient(server.confluentApiUrl());
        models = TestModels.load(1);
    }

    @AfterAll
    static void stopRegistry() {
        models.close();
        server.close();
    }

    @BeforeEach
    void startDriver() {
        start(Optional.empty());
    }

    private void start(Optional<CheckpointSigner> verifier) {
        if (driver != null) {
            driver.close();
            registry.close();
        }
        registry = new ModelRegistry();
        intake = new CheckpointIntake(new CheckpointAssembler(64L << 20, verifier), models.versions, registry);
        OnnxScorer scorer = new OnnxScorer(models.tokenizer.padId(), BATCH);
        BatchScorer batchScorer = new BatchScorer(registry, scorer, "default", Clock.systemUTC(),
                new RolloutPolicy(ROLLOUT_RECORDS, 0.0, ROLLOUT_RECORDS, 0.05));
        var topology = InferenceTopology.build(new InferenceTopology.Params("reviews.tokenized", "predictions",
                "predictions.dlq", schemas, batchScorer, new BatchPolicy(BATCH, WAIT),
                models.base.config().vocabSize(), 128,
                new InferenceTopology.Live("metrics.live", TestModels.LABELS, 500, Duration.ofSeconds(10),
                        DECISION_KEY)));
        Properties props = new Properties();
        props.put("application.id", "inference-test");
        props.put("bootstrap.servers", "unused:9092");
        driver = new TopologyTestDriver(topology, props);
        input = driver.createInputTopic("reviews.tokenized", new ByteArraySerializer(), new ByteArraySerializer());
        predictions = driver.createOutputTopic("predictions", new StringDeserializer(),
                new AvroDeserializer<>(schemas, Prediction.getClassSchema()));
        dlq = driver.createOutputTopic("predictions.dlq", new ByteArrayDeserializer(),
                new AvroDeserializer<>(schemas, DeadLetter.getClassSchema()));
        live = driver.createOutputTopic("metrics.live", new StringDeserializer(),
                new AvroDeserializer<>(schemas, dev.sentiflow.avro.LiveMetrics.getClassSchema()));
    }

    @AfterEach
    void stopDriver() {
        driver.close();
        registry.close();
    }

    private void publish(String name, long version, byte[] payload) {
        publish(models.chunks(name, version, payload, Optional.empty()));
    }

    private void publish(List<ModelCheckpoint> chunks) {
        assertTrue(chunks.size() > 1, "the checkpoint should span several records");
        for (int i = 0; i < chunks.size(); i++) {
            intake.accept(chunks.get(i), "models-0@" + (nextOffsetSource++));
        }
    }

    private TokenizedReview review(String id, String text, String domain) {
        return TokenizedReview.newBuilder().setId(id)
                .setTokenIds(java.util.Arrays.stream(models.tokenizer.encode(text)).boxed().toList())
                .setLabel("positive").setDomain(domain).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setTokenizerId(models.tokenizer.id()).setTruncated(false).build();
    }

    private void send(TokenizedReview review) {
        input.pipeInput(review.getId().getBytes(StandardCharsets.UTF_8), reviews.serialize("reviews.tokenized", review));
    }

    private KeyValueStore<Long, byte[]> pendingStore() {
        return driver.getKeyValueStore(InferenceTopology.PENDING_STORE);
    }

    private long pendingCount() {
        try (var it = pendingStore().all()) {
            long n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            return n;
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aBatchIsScoredWhenItIsFull() throws Exception {
        byte[] v1 = models.adapter(1);
        publish("default", 1, v1);
        for (int i = 0; i < BATCH - 1; i++) {
            send(review("r" + i, "the food was great " + i, "yelp"));
        }
        assertTrue(predictions.isEmpty(), "a batch below its size must wait");
        assertEquals(BATCH - 1, pendingCount(), "waiting records live in the changelogged store");
        send(review("r3", "terrible service", "yelp"));
        List<Prediction> out = predictions.readValuesToList();
        assertEquals(List.of("r0", "r1", "r2", "r3"), out.stream().map(Prediction::getId).toList());
        assertEquals(0, pendingCount(), "scored records leave the store");
        for (Prediction p : out) {
            assertEquals("default", p.getModelName());
            assertEquals(1L, p.getModelVersion());
            assertEquals(sha256(v1), p.getModelSha256());
            assertEquals("yelp", p.getDomain());
            assertEquals("positive", p.getTrueLabel());
            assertEquals(1.0, p.getProbabilities().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-5);
            assertEquals(Instant.ofEpochMilli(1_700_000_000_000L), p.getEventTime());
        }
    }

    @Test
    void liveAccuracyPerVersionAndDomainIsPublishedFromTheLabeledPredictions() {
        publish("default", 1, models.adapter(1));
        String[] texts = {"the food was great", "terrible service", "loved it", "cold and bland", "fine", "awful",
            "best pizza in town", "never again"};
        for (int i = 0; i < texts.length; i++) {
            send(review("l" + i, texts[i], i % 2 == 0 ? "yelp" : "amazon"));
        }
        List<Prediction> scored = predictions.readValuesToList();
        assertEquals(texts.length, scored.size());
        assertTrue(live.isEmpty(), "reports come on the reporting interval");
        driver.advanceWallClockTime(Duration.ofSeconds(10));
        List<dev.sentiflow.avro.LiveMetrics> reports = live.readValuesToList();
        assertEquals(1, reports.size(), "one report for the one version that scored");
        var m = reports.get(0);
        assertEquals("default", m.getModelName());
        assertEquals(1L, m.getModelVersion());
        assertEquals(texts.length, m.getLabeledCount());
        // Every review here is labeled positive: accuracy is the share predicted positive.
        double expected = scored.stream().filter(p -> p.getLabel().equals("positive")).count() / (double) texts.length;
        assertEquals(expected, m.getAccuracy(), 1e-9);
        assertEquals(java.util.Set.of("amazon", "yelp"), m.getPerDomain().keySet());
        assertEquals(4L, m.getPerDomain().get("yelp").getCount());
        driver.advanceWallClockTime(Duration.ofSeconds(10));
        assertTrue(live.isEmpty(), "no new labeled predictions, no new report");
    }

    @Test
    void aQuietPartitionIsScoredAfterTheWallClockWait() {
        publish("default", 1, models.adapter(1));
        send(review("a", "fine", "yelp"));
        send(review("b", "awful", "yelp"));
        assertTrue(predictions.isEmpty());
        driver.advanceWallClockTime(WAIT.minusMillis(10));
        assertTrue(predictions.isEmpty(), "scored before the wait was over");
        driver.advanceWallClockTime(Duration.ofMillis(10));
        assertEquals(List.of("a", "b"), predictions.readValuesToList().stream().map(Prediction::getId).toList());
        assertEquals(0, pendingCount());
    }

    @Test
    void recordsThatArriveJustBeforeALookWaitForTheirOwnWaitNotForThePunctuatorsTick() {
        publish("default", 1, models.adapter(1));
        // Before the fix the punctuator flushed whatever was pending on every tick: under load, the few
        // records that arrived during a slow batch went out as a tiny batch at the next tick.
        driver.advanceWallClockTime(WAIT.minusMillis(5));
        send(review("late-1", "fine", "yelp"));
        send(review("late-2", "awful", "yelp"));
        driver.advanceWallClockTime(Duration.ofMillis(10));
        assertTrue(predictions.isEmpty(), "records 10 ms old were flushed as a partial batch");
        send(review("late-3", "great", "yelp"));
        send(review("late-4", "bad", "yelp"));
        assertEquals(List.of("late-1", "late-2", "late-3", "late-4"),
                predictions.readValuesToList().stream().map(Prediction::getId).toList(), "one full batch");
        send(review("late-5", "ok", "yelp"));
        driver.advanceWallClockTime(WAIT.plusMillis(15));
        assertEquals(List.of("late-5"), predictions.readValuesToList().stream().map(Prediction::getId).toList(),
                "a record alone is still scored once it has waited");
    }

    @Test
    void rowsGoToTheModelOfTheirDomainElseToTheDefaultWithThatModelsWeights() {
        byte[] general = models.adapter(1);
        byte[] yelp = models.adapter(2);
        publish("default", 1, general);
        publish("yelp", 7, yelp);
        collectGarbage(); // served weights once aliased buffers a GC frees (see WeightLoader.stageFor)
        send(review("y1", "the pasta was cold", "yelp"));
        send(review("a1", "the pasta was cold", "amazon"));
        send(review("y2", "loved it", "yelp"));
        send(review("d1", "loved it", "default"));
        Map<String, Prediction> out = predictions.readValuesToList().stream()
                .collect(Collectors.toMap(Prediction::getId, p -> p));
        assertEquals(Map.of("y1", "yelp", "a1", "default", "y2", "yelp", "d1", "default"),
                out.values().stream().collect(Collectors.toMap(Prediction::getId, Prediction::getModelName)));
        assertEquals(7L, out.get("y1").getModelVersion());
        assertEquals("amazon", out.get("a1").getDomain());
        // Same text, other model: the probabilities are those of a model built with that adapter alone.
        assertArrayEquals(reference(yelp, "the pasta was cold"), probabilities(out.get("y1")), 1e-5f);
        assertArrayEquals(reference(general, "the pasta was cold"), probabilities(out.get("a1")), 1e-5f);
        assertNotEquals(out.get("y1").getProbabilities(), out.get("a1").getProbabilities());
    }

    private static void collectGarbage() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static float[] probabilities(Prediction p) {
        return new float[] {p.getProbabilities().get("negative").floatValue(),
            p.getProbabilities().get("positive").floatValue()};
    }

    private float[] reference(byte[] checkpoint, String text) {
        try (NDManager m = models.manager.newSubManager()) {
            SequenceClassifier model = Classifiers.create(m, models.base, 2, Optional.of(TestModels.LORA), 3);
            CheckpointCodec.apply(CheckpointCodec.decode(m, checkpoint, "ref"), model, models.identity, "ref");
            return new ClassifierScorer(model, m, models.tokenizer.padId(), 4)
                    .score(List.of(models.tokenizer.encode(text))).get(0).probabilities();
        }
    }

    @Test
    void aSwapBetweenTwoBatchesChangesTheVersionFromTheNextBatchOn() throws Exception {
        publish("default", 1, models.adapter(1));
        for (int i = 0; i < BATCH; i++) {
            send(review("first-" + i, "good " + i, "yelp"));
        }
        send(review("second-0", "bad", "yelp"));
        send(review("second-1", "worse", "yelp"));
        byte[] v2 = models.adapter(2);
        publish("default", 2, v2); // lands while the second batch is still gathering
        driver.advanceWallClockTime(WAIT);
        List<Prediction> out = predictions.readValuesToList();
        assertEquals(6, out.size());
        for (Prediction p : out) {
            assertEquals(p.getId().startsWith("first") ? 1L : 2L, p.getModelVersion(), p.getId());
        }
        assertEquals(sha256(v2), out.get(5).getModelSha256());
        assertEquals(2, intake.swaps(), "v1 then v2 swapped in");
    }

    @Test
    void badCheckpointsAreRefusedAndTheServedVersionKeepsServing() throws Exception {
        start(Optional.of(new CheckpointSigner("secret".getBytes(StandardCharsets.UTF_8))));
        Optional<CheckpointSigner> signer = Optional.of(new CheckpointSigner("secret".getBytes(StandardCharsets.UTF_8)));
        byte[] v1 = models.adapter(1);
        publish(models.chunks("default", 1, v1, signer));

        // Unsigned while a key is configured.
        publish(models.chunks("default", 2, models.adapter(2), Optional.empty()));
        // Signed with another key.
        publish(models.chunks("default", 3, models.adapter(3),
                Optional.of(new CheckpointSigner("other".getBytes(StandardCharsets.UTF_8)))));
        // A chunk altered in transit: the reassembled bytes no longer hash to the announced SHA-256.
        List<ModelCheckpoint> corrupt = models.chunks("default", 4, models.adapter(4), signer);
        ByteBuffer payload = corrupt.get(1).getPayload();
        byte[] altered = new byte[payload.remaining()];
        payload.duplicate().get(altered);
        altered[10] ^= 1;
        corrupt.get(1).setPayload(ByteBuffer.wrap(altered));
        publish(corrupt);
        // Trained on another base (the header says so, signed).
        String otherBase = "0".repeat(64);
        publish(models.chunks(models.header("default", 5).baseModelHash(otherBase).build(),
                models.adapter(5, models.metadata(TestModels.LABELS, otherBase)), signer));
        // Labels in another order inside the safetensors, although the header claims the served ones.
        publish(models.chunks("default", 6, models.adapter(6, models.metadata(List.of("positive", "negative"),
                models.base.baseHash())), signer));
        // Three labels in the header and payload.
        List<String> three = List.of("negative", "neutral", "positive");
        publish(models.chunks(models.header("default", 7).labels(three).build(),
                models.adapter(7, models.metadata(three, models.base.baseHash())), signer));

        // Trained with another LoRA rank (a trainer given lora.r=16 while this app serves 8): refused on the
        // header, before decoding, with the options to set.
        String rank16 = TestModels.LORA_JSON.replace("\"r\":8", "\"r\":16");
        assertNotEquals(TestModels.LORA_JSON, rank16);
        CheckpointHeader otherRank = models.header("default", 9).loraConfig(rank16).build();
        assertTrue(CheckpointIntake.headerProblems(otherRank, models.identity).toString().contains("lora.r"),
                CheckpointIntake.headerProblems(otherRank, models.identity).toString());
        publish(models.chunks(otherRank, models.adapter(9), signer));

        assertEquals(Map.of("UNSIGNED", 1L, "WRONG_KEY", 1L, "HASH_MISMATCH", 1L, "WRONG_IDENTITY", 3L,
                "INVALID_CHECKPOINT", 1L), intake.refusals());
        assertEquals(1, intake.swaps());
        for (int i = 0; i < BATCH; i++) {
            send(review("r" + i, "still here " + i, "yelp"));
        }
        List<Prediction> out = predictions.readValuesToList();
        assertEquals(BATCH, out.size());
        for (Prediction p : out) {
            assertEquals(1L, p.getModelVersion());
            assertEquals(sha256(v1), p.getModelSha256());
        }
        // A good version after the bad ones is still taken.
        publish(models.chunks("default", 10, models.adapter(10), signer));
        send(review("after", "ok", "yelp"));
        driver.advanceWallClockTime(WAIT);
        assertEquals(10L, predictions.readValue().getModelVersion());
    }

    /**
     * A near-1 MiB input that is not a review: its dead letter carries what the DLQ's limit allows
     * (Kafka's defaults here), with the whole length and digest, so the letter can be written and
     * the partition moves on; inference once copied the bytes whole, as ingest once did.
     */
    @Test
    void aDeadLetterOfAHugeInputFitsTheDlqLimit() {
        byte[] huge = new byte[1_040_000];
        java.util.Arrays.fill(huge, (byte) 7);
        input.pipeInput("huge".getBytes(StandardCharsets.UTF_8), huge);
        DeadLetter letter = dlq.readValue();
        assertEquals(DeadLetterReason.UNDECODABLE, letter.getReason());
        assertTrue(letter.getOriginalValueTruncated(), "cut to fit");
        assertEquals(huge.length, letter.getOriginalValueLength());
        assertTrue(letter.getOriginalValue().remaining() <= DeadLetterSizing.KAFKA_DEFAULTS.maxCarried());
        assertEquals(DeadLetterSizing.sha256(huge), letter.getOriginalValueSha256());
    }

    @Test
    void inputThatCannotBeScoredIsDeadLetteredWithAReason() {
        publish("default", 1, models.adapter(1));
        TokenizedReview otherTokenizer = review("other-tok", "fine", "yelp");
        otherTokenizer.setTokenizerId("sha256:0123456789abcdef");
        send(otherTokenizer);
        TokenizedReview outOfVocab = review("oov", "fine", "yelp");
        outOfVocab.setTokenIds(List.of(101, 999_999, 102));
        send(outOfVocab);
        input.pipeInput("junk".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8));
        send(review("good", "fine", "yelp"));
        driver.advanceWallClockTime(WAIT);
        assertEquals(List.of("good"), predictions.readValuesToList().stream().map(Prediction::getId).toList());
        Map<String, DeadLetter> letters = dlq.readKeyValuesToList().stream()
                .collect(Collectors.toMap(kv -> new String(kv.key, StandardCharsets.UTF_8), kv -> kv.value));
        assertEquals(Map.of("other-tok", DeadLetterReason.PROCESSING_ERROR, "oov", DeadLetterReason.PROCESSING_ERROR,
                "junk", DeadLetterReason.UNDECODABLE), letters.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getReason())));
        assertTrue(letters.get("other-tok").getDetail().contains("sha256:0123456789abcdef")
                && letters.get("other-tok").getDetail().contains(models.tokenizer.id()), letters.get("other-tok").getDetail());
        assertEquals("other-tok", letters.get("other-tok").getRecordId());
        assertTrue(letters.get("other-tok").getOriginalValue().remaining() > 0, "the original bytes travel along");
        assertTrue(letters.get("oov").getDetail().contains("999999"), letters.get("oov").getDetail());
        assertEquals(0, pendingCount());
    }

    @Test
    void withoutAnyModelRecordsWaitInTheStoreUntilOneIsServed() {
        send(review("early-1", "hello", "yelp"));
        send(review("early-2", "bye", "yelp"));
        driver.advanceWallClockTime(WAIT.multipliedBy(3));
        assertTrue(predictions.isEmpty() && dlq.isEmpty(), "nothing may be scored, or dropped, without a model");
        assertEquals(2, pendingCount());
        publish("default", 1, models.adapter(1));
        driver.advanceWallClockTime(WAIT);
        List<Prediction> out = predictions.readValuesToList();
        assertEquals(List.of("early-1", "early-2"), out.stream().map(Prediction::getId).toList());
        assertTrue(out.stream().allMatch(p -> p.getModelVersion() == 1L));
    }

    @Test
    void baseHeadServesVersionZeroUntilTheFirstCheckpoint() {
        registry.offer(models.versions.baseHead("default"));
        send(review("b0", "hello", "yelp"));
        driver.advanceWallClockTime(WAIT);
        Prediction p = predictions.readValue();
        assertEquals(0L, p.getModelVersion());
        assertEquals("", p.getModelSha256());
        publish("default", 1, models.adapter(1));
        send(review("b1", "hello", "yelp"));
        driver.advanceWallClockTime(WAIT);
        assertEquals(1L, predictions.readValue().getModelVersion());
    }
    /** Texts on which adapters 1 and 2 disagree, with what each predicts ({@code [0]} v1, {@code [1]} v2). */
    private record Disputed(List<String> texts, List<String> v1, List<String> v2) {}

    private Disputed disputed(byte[] v1, byte[] v2, int wanted) throws Exception {
        var one = models.versions.fromCheckpoint("probe", 1, sha256(v1), v1, "probe v1");
        var two = models.versions.fromCheckpoint("probe", 2, sha256(v2), v2, "probe v2");
        try {
            OnnxScorer scorer = new OnnxScorer(models.tokenizer.padId(), 32);
            List<String> texts = new java.util.ArrayList<>();
            String[] words = {"good", "bad", "tasty", "stale", "love", "hate", "fresh", "soggy", "great", "awful"};
            for (int i = 0; i < 1000; i++) {
                texts.add(words[i % 10] + " " + words[(i / 10) % 10] + " " + words[(i / 100) % 10] + " " + i);
            }
            List<int[]> ids = texts.stream().map(models.tokenizer::encode).toList();
            var a = scorer.score(ids, one.onnx());
            var b = scorer.score(ids, two.onnx());
            Disputed out = new Disputed(new java.util.ArrayList<>(), new java.util.ArrayList<>(), new java.util.ArrayList<>());
            for (int i = 0; i < texts.size() && out.texts().size() < wanted; i++) {
                // Clear verdicts only: a near tie may flip with the padding of another batch.
                boolean clear = a.get(i).probabilities()[a.get(i).predicted()] > 0.6
                        && b.get(i).probabilities()[b.get(i).predicted()] > 0.6;
                if (clear && a.get(i).predicted() != b.get(i).predicted()) {
                    out.texts().add(texts.get(i));
                    out.v1().add(TestModels.LABELS.get(a.get(i).predicted()));
                    out.v2().add(TestModels.LABELS.get(b.get(i).predicted()));
                }
            }
            assertEquals(wanted, out.texts().size(), "the two test adapters should disagree on enough texts");
            return out;
        } finally {
            one.retire();
            two.retire();
        }
    }

    private void publishChallenger(String name, long version, byte[] payload) {
        publish(models.chunks(models.header(name, version).rollout(dev.sentiflow.avro.Rollout.CHALLENGER).build(),
                payload, Optional.empty()));
    }

    private void sendLabeled(String id, String text, String label) {
        TokenizedReview r = review(id, text, "yelp");
        r.setLabel(label);
        send(r);
    }

    private List<dev.sentiflow.avro.LiveMetrics> decisions() {
        return live.readValuesToList().stream().filter(m -> m.getAction() != null).toList();
    }

    /**
     * What the models follower does with the live-metrics topic read {@code read_committed}: the test
     * driver's output is committed as soon as it is written.
     */
    private void commit(List<dev.sentiflow.avro.LiveMetrics> decisions) {
        for (var m : decisions) {
            intake.rollouts().take(m, "metrics.live-0@test");
        }
    }

    @Test
    void aChallengerThatIsNotWorseOnTheSameLabeledRecordsIsPromotedAndServes() throws Exception {
        byte[] v1 = models.adapter(1);
        byte[] v2 = models.adapter(2);
        Disputed d = disputed(v1, v2, ROLLOUT_RECORDS + BATCH);
        publish("default", 1, v1);
        publishChallenger("default", 2, v2);
        assertEquals(Optional.of(Map.entry(ModelRegistry.ShadowRole.CHALLENGER, 2L)), registry.shadow("default"));
        // Labels as v2 predicts them: the challenger is right on every one, the champion on none.
        for (int i = 0; i < ROLLOUT_RECORDS; i++) {
            sendLabeled("p" + i, d.texts().get(i), d.v2().get(i));
        }
        List<Prediction> during = predictions.readValuesToList();
        assertEquals(ROLLOUT_RECORDS, during.size());
        assertTrue(during.stream().allMatch(p -> p.getModelVersion() == 1L), "a challenger never publishes predictions");
        var decided = decisions();
        assertEquals(1, decided.size(), decided.toString());
        var m = decided.get(0);
        assertEquals(dev.sentiflow.avro.RolloutAction.PROMOTED, m.getAction());
        assertEquals(2L, m.getModelVersion());
        assertEquals(1L, m.getComparedVersion());
        assertEquals(1.0, m.getAccuracy(), 1e-9);
        assertEquals(0.0, m.getComparedAccuracy(), 1e-9);
        assertEquals(ROLLOUT_RECORDS, m.getLabeledCount());
        assertTrue(m.getDecision().startsWith("PROMOTED default v2 over v1"), m.getDecision());
        assertEquals(dev.sentiflow.schemas.checkpoint.SignatureCheck.VALID, DECISION_KEY.get().verifyDecision(m),
                "decisions are written signed with the key");
        // A proposal changes nothing by itself: its transaction may still abort.
        assertEquals(Optional.of(Map.entry(ModelRegistry.ShadowRole.CHALLENGER, 2L)), registry.shadow("default"));
        commit(decided);
        // Another instance's later proposal on the same challenger (it saw other rows) does not count.
        var contrary = dev.sentiflow.avro.LiveMetrics.newBuilder(m).setAction(dev.sentiflow.avro.RolloutAction.REJECTED)
                .setDecision("REJECTED default v2 against v1").build();
        commit(List.of(contrary));
        assertEquals(1, intake.rollouts().duplicates());
        assertEquals(java.util.OptionalLong.of(2), registry.version("default"));
        for (int i = ROLLOUT_RECORDS; i < ROLLOUT_RECORDS + BATCH; i++) {
            send(review("after" + i, d.texts().get(i), "yelp"));
        }
        assertTrue(predictions.readValuesToList().stream().allMatch(p -> p.getModelVersion() == 2L),
                "the promoted version serves from the next batch on");
        assertEquals(Optional.of(Map.entry(ModelRegistry.ShadowRole.PREDECESSOR, 1L)), registry.shadow("default"));
    }

    /**
     * After a restart the live-metrics topic may be read before the checkpoint it decided on: a
     * confirmed version serves (it was served as a challenger, for good, before this fix), and a
     * promoted one serves with its predecessor kept, so a rollback committed later still applies here.
     */
    @Test
    void decisionsReadBeforeTheirCheckpointServeWhatTheyDecided() throws Exception {
        commit(List.of(decision(dev.sentiflow.avro.RolloutAction.PROMOTED, 2),
                decision(dev.sentiflow.avro.RolloutAction.CONFIRMED, 2),
                decision(dev.sentiflow.avro.RolloutAction.PROMOTED, 3)));
        publish("default", 1, models.adapter(1));
        publishChallenger("default", 2, models.adapter(2));
        assertEquals(java.util.OptionalLong.of(2), registry.version("default"), "confirmed: v2 serves");
        assertEquals(Optional.empty(), registry.shadow("default"), "confirmed: nothing waits beside it");
        publishChallenger("default", 3, models.adapter(1));
        assertEquals(java.util.OptionalLong.of(3), registry.version("default"), "promoted: v3 serves");
        assertEquals(Optional.of(Map.entry(ModelRegistry.ShadowRole.PREDECESSOR, 2L)), registry.shadow("default"),
                "promoted, not yet confirmed: its predecessor is kept");
        commit(List.of(decision(dev.sentiflow.avro.RolloutAction.ROLLED_BACK, 3)));
        assertEquals(java.util.OptionalLong.of(2), registry.version("default"), "the later rollback applies here too");
    }

    /**
     * The champion a rejected challenger lost to was compacted away (the challenger's chunks took its
     * keys), and this instance restarted serving the untrained base head: the rejected version is the
     * better of the two, so it serves.
     */
    @Test
    void aRejectedVersionWhoseChampionWasCompactedAwayServesRatherThanTheUntrainedHead() throws Exception {
        registry.offer(models.versions.baseHead("default"));
        commit(List.of(decision(dev.sentiflow.avro.RolloutAction.REJECTED, 2)));
        publishChallenger("default", 2, models.adapter(2));
        assertEquals(java.util.OptionalLong.of(2), registry.version("default"));
    }

    private static dev.sentiflow.avro.LiveMetrics decision(dev.sentiflow.avro.RolloutAction action, long version) {
        java.time.Instant t = java.time.Instant.EPOCH;
        return dev.sentiflow.avro.LiveMetrics.newBuilder().setModelName("default").setModelVersion(version)
                .setRole(dev.sentiflow.avro.LiveRole.CHALLENGER).setWindowStart(t).setWindowEnd(t)
                .setLabeledCount(200).setAccuracy(0.9).setMacroF1(0.9).setPerDomain(Map.of())
                .setDecision(action + " default v" + version).setAction(action).setComparedVersion(version - 1)
                .setComparedAccuracy(0.8).setCreatedAt(t).build();
    }

    @Test
    void aWorseChallengerIsRejectedAndTheChampionKeepsServing() throws Exception {
        byte[] v1 = models.adapter(1);
        byte[] v2 = models.adapter(2);
        Disputed d = disputed(v1, v2, ROLLOUT_RECORDS);
        publish("default", 1, v1);
        publishChallenger("default", 2, v2);
        for (int i = 0; i < ROLLOUT_RECORDS; i++) {
            sendLabeled("r" + i, d.texts().get(i), d.v1().get(i));
        }
        var decided = decisions();
        assertEquals(1, decided.size(), decided.toString());
        assertEquals(dev.sentiflow.avro.RolloutAction.REJECTED, decided.get(0).getAction());
        assertEquals(0.0, decided.get(0).getAccuracy(), 1e-9);
        assertEquals(1.0, decided.get(0).getComparedAccuracy(), 1e-9);
        commit(decided);
        assertEquals(Optional.empty(), registry.shadow("default"));
        assertEquals(java.util.OptionalLong.of(1), registry.version("default"));
        // An unlabeled record carries no evidence and a labeled one no longer has a shadow to compare.
        send(review("later", "fine", "yelp"));
        driver.advanceWallClockTime(WAIT.multipliedBy(2));
        assertTrue(predictions.readValuesToList().stream().allMatch(p -> p.getModelVersion() == 1L));
    }

    @Test
    void aPromotedVersionThatFallsBelowItsPredecessorIsRolledBack() throws Exception {
        byte[] v1 = models.adapter(1);
        byte[] v2 = models.adapter(2);
        Disputed d = disputed(v1, v2, 2 * ROLLOUT_RECORDS + BATCH);
        publish("default", 1, v1);
        publishChallenger("default", 2, v2);
        for (int i = 0; i < ROLLOUT_RECORDS; i++) {
            sendLabeled("a" + i, d.texts().get(i), d.v2().get(i));
        }
        var promoted = decisions();
        assertEquals(dev.sentiflow.avro.RolloutAction.PROMOTED, promoted.get(0).getAction());
        commit(promoted);
        predictions.readValuesToList();
        // Then the traffic turns: v1 is right where they disagree.
        for (int i = ROLLOUT_RECORDS; i < 2 * ROLLOUT_RECORDS; i++) {
            sendLabeled("b" + i, d.texts().get(i), d.v1().get(i));
        }
        assertTrue(predictions.readValuesToList().stream().allMatch(p -> p.getModelVersion() == 2L));
        var decided = decisions();
        assertEquals(1, decided.size(), decided.toString());
        var m = decided.get(0);
        assertEquals(dev.sentiflow.avro.RolloutAction.ROLLED_BACK, m.getAction(), m.getDecision());
        assertEquals(2L, m.getModelVersion());
        assertEquals(1L, m.getComparedVersion());
        assertEquals(0.0, m.getAccuracy(), 1e-9);
        assertEquals(1.0, m.getComparedAccuracy(), 1e-9);
        commit(decided);
        for (int i = 2 * ROLLOUT_RECORDS; i < 2 * ROLLOUT_RECORDS + BATCH; i++) {
            send(review("c" + i, d.texts().get(i), "yelp"));
        }
        assertTrue(predictions.readValuesToList().stream().allMatch(p -> p.getModelVersion() == 1L),
                "the predecessor serves again");
        assertEquals(Optional.empty(), registry.shadow("default"));
    }
}
