package dev.sentiflow.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.sentiflow.model.head.Classifiers;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.weights.BaseModel;
import dev.sentiflow.model.weights.BaseModels;

import java.util.Optional;

/**
 * Inference throughput of the full MiniLM classifier (seq 128, fixed padding) next to the fp32
 * matmul peak measured in the same run, to compare with BASELINES.md (PyTorch eager: 15.8 / 20.9 /
 * 30.2 samples/s at batch 1 / 8 / 32). Not a test; run under the build lock:
 * {@code flock /tmp/sentiflow-build.lock java -cp ... dev.sentiflow.model.bert.EncoderBenchmark}.
 */
public final class EncoderBenchmark {

    private static final int SEQ = 128;
    private static final double GFLOP_PER_SEQ = 2.87;

    private EncoderBenchmark() {}

    public static void main(String[] args) {
        try (NDManager manager = NDManager.newBaseManager();
             BaseModel base = BaseModels.load(manager, BaseModels.MINILM)) {
            System.out.printf("matmul [4096,384]x[384,384]: %.0f GFLOP/s%n", matmulPeak(manager));
            SequenceClassifier model = Classifiers.create(manager, base, 2, Optional.empty(), 1);
            ParameterStore ps = new ParameterStore(manager, false);
            for (int batch : new int[] {1, 8, 32}) {
                int reps = Math.max(3, 64 / batch);
                run(model, ps, manager, batch, 2); // warm-up
                long start = System.nanoTime();
                run(model, ps, manager, batch, reps);
                double secs = (System.nanoTime() - start) / 1e9;
                double perSec = batch * reps / secs;
                System.out.printf("batch %2d: %.1f samples/s (%.0f GFLOP/s model)%n", batch, perSec, perSec * GFLOP_PER_SEQ);
            }
        }
    }

    private static void run(SequenceClassifier model, ParameterStore ps, NDManager manager, int batch, int reps) {
        for (int r = 0; r < reps; r++) {
            try (NDManager m = manager.newSubManager()) {
                NDArray ids = m.randomInteger(1000, 30000, new Shape(batch, SEQ), DataType.INT64);
                NDArray mask = m.ones(new Shape(batch, SEQ), DataType.INT64);
                model.forward(ps, new NDList(ids, mask), false).singletonOrThrow().toFloatArray();
            }
        }
    }

    private static double matmulPeak(NDManager manager) {
        try (NDManager m = manager.newSubManager()) {
            NDArray a = m.randomUniform(-1, 1, new Shape(4096, 384));
            NDArray b = m.randomUniform(-1, 1, new Shape(384, 384));
            a.matMul(b).close();
            int reps = 50;
            long start = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                a.matMul(b).close();
            }
            double secs = (System.nanoTime() - start) / 1e9;
            return 2.0 * 4096 * 384 * 384 * reps / secs / 1e9;
        }
    }
}
