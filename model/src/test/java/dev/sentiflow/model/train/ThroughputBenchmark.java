package dev.sentiflow.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.sentiflow.text.data.LabeledText;
import dev.sentiflow.text.data.LabeledTextLoader;
import dev.sentiflow.text.data.LabeledTextSet;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.lora.LoraConfig;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Throughput of MiniLM on this machine at the reference's settings (seq 128, fixed padding):
 * inference at batch 1/8/32, and one training step (forward + backward, optimizer) at batch 16
 * for full fine-tuning and LoRA, next to the fp32 matmul peak measured in the same run.
 * Not part of the build; run with the test classpath:
 * {@code java ... dev.sentiflow.model.train.ThroughputBenchmark [reviews.csv]}.
 */
public final class ThroughputBenchmark {

    private static final int SEQ = 128;

    private ThroughputBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "/work/shared/data/finefoods_train.csv");
        try (NDManager manager = NDManager.newBaseManager();
                BaseModel base = BaseModels.load(manager, BaseModels.MINILM);
                TextTokenizer tokenizer = base.openTokenizer(SEQ)) {
            List<int[]> full = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            LabeledTextSet set = LabeledTextLoader.defaults().limit(1500).load(data);
            for (LabeledText t : set.examples()) {
                int[] ids = tokenizer.encode(t.text());
                if (ids.length == SEQ) {
                    full.add(ids);
                    labels.add(t.label());
                }
            }
            System.out.printf(Locale.ROOT, "%d texts fill all %d tokens; Engine %s, %d threads%n",
                    full.size(), SEQ, Engine.getInstance().getEngineName(), Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "matmul [4096,384]x[384,384]: %.0f GFLOP/s%n", matmulPeak(manager));

            SequenceClassifier model = Classifiers.create(manager, base, 2, Optional.empty(), 42);
            ParameterStore ps = new ParameterStore(manager, false);
            for (int batch : new int[] {1, 8, 32}) {
                int iterations = Math.max(2, 64 / batch);
                forward(model, ps, manager, full, labels, batch, 0); // warm-up
                long start = System.nanoTime();
                for (int i = 0; i < iterations; i++) {
                    forward(model, ps, manager, full, labels, batch, i * batch);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "inference batch %2d seq %d: %.1f samples/s%n", batch, SEQ, iterations * batch / seconds);
            }
            trainSteps("full", model, model.namedParameters(), manager, full, labels);
            optimizerOnly(model.namedParameters(), manager, AdamW.DEFAULT_CHUNK);
            optimizerOnly(model.namedParameters(), manager, Long.MAX_VALUE);

            SequenceClassifier lora = Classifiers.create(manager, base, 2, Optional.of(LoraConfig.defaults()), 42);
            trainSteps("lora", lora, lora.namedParameters(), manager, full, labels);
        }
    }

    private static void forward(SequenceClassifier model, ParameterStore ps, NDManager manager, List<int[]> texts,
            List<Integer> labels, int batch, int offset) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray logits = model.forward(ps, batch(scope, texts, labels, batch, offset).inputs(scope), false).singletonOrThrow();
            logits.softmax(1).toFloatArray();
        }
    }

    private static PaddedBatch batch(NDManager scope, List<int[]> texts, List<Integer> labels, int batch, int offset) {
        long[] ids = new long[batch * SEQ];
        long[] mask = new long[batch * SEQ];
        long[] y = new long[batch];
        Arrays.fill(mask, 1);
        for (int r = 0; r < batch; r++) {
            int[] t = texts.get((offset + r) % texts.size());
            for (int c = 0; c < SEQ; c++) {
                ids[r * SEQ + c] = t[c];
            }
            y[r] = labels.get((offset + r) % texts.size());
        }
        return new PaddedBatch(ids, mask, y, batch, SEQ);
    }

    private static void trainSteps(String name, SequenceClassifier model, Map<String, Parameter> named, NDManager manager,
            List<int[]> texts, List<Integer> labels) {
        TrainingConfig config = TrainingConfig.defaults(name.equals("lora") ? TrainingMode.LORA : TrainingMode.FULL);
        int steps = 4;
        try (OptimizationLoop loop = new OptimizationLoop(model, named, manager, config, 100)) {
            double fb = 0;
            double opt = 0;
            for (int s = 0; s <= steps; s++) {
                long t0 = System.nanoTime();
                loop.forwardBackward(batch(manager, texts, labels, 16, s * 16), CrossEntropy::mean);
                long t1 = System.nanoTime();
                loop.step();
                long t2 = System.nanoTime();
                if (s > 0) { // the first step is slower (allocation, lazy init)
                    fb += (t1 - t0) / 1e9;
                    opt += (t2 - t1) / 1e9;
                }
            }
            System.out.printf(Locale.ROOT,
                    "%s fine-tune batch 16 seq %d: %.2f samples/s (forward+backward %.0f ms, optimizer %.0f ms per step, %,d trainable weights)%n",
                    name, SEQ, steps * 16 / (fb + opt), 1000 * fb / steps, 1000 * opt / steps, loop.trainableWeights());
        }
    }

    /** AdamW + clipping alone over all of MiniLM's weights, with a given slice size for large tensors. */
    private static void optimizerOnly(Map<String, Parameter> named, NDManager manager, long chunk) {
        try (AdamW adamW = new AdamW(manager, named, 0.01, 0.9, 0.999, 1e-8, chunk)) {
            int steps = 5;
            long total = 0;
            for (int s = 0; s <= steps; s++) {
                long t0 = System.nanoTime();
                try (NDManager scratch = manager.newSubManager()) {
                    java.util.List<NDArray> grads = adamW.gradients(scratch);
                    GlobalNormClipper.clip(grads, 1.0);
                    adamW.step(1e-5, grads, scratch);
                }
                if (s > 0) {
                    total += System.nanoTime() - t0;
                }
            }
            System.out.printf(Locale.ROOT, "AdamW + clip over %,d weights, slice %s: %.0f ms per step%n",
                    adamW.trainableWeights(), chunk == Long.MAX_VALUE ? "none" : Long.toString(chunk), total / 1e6 / steps);
        }
    }

    private static double matmulPeak(NDManager manager) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray a = scope.randomNormal(new Shape(4096, 384));
            NDArray b = scope.randomNormal(new Shape(384, 384));
            a.matMul(b);
            int n = 20;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                // results accumulate in the scope (20 × 6 MiB) and are freed with it
                a.matMul(b).getFloat(0, 0);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return n * 2.0 * 4096 * 384 * 384 / seconds / 1e9;
        }
    }
}
