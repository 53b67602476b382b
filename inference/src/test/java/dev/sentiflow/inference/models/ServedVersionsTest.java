package dev.sentiflow.inference.models;

import dev.sentiflow.inference.onnx.SessionThreads;
import dev.sentiflow.modeldata.metrics.Scored;
import dev.sentiflow.modeldata.weights.BaseWeights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.sentiflow.inference.onnx.OnnxScorer;
import dev.sentiflow.inference.onnx.ParallelRuns;
import dev.sentiflow.model.checkpoint.CheckpointCodec;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.infer.ClassifierScorer;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.modeldata.checkpoint.CheckpointException;
import dev.sentiflow.modeldata.checkpoint.CheckpointKind;
import dev.sentiflow.modeldata.checkpoint.CheckpointMetadata;
import dev.sentiflow.modeldata.checkpoint.ModelIdentity;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.onnx.BertOnnxGraph;
import dev.sentiflow.text.data.Row;
import dev.sentiflow.text.data.RowReaders;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Versions served through ONNX Runtime score as the DJL model the trainer built would: two adapters
 * on the one shared session each give the probabilities of a DJL classifier with that checkpoint
 * applied, and a full checkpoint written without LoRA layers gets a session of its own and scores
 * exactly too. Real MiniLM weights cut to one layer, the real tokenizer, texts of several lengths in
 * one batch (padding). A version costs its own tensors only and frees them when its last user is done.
 */
class ServedVersionsTest {

    private static final List<String> LABELS = List.of("negative", "positive");
    private static final LoraConfig LORA = LoraConfig.defaults();
    private static final List<String> TEXTS = List.of("the pasta was cold", "great service, lovely staff and the "
            + "best dessert we had all year", "no", "would not go back: slow, rude and overpriced for what it is");

