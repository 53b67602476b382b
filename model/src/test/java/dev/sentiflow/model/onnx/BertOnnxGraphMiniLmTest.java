package dev.sentiflow.model.onnx;

import dev.sentiflow.modeldata.onnx.BertOnnxGraph;
import dev.sentiflow.modeldata.weights.BaseWeights;
import dev.sentiflow.modeldata.weights.FloatTensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.weights.OnnxGraph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the real MiniLM (6 layers, its pretrained weights) with LoRA adapters: the written graph's logits
 * match the DJL classifier's within 1e-4 in standard ops and in the serving graph's fused ops, within
 * 0.1 with int8 base weights; the optimized model is dumped and its node types counted (what ONNX
 * Runtime's ALL-level optimizer fused, and that the serving graph's contrib ops stay).
 */
class BertOnnxGraphMiniLmTest {

    @TempDir
    Path dir;

    private static final int B = 4;
    private static final int S = 32;

    private record Optimized(double maxError, Map<String, Integer> ops, int written) {}

    @Test
    void miniLmWithAdaptersMatchesTheDjlModelAndOnnxRuntimeFusesTheGraph() throws Exception {
        Optimized run = run(BertOnnxGraph.Ops.STANDARD, BertOnnxGraph.Precision.FP32);
        assertTrue(run.maxError() < 1e-4, "max abs error " + run.maxError());
        // What ONNX Runtime 1.22's CPU optimizer fuses in the graph as written: the erf GELU with its bias
        // into one BiasGelu per layer (written as Mul by 1/sqrt 2 it did not fire), transposes into
        // FusedMatMul. Not fused: Add + LayerNormalization into SkipLayerNormalization, the attention
        // block into Attention; the serving graph (Ops.ONNX_RUNTIME) emits those contrib ops itself.
        Map<String, Integer> ops = run.ops();
        assertEquals(6, ops.getOrDefault("BiasGelu", 0), "GELU fused per layer: " + ops);
        assertFalse(ops.containsKey("Erf"), ops.toString());
        assertTrue(ops.getOrDefault("FusedMatMul", 0) > 0, ops.toString());
    }

    @Test
    void theServingGraphRunsOnFusedKernelsInFp32AndInt8() throws Exception {
        Optimized fp32 = run(BertOnnxGraph.Ops.ONNX_RUNTIME, BertOnnxGraph.Precision.FP32);
        assertTrue(fp32.maxError() < 1e-4, "max abs error " + fp32.maxError());
        Map<String, Integer> ops = fp32.ops();
        assertEquals(6, ops.getOrDefault("MultiHeadAttention", 0), ops.toString());
        assertEquals(12, ops.getOrDefault("SkipLayerNormalization", 0), ops.toString());
        assertEquals(6, ops.getOrDefault("BiasGelu", 0), ops.toString());
        assertFalse(ops.containsKey("Softmax") || ops.containsKey("Erf"), ops.toString());
        // Every bias inside a kernel (attention, SkipLayerNormalization, BiasGelu): the Adds left are the
        // LoRA updates (query and value: 2 per layer) and the embeddings' two sums.
        assertEquals(6 * 2 + 2, ops.getOrDefault("Add", 0), ops.toString());
        // The last layer runs on the [CLS] row alone, the only one the head reads (and the logits still match):
        // one Slice for that row, one the optimizer makes of the position embeddings' Range + Gather.
        assertEquals(2, ops.getOrDefault("Slice", 0), ops.toString());

        Optimized int8 = run(BertOnnxGraph.Ops.ONNX_RUNTIME, BertOnnxGraph.Precision.INT8);
        // 6 projections per layer: query, key, value, attention output, intermediate, output
        assertEquals(36, int8.ops().getOrDefault("DynamicQuantizeMatMul", 0), int8.ops().toString());
        assertEquals(6, int8.ops().getOrDefault("MultiHeadAttention", 0), int8.ops().toString());
        assertEquals(6, int8.ops().getOrDefault("Gelu", 0), int8.ops().toString());
        // The quantized MatMuls take their biases: the same Adds are left as in fp32.
        assertEquals(6 * 2 + 2, int8.ops().getOrDefault("Add", 0), int8.ops().toString());
        // Quantized, so not exact; the logits of pretrained MiniLM with a random head are within a few 0.01.
        assertTrue(int8.maxError() > 1e-6 && int8.maxError() < 0.1, "int8 max abs error " + int8.maxError());
    }

    /** The classifier's graph in these ops and precision, its logits against DJL's, its optimized node types. */
    private Optimized run(BertOnnxGraph.Ops opsKind, BertOnnxGraph.Precision precision) throws Exception {
        LoraConfig lora = LoraConfig.defaults();
        try (NDManager manager = NDManager.newBaseManager();
             BaseModel base = BaseModels.load(manager, BaseWeights.MINILM)) {
            SequenceClassifier model = Classifiers.create(manager, base, 2, Optional.of(lora), 7);
            Random random = new Random(3);
            model.namedParameters().forEach((name, p) -> {
                if (name.contains("lora_B")) { // zero at initialisation: make the adapters count
                    float[] v = new float[(int) p.getArray().size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (random.nextGaussian() * 0.02);
                    }
                    p.getArray().set(v);
                }
            });
            Map<String, FloatTensor> weights = ClassifierWeights.of(model);
            BertOnnxGraph.Written graph = BertOnnxGraph.write(opsKind, precision, base.config(), weights,
                    BertOnnxGraph.ADAPTERS_AND_HEAD, lora.alpha() / lora.r());
            long[] ids = new long[B * S];
            long[] mask = new long[B * S];
            int[] lengths = {32, 20, 9, 3};
            for (int i = 0; i < B; i++) {
                for (int j = 0; j < S; j++) {
                    boolean real = j < lengths[i];
                    ids[i * S + j] = real ? (j == 0 ? 101 : 1000 + random.nextInt(20000)) : 0;
                    mask[i * S + j] = real ? 1 : 0;
                }
            }
            float[] expected = model.forward(new ParameterStore(manager, false), new NDList(
                    manager.create(ids, new Shape(B, S)), manager.create(mask, new Shape(B, S))), false)
                    .singletonOrThrow().toFloatArray();

            Path optimized = dir.resolve(opsKind + "-" + precision + ".onnx");
            float[] actual;
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                options.setOptimizedModelFilePath(optimized.toString());
                try (OrtSession session = OrtEnvironment.getEnvironment().createSession(graph.model(), options)) {
                    actual = OnnxLogits.run(session, graph, weights, ids, mask, B, S);
                }
            }
            double maxErr = 0;
            for (int i = 0; i < actual.length; i++) {
                maxErr = Math.max(maxErr, Math.abs(actual[i] - expected[i]));
            }
            Map<String, Integer> ops = new TreeMap<>();
            OnnxGraph.parse(Files.readAllBytes(optimized), optimized.toString()).nodes()
                    .forEach(n -> ops.merge(n.opType(), 1, Integer::sum));
            System.out.printf("onnx graph on MiniLM with LoRA, %s ops, %s: max abs error %.3g over %d logits; %d nodes "
                    + "written, optimized (ALL): %s%n", opsKind, precision, maxErr, actual.length, graph.nodes(), ops);
            return new Optimized(maxErr, ops, graph.nodes());
        }
    }
}
