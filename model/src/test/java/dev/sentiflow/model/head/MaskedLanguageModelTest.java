package dev.sentiflow.model.head;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.modeldata.config.LoraConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaskedLanguageModelTest {

    private static TruncatedMiniLm miniLm;
    private static NDManager manager;
    private static BaseModel base;

    @BeforeAll
    static void loadBase() {
        miniLm = TruncatedMiniLm.firstLayers(1);
        manager = miniLm.manager();
        base = miniLm.base();
    }

    @AfterAll
    static void close() {
        miniLm.close();
    }

    @Test
    void headHasHfNamesAndTheDecoderIsTiedToTheWordEmbeddings() {
        try (NDManager m = manager.newSubManager()) {
            MaskedLanguageModel mlm = Classifiers.createMaskedLm(m, base, Optional.empty(), 3);
            Map<String, Parameter> named = mlm.namedParameters();
            List<String> names = List.copyOf(named.keySet());
            assertEquals(List.of("cls.predictions.transform.dense.weight",
                    "cls.predictions.transform.dense.bias", "cls.predictions.transform.LayerNorm.weight",
                    "cls.predictions.transform.LayerNorm.bias", "cls.predictions.bias"),
                    names.subList(names.size() - 5, names.size()));
            assertFalse(names.stream().anyMatch(n -> n.contains("decoder")), "decoder is tied, not a parameter");

            NDArray logits = mlm.forward(new ParameterStore(m, false), TinyBatch.of(m), false).singletonOrThrow();
            assertEquals(new Shape(3, 6, 30522), logits.getShape());
            assertEquals(logits.getShape(), mlm.getOutputShapes(new Shape[] {new Shape(3, 6), new Shape(3, 6)})[0]);

            // Tied: the logit of word w is <transformed hidden, E[w]> + bias[w]; changing row E[w]
            // changes only the logits of w (and the embedding of w where it is an input).
            NDArray words = named.get("embeddings.word_embeddings.weight").getArray();
            int unused = 29000; // a rare word piece, not in the batch
            float before = logits.getFloat(0, 1, unused);
            float other = logits.getFloat(0, 1, 1996);
            words.set(new ai.djl.ndarray.index.NDIndex(unused), words.get(unused).mul(2f));
            NDArray after = mlm.forward(new ParameterStore(m, false), TinyBatch.of(m), false).singletonOrThrow();
            float bias = named.get("cls.predictions.bias").getArray().getFloat(unused);
            assertEquals(2 * (before - bias) + bias, after.getFloat(0, 1, unused), 1e-3);
            assertEquals(other, after.getFloat(0, 1, 1996), 1e-6);
        }
    }

    @Test
    void mlmOnAClassifiersEncoderSharesItsParameters() {
        try (NDManager m = manager.newSubManager()) {
            SequenceClassifier clf = Classifiers.create(m, base, 2, Optional.empty(), 1);
            MaskedLanguageModel mlm = new MaskedLanguageModel(clf.encoder());
            mlm.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32);
            assertSame(clf.namedParameters().get("encoder.layer.0.output.dense.weight"),
                    mlm.namedParameters().get("encoder.layer.0.output.dense.weight"));
        }
    }

    @Test
    void mlmHeadOnAClassifierLeavesItsPretrainedEncoderWeightsAlone() {
        try (NDManager m = manager.newSubManager()) {
            SequenceClassifier clf = Classifiers.create(m, base, 2, Optional.of(LoraConfig.defaults()), 1);
            String name = "encoder.layer.0.attention.self.query.weight";
            float[] before = clf.namedParameters().get(name).getArray().toFloatArray();
            MaskedLanguageModel mlm = Classifiers.maskedLmOn(m, clf, base, 2);
            org.junit.jupiter.api.Assertions.assertArrayEquals(before,
                    mlm.namedParameters().get(name).getArray().toFloatArray(), 0f);
            assertTrue(mlm.namedParameters().get("cls.predictions.transform.dense.weight").requiresGradient());
            assertTrue(!mlm.namedParameters().get(name).requiresGradient(), "LoRA base stays frozen");
        }
    }

    @Test
    void loraMlmTrainsAdapterAndMlmHeadOnly() {
        try (NDManager m = manager.newSubManager()) {
            MaskedLanguageModel mlm = Classifiers.createMaskedLm(m, base, Optional.of(LoraConfig.defaults()), 3);
            List<String> trainable = mlm.namedParameters().entrySet().stream()
                    .filter(e -> e.getValue().requiresGradient()).map(Map.Entry::getKey).toList();
            assertTrue(trainable.stream().allMatch(n -> n.contains("lora_") || n.startsWith("cls.")), trainable::toString);
            assertEquals(5 + 4, trainable.size());
        }
    }

    @Test
    void perBatchArraysStayOutOfTheModelManager() {
        try (NDManager m = manager.newSubManager()) {
            MaskedLanguageModel mlm = Classifiers.createMaskedLm(m, base, Optional.of(LoraConfig.defaults()), 3);
            ParameterStore ps = new ParameterStore(m, false);
            int before = -1;
            for (int i = 0; i < 4; i++) {
                try (NDManager batch = m.newSubManager()) {
                    NDList in = TinyBatch.of(batch);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray logits = mlm.forward(ps, in, true).singletonOrThrow();
                        gc.backward(logits.mean());
                    }
                }
                int now = m.getManagedArrays().size();
                if (before >= 0) {
                    assertEquals(before, now, "model manager grew during step " + i);
                }
                before = now;
            }
        }
    }
}