    private static NDManager manager;
    private static BaseModel base;
    private static TextTokenizer tokenizer;
    private static ModelIdentity identity;
    private static SequenceClassifier block;
    private static ServedVersions versions;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        try (BaseModel full = BaseModels.load(manager, BaseWeights.MINILM)) {
            base = full.firstLayers(1);
        }
        tokenizer = TextTokenizer.bundled(128);
        identity = new ModelIdentity(base.baseHash(), Optional.of(LORA), LABELS, tokenizer.id(), 128);
        block = Classifiers.create(manager, base, LABELS.size(), Optional.of(LORA), 0L);
        versions = BlockVersions.of(block, identity, BertOnnxGraph.Precision.FP32, new SessionThreads(1, false));
    }

    @AfterAll
    static void close() {
        versions.close();
        tokenizer.close();
        base.close();
        manager.close();
    }

    @Test
    void twoAdaptersOnTheSharedSessionScoreAsTheirDjlModels() {
        byte[] one = trained(Optional.of(LORA), CheckpointKind.ADAPTER, 11);
        byte[] two = trained(Optional.of(LORA), CheckpointKind.ADAPTER, 12);
        ServedVersion v1 = versions.fromCheckpoint("m", 1, "a", one, "v1");
        ServedVersion v2 = versions.fromCheckpoint("m", 2, "b", two, "v2");
        try {
            assertSame(v1.onnx().graph(), v2.onnx().graph(), "adapters share the base's session");
            assertFalse(v1.onnx().ownsGraph());
            // 4 LoRA tensors per layer (query and value, A and B) and the pooler's and classifier's weight and bias
            assertEquals(4 + 4, v1.onnx().inputs().count());
            assertEquals(v1.onnx().inputs().tensors().values().stream()
                    .mapToLong(t -> t.getInfo().getNumElements() * Float.BYTES).sum(), v1.bytes());
            assertProbabilities(reference(one, Optional.of(LORA)), served(v1));
            assertProbabilities(reference(two, Optional.of(LORA)), served(v2));
            // Rows of very different lengths go in separate runs (less padding) or in one: the same scores.
            float[][] oneRun = new OnnxScorer(tokenizer.padId(), 8, Double.POSITIVE_INFINITY).score(ids(), v1.onnx())
                    .stream().map(Scored::probabilities).toArray(float[][]::new);
            assertProbabilities(oneRun, served(v1));
            // Twelve different rows of one length, dealt out to three runs scored at once: the same scores as
            // one run, in input order; then rows of several lengths (several groups at once).
            List<int[]> twelve = new java.util.ArrayList<>();
            int[] longest = ids().get(1);
            for (int i = 0; i < 12; i++) {
                int[] row = longest.clone();
                row[1 + i % (row.length - 2)] = 2000 + 37 * i; // a word changed, a distinct row of the same length
                twelve.add(row);
            }
            try (ParallelRuns three = new ParallelRuns(3)) {
                OnnxScorer atOnce = new OnnxScorer(tokenizer.padId(), 12, OnnxScorer.MAX_PADDING, three);
                OnnxScorer sequential = new OnnxScorer(tokenizer.padId(), 12);
                float[][] dealt = atOnce.score(twelve, v1.onnx()).stream().map(Scored::probabilities)
                        .toArray(float[][]::new);
                assertProbabilities(sequential.score(twelve, v1.onnx()).stream().map(Scored::probabilities)
                        .toArray(float[][]::new), dealt);
                assertTrue(Math.abs(dealt[0][1] - dealt[5][1]) > 1e-6, "the rows differ, so their order is checked");
                List<int[]> mixed = new java.util.ArrayList<>(twelve.subList(0, 8));
                mixed.addAll(ids());
                float[][] groups = atOnce.score(mixed, v1.onnx()).stream().map(Scored::probabilities)
                        .toArray(float[][]::new);
                assertProbabilities(served(v1), java.util.Arrays.copyOfRange(groups, 8, 12));
                assertProbabilities(java.util.Arrays.copyOfRange(dealt, 0, 8), java.util.Arrays.copyOfRange(groups, 0, 8));
            }
            // The versions' own tensors must matter, or the checks above say nothing about feeding them.
            assertTrue(Math.abs(served(v1)[1][1] - served(v2)[1][1]) > 1e-3, "v1 and v2 score alike");
        } finally {
            v1.retire();
            v2.retire();
        }
        assertTrue(v1.isFreed());
        assertTrue(v1.onnx().inputs().tensors().values().stream().allMatch(ai.onnxruntime.OnnxTensor::isClosed),
                "a retired version's tensors are freed");
    }

    @Test
    void aFullCheckpointWithoutLoraLayersGetsItsOwnSessionAndScoresExactly() {
        byte[] full = trained(Optional.empty(), CheckpointKind.FULL, 13);
        ServedVersion v = versions.fromCheckpoint("m", 3, "c", full, "full");
        try {
            assertTrue(v.onnx().ownsGraph());
            assertNotSame(versions.baseHead("m").onnx().graph(), v.onnx().graph());
            assertTrue(v.bytes() > 10_000_000, "a full version costs a copy of the model: " + v.bytes());
            assertProbabilities(reference(full, Optional.empty()), served(v));
        } finally {
            v.retire();
        }
    }

    @Test
    void aFullCheckpointServedAloneOpensNoSharedSession() {
        byte[] full = trained(Optional.empty(), CheckpointKind.FULL, 15);
        try (ServedVersions alone = BlockVersions.of(block, identity, BertOnnxGraph.Precision.FP32,
                new SessionThreads(1, false))) {
            ServedVersion v = alone.fromCheckpoint("m", 1, "e", full, "full");
            try {
                assertTrue(v.onnx().ownsGraph());
                assertFalse(alone.sharedSessionOpen(), "a full version needs no session of the base");
                assertProbabilities(reference(full, Optional.empty()), served(v));
            } finally {
                v.retire();
            }
            ServedVersion base0 = alone.baseHead("m");
            assertTrue(alone.sharedSessionOpen(), "version 0 is served on the shared session");
            base0.retire();
        }
    }

    @Test
    void aForeignCheckpointIsRefusedNamingWhy() {
        byte[] otherLabels;
        try (NDManager m = manager.newSubManager()) {
            SequenceClassifier model = Classifiers.create(m, base, 3, Optional.of(LORA), 5);
            otherLabels = CheckpointCodec.encode(model, new CheckpointMetadata(CheckpointKind.ADAPTER, base.baseHash(),
                    Optional.of(LORA), List.of("negative", "neutral", "positive"), tokenizer.id(), 128));
        }
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> versions.fromCheckpoint("m", 4, "d", otherLabels, "three labels"));
        assertTrue(e.getMessage().contains("labels [negative, neutral, positive]"), e.getMessage());
    }

    @Test
    void int8BaseWeightsGiveTheSameLabelAsFp32OnNearlyEveryReview() throws Exception {
        byte[] adapter = trained(Optional.of(LORA), CheckpointKind.ADAPTER, 14);
        List<int[]> reviews;
        try (Stream<Row> rows = RowReaders.rows(Path.of("..", "data", "uci_sentiment_sentences.csv"))) {
            // every 10th row: the three domains, 300 reviews
            reviews = rows.filter(r -> r.line() % 10 == 0).map(r -> tokenizer.encode(r.require("text"))).toList();
        }
        try (ServedVersions int8 = BlockVersions.of(block, identity, BertOnnxGraph.Precision.INT8,
                new SessionThreads(1, false))) {
            ServedVersion q = int8.fromCheckpoint("m", 5, "e", adapter, "int8");
            ServedVersion f = versions.fromCheckpoint("m", 5, "e", adapter, "fp32");
            try {
                // The layer's 1.77 M linear weights take 1 byte instead of 4; the embeddings stay fp32.
                long saved = f.onnx().graph().modelBytes() - q.onnx().graph().modelBytes();
                assertTrue(saved > 3 * 1_700_000, "int8 saved " + saved + " bytes");
                OnnxScorer scorer = new OnnxScorer(tokenizer.padId(), 32);
                List<Scored> quantized = scorer.score(reviews, q.onnx());
                List<Scored> full = scorer.score(reviews, f.onnx());
                int same = 0;
                float largest = 0;
                for (int i = 0; i < reviews.size(); i++) {
                    same += quantized.get(i).predicted() == full.get(i).predicted() ? 1 : 0;
                    largest = Math.max(largest, Math.abs(quantized.get(i).probabilities()[1]
                            - full.get(i).probabilities()[1]));
                }
                assertTrue(same >= 0.99 * reviews.size(), same + " of " + reviews.size() + " labels agree");
                assertTrue(largest > 1e-6, "int8 scored exactly as fp32: was it quantized at all?");
            } finally {
                q.retire();
                f.retire();
            }
        }
    }

    /** A classifier moved away from its start in every trainable tensor, as checkpoint bytes. */
    private static byte[] trained(Optional<LoraConfig> lora, CheckpointKind kind, long seed) {
        try (NDManager m = manager.newSubManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
            SequenceClassifier model = Classifiers.create(m, base, LABELS.size(), lora, seed);
            model.namedParameters().forEach((name, p) -> {
                if (kind == CheckpointKind.FULL || p.requiresGradient()) {
                    p.getArray().addi(m.randomNormal(0f, 0.05f, p.getShape(), p.getArray().getDataType()));
                }
            });
            return CheckpointCodec.encode(model, new CheckpointMetadata(kind, base.baseHash(), lora, LABELS,
                    tokenizer.id(), 128));
        }
    }

    private static float[][] reference(byte[] checkpoint, Optional<LoraConfig> lora) {
        try (NDManager m = manager.newSubManager()) {
            SequenceClassifier model = Classifiers.create(m, base, LABELS.size(), lora, 3);
            CheckpointCodec.apply(CheckpointCodec.decode(m, checkpoint, "ref"), model,
                    new ModelIdentity(base.baseHash(), lora, LABELS, tokenizer.id(), 128), "ref");
            return new ClassifierScorer(model, m, tokenizer.padId(), 8).score(ids()).stream()
                    .map(Scored::probabilities).toArray(float[][]::new);
        }
    }

    private static float[][] served(ServedVersion version) {
        return new OnnxScorer(tokenizer.padId(), 8).score(ids(), version.onnx()).stream()
                .map(Scored::probabilities).toArray(float[][]::new);
    }

    private static List<int[]> ids() {
        return TEXTS.stream().map(tokenizer::encode).toList();
    }

    private static void assertProbabilities(float[][] expected, float[][] actual) {
        float worst = 0;
        for (int r = 0; r < expected.length; r++) {
            for (int c = 0; c < expected[r].length; c++) {
                worst = Math.max(worst, Math.abs(expected[r][c] - actual[r][c]));
            }
        }
        assertTrue(worst < 1e-5f, "ONNX Runtime and DJL differ by " + worst);
    }
}
