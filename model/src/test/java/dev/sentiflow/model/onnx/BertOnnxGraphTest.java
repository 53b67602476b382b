package dev.sentiflow.model.onnx;

import dev.sentiflow.modeldata.onnx.BertOnnxGraph;
import dev.sentiflow.modeldata.weights.FloatTensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sentiflow.model.bert.BertEncoder;
import dev.sentiflow.model.bert.Projections;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.lora.LoraProjections;
import dev.sentiflow.modeldata.config.BertConfig;
import dev.sentiflow.modeldata.config.LoraConfig;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The graph written from our own classifier, run by ONNX Runtime, gives the logits the DJL model
 * gives (within 1e-4) on a small random 2-layer model with padding in the batch: without adapters,
 * with LoRA adapters (fed as inputs, their B made non-zero so they count), and after a second
 * version's adapters and head are fed to the same session.
 */
class BertOnnxGraphTest {

    private static final BertConfig TINY = new BertConfig("bert", 120, 32, 2, 4, 64, 64, 2, 1e-12f, 0.1f, 0.1f, 0.02f);
    private static final Predicate<String> PER_VERSION = BertOnnxGraph.ADAPTERS_AND_HEAD;

    @Test
    void logitsMatchTheDjlModelWithoutAdapters() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequenceClassifier model = model(manager, Projections.PLAIN, 1);
            BertOnnxGraph.Written graph = BertOnnxGraph.write(TINY, weights(model), PER_VERSION, 1f);
            assertEquals(List.of("classifier.bias", "classifier.weight", "pooler.dense.bias", "pooler.dense.weight"),
                    graph.versionInputs().keySet().stream().sorted().toList());
            assertParity(manager, model, graph);
        }
    }

    @Test
    void logitsMatchWithLoraAdaptersFedAsInputsAndASecondVersionOnTheSameSession() throws Exception {
        LoraConfig lora = LoraConfig.defaults();
        try (NDManager manager = NDManager.newBaseManager()) {
            SequenceClassifier v1 = model(manager, new LoraProjections(lora), 2);
            BertOnnxGraph.Written graph = BertOnnxGraph.write(TINY, weights(v1), PER_VERSION, lora.alpha() / lora.r());
            // query and value of 2 layers, A and B each, and the head's 4
            assertEquals(2 * 2 * 2 + 4, graph.versionInputs().size(), graph.versionInputs().keySet().toString());
            assertEquals(List.of((long) lora.r(), 32L), List.of(graph.versionInputs()
                    .get("encoder.layer.1.attention.self.value.lora_A.weight")[0], graph.versionInputs()
                    .get("encoder.layer.1.attention.self.value.lora_A.weight")[1]));
            assertParity(manager, v1, graph);
            // v2: same base, other adapters and head; the session built for v1 serves it through its inputs.
            SequenceClassifier v2 = model(manager, new LoraProjections(lora), 3);
            copyBase(v1, v2);
            assertParity(manager, v2, graph);
        }
    }

    @Test
    void theGraphWithOnnxRuntimesFusedOpsGivesTheSameLogits() throws Exception {
        LoraConfig lora = LoraConfig.defaults();
        try (NDManager manager = NDManager.newBaseManager()) {
            SequenceClassifier model = model(manager, new LoraProjections(lora), 4);
            BertOnnxGraph.Written graph = BertOnnxGraph.write(BertOnnxGraph.Ops.ONNX_RUNTIME, TINY, weights(model),
                    PER_VERSION, lora.alpha() / lora.r());
            assertParity(manager, model, graph);
        }
    }

    @Test
    void aMissingWeightIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BertOnnxGraph.write(TINY, Map.of(), PER_VERSION, 1f));
        assertTrue(e.getMessage().contains("classifier.weight"), e.getMessage());
    }

    private static SequenceClassifier model(NDManager manager, Projections projections, long seed) {
        SequenceClassifier model = new SequenceClassifier(new BertEncoder(TINY, projections), 3);
        model.initialize(manager, DataType.FLOAT32);
        Random random = new Random(seed);
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            NDArray a = e.getValue().getArray();
            float[] values = new float[(int) a.size()];
            boolean norm = e.getKey().contains("LayerNorm");
            for (int i = 0; i < values.length; i++) {
                // LayerNorm scales near 1, everything else small and non-zero (LoRA B included, so it counts).
                values[i] = (float) ((norm && e.getKey().endsWith("weight") ? 1 : 0) + random.nextGaussian() * 0.2);
            }
            a.set(values);
        }
        return model;
    }

    /** v2 keeps its own adapters and head but takes v1's base, as two versions of one base do. */
    private static void copyBase(SequenceClassifier from, SequenceClassifier to) {
        Map<String, Parameter> source = from.namedParameters();
        to.namedParameters().forEach((name, p) -> {
            if (!PER_VERSION.test(name)) {
                p.getArray().set(source.get(name).getArray().toFloatArray());
            }
        });
    }

    private static Map<String, FloatTensor> weights(SequenceClassifier model) {
        return ClassifierWeights.of(model);
    }

    private static void assertParity(NDManager manager, SequenceClassifier model, BertOnnxGraph.Written graph)
            throws Exception {
        int b = 3;
        int s = 9;
        long[] ids = new long[b * s];
        long[] mask = new long[b * s];
        Random random = new Random(5);
        int[] lengths = {9, 5, 2};
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < s; j++) {
                boolean real = j < lengths[i];
                ids[i * s + j] = real ? 1 + random.nextInt(TINY.vocabSize() - 1) : 0;
                mask[i * s + j] = real ? 1 : 0;
            }
        }
        float[] expected = model.forward(new ParameterStore(manager, false), new NDList(
                manager.create(ids, new Shape(b, s)), manager.create(mask, new Shape(b, s))), false)
                .singletonOrThrow().toFloatArray();

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(graph.model(), options)) {
                float[] actual = OnnxLogits.run(session, graph, weights(model), ids, mask, b, s);
                assertEquals(expected.length, actual.length);
                double maxErr = 0;
                for (int i = 0; i < actual.length; i++) {
                    maxErr = Math.max(maxErr, Math.abs(actual[i] - expected[i]));
                }
                System.out.printf("onnx graph parity: %d logits, max abs error %.3g, %d nodes%n", actual.length,
                        maxErr, graph.nodes());
                assertTrue(maxErr < 1e-4, "max abs error " + maxErr);
            }
        }
    }
}
