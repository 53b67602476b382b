package dev.sentiflow.model.train;

import dev.sentiflow.modeldata.weights.BaseWeights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.text.data.Row;
import dev.sentiflow.text.data.RowFormat;
import dev.sentiflow.text.data.RowReaders;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The loop on MiniLM and 64 real review sentences (32 more for eval): a few seconds, but the
 * real network, tokenizer and optimizer. LoRA runs on all six layers: a one-layer cut of MiniLM
 * has a nearly input-independent [CLS] state (the model was trained for mean pooling), so it
 * cannot learn the task; the full fine-tune test only needs one layer.
 */
class FineTunerTest {

    private static NDManager manager;
    private static BaseModel full;
    private static BaseModel base;
    private static List<EncodedExample> train;
    private static List<EncodedExample> eval;
    private static int padId;

    @BeforeAll
    static void load() throws Exception {
        manager = NDManager.newBaseManager();
        full = BaseModels.load(manager, BaseWeights.MINILM);
        base = full.firstLayers(1);
        List<Row> rows;
        try (Stream<Row> stream = RowReaders.rows(
                new InputStreamReader(FineTunerTest.class.getResourceAsStream("uci_sample.csv"), StandardCharsets.UTF_8),
                "uci_sample.csv", RowFormat.CSV)) {
            rows = stream.collect(Collectors.toList());
        }
        train = new ArrayList<>();
        eval = new ArrayList<>();
        try (TextTokenizer tokenizer = TextTokenizer.bundled(32)) {
            padId = tokenizer.padId();
            for (Row row : rows) {
                EncodedExample e = new EncodedExample(tokenizer.encode(row.require("text")), Integer.parseInt(row.require("label")));
                (row.require("split").equals("train") ? train : eval).add(e);
            }
        }
        assertEquals(64, train.size());
        assertEquals(32, eval.size());
    }

    @AfterAll
    static void close() {
        base.close();
        full.close();
        manager.close();
    }

    private static Map<String, float[]> snapshot(Map<String, Parameter> named) {
        Map<String, float[]> copy = new HashMap<>();
        named.forEach((n, p) -> copy.put(n, p.getArray().toFloatArray()));
        return copy;
    }

    private static Set<String> changed(Map<String, Parameter> named, Map<String, float[]> before) {
        Set<String> changed = new TreeSet<>();
        named.forEach((n, p) -> {
            if (!Arrays.equals(before.get(n), p.getArray().toFloatArray())) {
                changed.add(n);
            }
        });
        return changed;
    }

    @Test
    void loraTrainingLowersTheLossAndChangesOnlyAdaptersAndHead() {
        try (NDManager modelManager = manager.newSubManager()) {
            SequenceClassifier model = Classifiers.create(modelManager, full, 2, Optional.of(LoraConfig.defaults()), 42);
            Map<String, Parameter> named = model.namedParameters();
            Map<String, float[]> before = snapshot(named);
            int arraysBefore = modelManager.getManagedArrays().size();

            TrainingConfig config = TrainingConfig.defaults(TrainingMode.LORA)
                    .withLearningRate(2e-3)
                    .withBatchSize(8)
                    .withEpochs(3)
                    .withMaxLength(32);
            List<Double> evalLosses = new ArrayList<>();
            FineTuneResult result = new FineTuner(config)
                    .progressBar(false)
                    .listener(new FineTuneListener() {
                        @Override
                        public void onEpoch(EpochResult r, boolean best) {
                            evalLosses.add(r.eval().loss());
                        }
                    })
                    .run(model, named, modelManager, train, eval, List.of("neg", "pos"), padId);

            assertEquals(3, result.epochs().size());
            assertEquals(3 * 8, result.stepLosses().size(), "64 examples / batch 8 = 8 steps per epoch");
            double first = result.epochs().get(0).trainLoss();
            double last = result.epochs().get(2).trainLoss();
            assertTrue(last < first - 0.2, "train loss " + first + " → " + last);
            assertTrue(result.best().eval().accuracy() >= 0.75, "eval accuracy " + result.best().eval().accuracy());
            assertEquals(evalLosses.stream().mapToDouble(Double::doubleValue).min().orElseThrow(), result.best().eval().loss(), 0.0);

            Set<String> trainable = named.entrySet().stream()
                    .filter(e -> e.getValue().requiresGradient()).map(Map.Entry::getKey)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(trainable, changed(named, before), "exactly the trainable tensors change");
            assertTrue(trainable.stream().allMatch(n -> n.contains("lora_") || n.startsWith("pooler.") || n.startsWith("classifier.")),
                    trainable.toString());
            assertTrue(trainable.contains("encoder.layer.5.attention.self.value.lora_B.weight"));

            // The weights left in the model are the best epoch's: re-evaluating gives its eval loss.
            EvalResult again = new Evaluator(model, modelManager, List.of("neg", "pos"))
                    .evaluate(new Batcher(eval, 8, padId));
            assertEquals(result.best().eval().loss(), again.loss(), 1e-5);
            assertEquals(result.best().eval().accuracy(), again.accuracy(), 1e-9);

            // Per-batch scopes and optimizer state are all freed: no arrays left behind.
            assertEquals(arraysBefore, modelManager.getManagedArrays().size(), "arrays leaked into the model manager");
        }
    }

