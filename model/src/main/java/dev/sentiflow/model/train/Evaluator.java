package dev.sentiflow.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.sentiflow.model.infer.NoGradient;
import dev.sentiflow.modeldata.metrics.ConfusionMatrix;
import java.util.List;

/**
 * Runs a classifier over labelled examples without gradients (dropout off) and scores it:
 * mean cross-entropy, confusion matrix, throughput. Batches are grouped by length so little
 * time goes into padding; each batch's arrays are freed when the batch ends.
 */
public final class Evaluator {

    private final Block model;
    private final NDManager manager;
    private final List<String> labelNames;

    public Evaluator(Block model, NDManager manager, List<String> labelNames) {
        this.model = model;
        this.manager = manager;
        this.labelNames = List.copyOf(labelNames);
    }

    /** Scores every example; no autograd graph is recorded, whatever thread this runs on. */
    public EvalResult evaluate(Batcher examples) {
        return NoGradient.call(() -> scored(examples));
    }

    private EvalResult scored(Batcher examples) {
        ParameterStore ps = new ParameterStore(manager, false);
        ConfusionMatrix confusion = new ConfusionMatrix(labelNames);
        double lossSum = 0;
        long start = System.nanoTime();
        for (int[] indices : examples.lengthSorted()) {
            PaddedBatch batch = examples.batch(indices);
            try (NDManager scope = manager.newSubManager()) {
                NDList inputs = batch.inputs(scope);
                NDArray labels = batch.labels(scope);
                NDArray logits = model.forward(ps, inputs, false).singletonOrThrow();
                if (logits.getShape().get(1) != labelNames.size()) {
                    throw new IllegalStateException("model has " + logits.getShape().get(1)
                            + " outputs but the task has " + labelNames.size() + " labels " + labelNames);
                }
                lossSum += CrossEntropy.mean(logits, labels).getFloat() * batch.rows();
                long[] predicted = logits.argMax(1).toLongArray();
                for (int r = 0; r < batch.rows(); r++) {
                    confusion.add((int) batch.labels()[r], (int) predicted[r]);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new EvalResult(lossSum / examples.size(), confusion, examples.size() / seconds);
    }
}
