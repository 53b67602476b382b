package dev.sentiflow.model.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.sentiflow.model.head.SequenceClassifier;
import dev.sentiflow.model.train.Batcher;
import dev.sentiflow.model.train.EncodedExample;
import dev.sentiflow.model.train.PaddedBatch;
import dev.sentiflow.modeldata.metrics.Scored;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores tokenized texts with a classifier: softmax probabilities per class, as the notebooks'
 * {@code predict_sentiment}. Texts are sorted by length and padded per forward to the longest in
 * it (dynamic padding), at most {@code maxRows} per forward; results come back in input order.
 * Safe on any thread (no autograd graph is recorded, see {@link NoGradient}); every array of a
 * forward lives in a sub-manager closed when the forward ends.
 */
public final class ClassifierScorer {

    private final SequenceClassifier model;
    private final NDManager manager;
    private final int padId;
    private final int maxRows;

    public ClassifierScorer(SequenceClassifier model, NDManager manager, int padId, int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("max rows per forward must be >= 1, got " + maxRows);
        }
        this.model = model;
        this.manager = manager;
        this.padId = padId;
        this.maxRows = maxRows;
    }

    /** Scores with the block's own parameters. */
    public List<Scored> score(List<int[]> tokenIds) {
        return score(tokenIds, new ParameterStore(manager, false));
    }

    /**
     * Scores with the parameters {@code ps} gives: a {@link VersionedParameterStore} scores one model
     * version on a block that several versions share.
     */
    public List<Scored> score(List<int[]> tokenIds, ParameterStore ps) {
        if (tokenIds.isEmpty()) {
            return List.of();
        }
        List<EncodedExample> examples = new ArrayList<>(tokenIds.size());
        tokenIds.forEach(ids -> examples.add(new EncodedExample(ids, -1)));
        Batcher batcher = new Batcher(examples, maxRows, padId);
        Scored[] out = new Scored[tokenIds.size()];
        for (int[] rows : batcher.lengthSorted()) {
            PaddedBatch batch = batcher.batch(rows);
            float[] probabilities = NoGradient.call(() -> {
                try (NDManager scope = manager.newSubManager()) {
                    NDArray logits = model.forward(ps, batch.inputs(scope), false).singletonOrThrow();
                    return logits.softmax(1).toFloatArray();
                }
            });
            int classes = probabilities.length / rows.length;
            for (int r = 0; r < rows.length; r++) {
                float[] p = Arrays.copyOfRange(probabilities, r * classes, (r + 1) * classes);
                out[rows[r]] = Scored.of(p);
            }
        }
        return Arrays.asList(out);
    }
}
