package dev.sentiflow.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A batch padded to its longest sequence: row-major int64 token ids and attention mask
 * (1 = real token, 0 = padding) of shape [rows, columns], and one int64 label per row
 * (per token for MLM batches).
 */
public record PaddedBatch(long[] inputIds, long[] attentionMask, long[] labels, int rows, int columns) {

    /** Model inputs {@code NDList(inputIds [B,S], attentionMask [B,S])}, created in {@code manager}. */
    public NDList inputs(NDManager manager) {
        Shape shape = new Shape(rows, columns);
        return new NDList(manager.create(inputIds, shape), manager.create(attentionMask, shape));
    }

    /** Labels as int64 [B] for classification or [B,S] for MLM, created in {@code manager}. */
    public NDArray labels(NDManager manager) {
        Shape shape = labels.length == rows ? new Shape(rows) : new Shape(rows, columns);
        return manager.create(labels, shape);
    }

    /** Real (non-padding) tokens in the batch. */
    public long realTokens() {
        long n = 0;
        for (long m : attentionMask) {
            n += m;
        }
        return n;
    }
}
