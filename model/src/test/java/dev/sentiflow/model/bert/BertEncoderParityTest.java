package dev.sentiflow.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.model.weights.LoadReport;
import dev.sentiflow.model.weights.WeightLoader;
import dev.sentiflow.modeldata.weights.BaseWeights;
import dev.sentiflow.modeldata.weights.MiniLmImport;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DJL encoder on the converted weights against ONNX Runtime on the original MiniLM graph:
 * same sentences of mixed lengths in one padded batch, full 6 layers.
 */
class BertEncoderParityTest {

    private static final List<String> SENTENCES = List.of(
            "The food was great and the service was fast.",
            "Terrible.",
            "I would not recommend this product to anyone who cares about battery life at all, sadly.",
            "Okay movie, nothing special.");

    @Test
    void lastHiddenStatesMatchOnnxRuntime() throws Exception {
        long[][] ids;
        int padId;
        try (TextTokenizer tok = TextTokenizer.bundled(128)) {
            padId = tok.padId();
            ids = SENTENCES.stream().map(tok::encode)
                    .map(a -> java.util.Arrays.stream(a).asLongStream().toArray()).toArray(long[][]::new);
        }
        int b = ids.length;
        int s = java.util.Arrays.stream(ids).mapToInt(a -> a.length).max().orElseThrow();
        long[] flatIds = new long[b * s];
        long[] flatMask = new long[b * s];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < s; j++) {
                boolean real = j < ids[i].length;
                flatIds[i * s + j] = real ? ids[i][j] : padId;
                flatMask[i * s + j] = real ? 1 : 0;
            }
        }

        float[] expected = onnxRuntime(flatIds, flatMask, b, s);

        try (NDManager manager = NDManager.newBaseManager();
             BaseModel base = BaseModels.load(manager, BaseWeights.MINILM)) {
            BertEncoder encoder = new BertEncoder(base.config());
            encoder.initialize(manager, DataType.FLOAT32);
            LoadReport report = WeightLoader.load(encoder.namedParameters(), base.weights(), base.id());
            assertEquals(List.of(), report.missing(), "missing");
            assertEquals(List.of(), report.unexpected(), "unexpected");
            assertEquals(101, report.loaded().size());

            NDArray out = encoder.forward(new ParameterStore(manager, false),
                    new NDList(manager.create(flatIds, new Shape(b, s)), manager.create(flatMask, new Shape(b, s))),
                    false).singletonOrThrow();
            int h = base.config().hiddenSize();
            assertEquals(new Shape(b, s, h), out.getShape());
            float[] actual = out.toFloatArray();
            double maxErr = 0;
            int compared = 0;
            for (int t = 0; t < b * s; t++) {
                if (flatMask[t] == 0) {
                    continue;
                }
                for (int k = 0; k < h; k++) {
                    maxErr = Math.max(maxErr, Math.abs(actual[t * h + k] - expected[t * h + k]));
                    compared++;
                }
            }
            System.out.printf("MiniLM parity: batch %d x %d tokens, %d values compared, max abs error %.3g%n",
                    b, s, compared, maxErr);
            assertTrue(maxErr < 1e-4, "max abs error " + maxErr);
        }
    }

    private static float[] onnxRuntime(long[] ids, long[] mask, int b, int s) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(2);
            try (OrtSession session = env.createSession(MiniLmImport.readResource(), opts);
                 OnnxTensor idT = OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(ids), new long[] {b, s});
                 OnnxTensor maskT = OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(mask), new long[] {b, s});
                 OnnxTensor typeT = OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(new long[b * s]),
                         new long[] {b, s})) {
                Map<String, OnnxTensor> in = Map.of("input_ids", idT, "attention_mask", maskT, "token_type_ids", typeT);
                try (OrtSession.Result r = session.run(in)) {
                    OnnxTensor out = (OnnxTensor) r.get(0);
                    java.nio.FloatBuffer fb = out.getFloatBuffer();
                    float[] f = new float[fb.remaining()];
                    fb.get(f);
                    return f;
                }
            }
        }
    }
}