    @Test
    void fullFineTuneIsReproducibleFromTheSeedAndTrainsEveryWeight() {
        TrainingConfig config = TrainingConfig.defaults(TrainingMode.FULL)
                .withLearningRate(1e-4)
                .withBatchSize(16)
                .withEpochs(1)
                .withMaxLength(32)
                .withGradientAccumulation(2);
        List<Double> firstRun = null;
        for (int run = 0; run < 2; run++) {
            try (NDManager modelManager = manager.newSubManager()) {
                SequenceClassifier model = Classifiers.create(modelManager, base, 2, Optional.empty(), 7);
                Map<String, Parameter> named = model.namedParameters();
                Map<String, float[]> before = snapshot(named);
                FineTuneResult result = new FineTuner(config.withSeed(7)).progressBar(false)
                        .run(model, named, modelManager, train, eval, List.of("neg", "pos"), padId);
                assertEquals(2, result.stepLosses().size(), "4 batches, accumulation 2");
                if (firstRun == null) {
                    firstRun = result.stepLosses();
                    // First step runs at lr 0 (warm-up), so only the second step moves weights.
                    assertEquals(named.keySet(), changed(named, before));
                } else {
                    assertEquals(firstRun, result.stepLosses(), "same seed, same losses");
                }
            }
        }
    }

    /** A run that outlasts its time budget stops after the epoch in which it ran out, keeping its best epoch. */
    @Test
    void aTimeBudgetStopsAfterTheEpochInWhichItRanOut() {
        TrainingConfig config = TrainingConfig.defaults(TrainingMode.LORA).withBatchSize(16).withEpochs(3)
                .withMaxLength(32);
        try (NDManager modelManager = manager.newSubManager()) {
            SequenceClassifier model = Classifiers.create(modelManager, base, 2, Optional.of(LoraConfig.defaults()), 7);
            FineTuneResult result = new FineTuner(config.withSeed(7)).progressBar(false)
                    .timeBudget(java.time.Duration.ofNanos(1))
                    .run(model, model.namedParameters(), modelManager, train, eval, List.of("neg", "pos"), padId);
            assertEquals(1, result.epochs().size(), "one epoch of three");
            assertTrue(result.stoppedEarly());
            assertEquals(1, result.bestEpoch());
        }
    }

    @Test
    void crossEntropyMatchesHandComputedValue() {
        try (NDManager m = manager.newSubManager()) {
            // logits [[2,0],[0,1]], labels [0,1]: -(log σ(2) + log σ(1)) / 2
            float value = CrossEntropy.mean(m.create(new float[][] {{2f, 0f}, {0f, 1f}}), m.create(new long[] {0, 1})).getFloat();
            double expected = (Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1))) / 2;
            assertEquals(expected, value, 1e-6);
            float ignoring = CrossEntropy.meanIgnoring(
                    m.create(new float[][] {{2f, 0f}, {0f, 1f}, {5f, -5f}}), m.create(new long[] {0, 1, -100})).getFloat();
            assertEquals(expected, ignoring, 1e-6);
        }
    }

}
