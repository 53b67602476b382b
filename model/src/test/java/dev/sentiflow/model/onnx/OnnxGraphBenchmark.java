package dev.sentiflow.model.onnx;

import dev.sentiflow.modeldata.onnx.BertOnnxGraph;
import dev.sentiflow.modeldata.weights.BaseWeights;
import dev.sentiflow.modeldata.weights.FloatTensor;

import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.weights.MiniLmImport;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Our written graph against the stock MiniLM ONNX file, both on ONNX Runtime (ALL optimizations,
 * default threads), in one run: samples/s at batch 1/8/32 x 128 real tokens, for the stock file
 * (encoder only) and our graph (encoder, pooler and head) in standard ops and with ONNX Runtime's
 * fused ops, each without adapters and with LoRA adapters fed as inputs; each as a ratio to the
 * stock file. Prints one table.
 *
 * <p>Run: {@code ./bench onnx [--quick]}.
 */
public final class OnnxGraphBenchmark {

    private OnnxGraphBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        double seconds = quick ? 1.5 : 5;
        int length = 128;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (NDManager manager = NDManager.newBaseManager();
             BaseModel base = BaseModels.load(manager, BaseWeights.MINILM)) {
            LoraConfig lora = LoraConfig.defaults();
            SequenceClassifier plain = Classifiers.create(manager, base, 2, Optional.empty(), 1);
            SequenceClassifier adapted = Classifiers.create(manager, base, 2, Optional.of(lora), 1);
            Map<String, FloatTensor> loraWeights = ClassifierWeights.of(adapted);
            Map<String, FloatTensor> plainWeights = ClassifierWeights.of(plain);
            float scale = lora.alpha() / lora.r();
            List<Variant> variants = new ArrayList<>();
            for (BertOnnxGraph.Ops ops : BertOnnxGraph.Ops.values()) {
                variants.add(new Variant(ops + ", no adapter", BertOnnxGraph.write(ops, base.config(), plainWeights,
                        BertOnnxGraph.ADAPTERS_AND_HEAD, 1f), plainWeights));
                variants.add(new Variant(ops + ", LoRA", BertOnnxGraph.write(ops, base.config(), loraWeights,
                        BertOnnxGraph.ADAPTERS_AND_HEAD, scale), loraWeights));
            }
            System.out.printf(Locale.ROOT, "onnx bench: MiniLM (6x384), %d tokens per row, ONNX Runtime %s, %d cores; "
                    + "samples/s and the ratio to the stock file in the same run%n", length, env.getVersion(),
                    Runtime.getRuntime().availableProcessors());
            StringBuilder header = new StringBuilder("batch | stock file");
            variants.forEach(v -> header.append(" | ").append(v.name()));
            System.out.println(header);
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                List<OrtSession> sessions = new ArrayList<>();
                try (OrtSession stock = env.createSession(MiniLmImport.readResource(), options)) {
                    for (Variant v : variants) {
                        sessions.add(env.createSession(v.graph().model(), options));
                    }
                    for (int batch : new int[] {1, 8, 32}) {
                        double s = rate(env, stock, batch, length, Map.of(), Map.of(), true, seconds);
                        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%5d | %6.1f/s", batch, s));
                        for (int i = 0; i < variants.size(); i++) {
                            Variant v = variants.get(i);
                            double r = rate(env, sessions.get(i), batch, length, v.graph().versionInputs(), v.weights(),
                                    false, seconds);
                            row.append(String.format(Locale.ROOT, " | %6.1f/s %.2fx", r, r / s));
                        }
                        System.out.println(row);
                    }
                } finally {
                    for (OrtSession session : sessions) {
                        session.close();
                    }
                }
            }
        }
    }

    private record Variant(String name, BertOnnxGraph.Written graph, Map<String, FloatTensor> weights) {}

    /** Samples per second over about {@code seconds} of runs after a warm-up; the inputs are made once. */
    private static double rate(OrtEnvironment env, OrtSession session, int batch, int length,
            Map<String, long[]> versionInputs, Map<String, FloatTensor> weights, boolean tokenTypes,
            double seconds) throws Exception {
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i % length == 0 ? 101 : 1000 + (i * 7919L) % 20000;
            mask[i] = 1;
        }
        List<OnnxTensor> made = new ArrayList<>();
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input_ids", track(made, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch, length})));
            in.put("attention_mask", track(made, OnnxTensor.createTensor(env, LongBuffer.wrap(mask),
                    new long[] {batch, length})));
            if (tokenTypes) {
                in.put("token_type_ids", track(made, OnnxTensor.createTensor(env,
                        LongBuffer.wrap(new long[batch * length]), new long[] {batch, length})));
            }
            for (var e : versionInputs.entrySet()) {
                in.put(e.getKey(), track(made, OnnxTensor.createTensor(env, FloatBuffer.wrap(weights.get(e.getKey())
                        .data()), e.getValue())));
            }
            for (int i = 0; i < 3; i++) {
                session.run(in).close();
            }
            long begin = System.nanoTime();
            int runs = 0;
            while (System.nanoTime() - begin < seconds * 1e9) {
                session.run(in).close();
                runs++;
            }
            return runs * batch / ((System.nanoTime() - begin) / 1e9);
        } finally {
            made.forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor track(List<OnnxTensor> made, OnnxTensor t) {
        made.add(t);
        return t;
    }
}
