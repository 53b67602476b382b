package dev.sentiflow.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Mean softmax cross-entropy, as {@code torch.nn.functional.cross_entropy}: logits [N,C] (or
 * [B,S,V] for MLM, flattened) against int64 class indices [N]; positions labelled
 * {@link MlmCollator#IGNORE_INDEX} count neither in the sum nor in the mean.
 *
 * <p>Results live in the manager of {@code logits}, so pass per-batch logits.
 */
public final class CrossEntropy {

    private CrossEntropy() {}

    /** Mean over all rows; every label must be a valid class. */
    public static NDArray mean(NDArray logits, NDArray labels) {
        NDArray flatLogits = flatten(logits);
        NDArray picked = flatLogits.logSoftmax(1).gather(labels.reshape(-1, 1).toType(DataType.INT64, false), 1);
        return picked.mean().neg();
    }

    /** Mean over rows whose label is not -100 (masked-language modelling). */
    public static NDArray meanIgnoring(NDArray logits, NDArray labels) {
        NDArray flatLogits = flatten(logits);
        NDArray flatLabels = labels.reshape(-1).toType(DataType.INT64, false);
        NDArray keep = flatLabels.neq(MlmCollator.IGNORE_INDEX);
        NDArray safe = flatLabels.mul(keep.toType(DataType.INT64, false));
        NDArray picked = flatLogits.logSoftmax(1).gather(safe.reshape(-1, 1), 1).reshape(-1);
        NDArray keepFloat = keep.toType(picked.getDataType(), false);
        // max(count, 1): a batch with nothing masked contributes 0 rather than NaN.
        return picked.mul(keepFloat).sum().neg().div(keepFloat.sum().maximum(1f));
    }

    private static NDArray flatten(NDArray logits) {
        long classes = logits.getShape().get(logits.getShape().dimension() - 1);
        return logits.getShape().dimension() == 2 ? logits : logits.reshape(-1, classes);
    }
}
