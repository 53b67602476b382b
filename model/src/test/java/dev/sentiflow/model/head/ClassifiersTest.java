package dev.sentiflow.model.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.sentiflow.model.lora.LoraModules;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.modeldata.config.LoraConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifiersTest {

    private static TruncatedMiniLm miniLm;
    private static NDManager manager;
    private static BaseModel base;

    @BeforeAll
    static void loadBase() {
        miniLm = TruncatedMiniLm.firstLayers(2);
        manager = miniLm.manager();
        base = miniLm.base();
    }

    @AfterAll
    static void close() {
        miniLm.close();
    }

    @Test
    void fullFineTuneModelHasHfNamesAndLoadsTheBase() {
        try (NDManager m = manager.newSubManager()) {
            SequenceClassifier model = Classifiers.create(m, base, 3, Optional.empty(), 42);
            Map<String, Parameter> named = model.namedParameters();
            List<String> names = List.copyOf(named.keySet());
            assertEquals("embeddings.word_embeddings.weight", names.get(0));
            assertTrue(names.contains("encoder.layer.1.attention.self.query.weight"));
            assertTrue(names.contains("encoder.layer.1.attention.output.LayerNorm.bias"));
            assertTrue(names.contains("encoder.layer.0.intermediate.dense.weight"));
            assertTrue(names.contains("encoder.layer.0.output.LayerNorm.weight"));
            assertEquals(List.of("pooler.dense.weight", "pooler.dense.bias", "classifier.weight", "classifier.bias"),
                    names.subList(names.size() - 4, names.size()));
            assertEquals(5 + 2 * 16 + 4, named.size());
            assertTrue(named.values().stream().allMatch(Parameter::requiresGradient));
            assertEquals(new Shape(3, 384), named.get("classifier.weight").getShape());
            assertArrayEquals(base.weights().get("encoder.layer.1.output.dense.weight").toFloatArray(),
                    named.get("encoder.layer.1.output.dense.weight").getArray().toFloatArray());

            NDArray logits = model.forward(new ParameterStore(m, false), TinyBatch.of(m), false).singletonOrThrow();
            assertEquals(new Shape(3, 3), logits.getShape());
            assertEquals(logits.getShape(), model.getOutputShapes(new Shape[] {new Shape(3, 6), new Shape(3, 6)})[0]);
            assertEquals(new Shape(3, 6, 384),
                    model.encoder().getOutputShapes(new Shape[] {new Shape(3, 6), new Shape(3, 6)})[0]);
        }
    }

    @Test
    void sameSeedSameHeadDifferentSeedDifferentHead() {
        try (NDManager m = manager.newSubManager()) {
            float[] a = head(m, 7);
            float[] b = head(m, 7);
            float[] c = head(m, 8);
            assertArrayEquals(a, b);
            assertFalse(java.util.Arrays.equals(a, c));
        }
    }

    private static float[] head(NDManager m, long seed) {
        SequenceClassifier model = Classifiers.create(m, base, 2, Optional.empty(), seed);
        return model.namedParameters().get("classifier.weight").getArray().toFloatArray();
    }

    @Test
    void loraFreezesTheBaseAndReportsTrainableParameters() {
        try (NDManager m = manager.newSubManager()) {
            SequenceClassifier model = Classifiers.create(m, base, 2, Optional.of(LoraConfig.defaults()), 42);
            Map<String, Parameter> named = model.namedParameters();
            assertEquals(new Shape(8, 384), named.get("encoder.layer.0.attention.self.query.lora_A.weight").getShape());
            assertEquals(new Shape(384, 8), named.get("encoder.layer.0.attention.self.value.lora_B.weight").getShape());
            assertFalse(named.containsKey("encoder.layer.0.attention.self.key.lora_A.weight"));
            List<String> trainable = named.entrySet().stream().filter(e -> e.getValue().requiresGradient())
                    .map(Map.Entry::getKey).toList();
            assertTrue(trainable.stream().allMatch(n -> n.contains("lora_") || n.startsWith("pooler.")
                    || n.startsWith("classifier.")), trainable::toString);
            assertEquals(2 * 2 * 2 + 4, trainable.size());
            // 2 layers x 2 targets x (8*384 + 384*8) + pooler 384*384+384 + classifier 2*384+2
            long expected = 2L * 2 * (8 * 384 + 384 * 8) + 384 * 384 + 384 + 2 * 384 + 2;
            String report = LoraModules.trainableReport(named);
            assertTrue(report.startsWith(String.format(java.util.Locale.ROOT, "trainable params: %,d || all params: ",
                    expected)), report);
            System.out.println(report);
        }
    }
}
