package dev.sentiflow.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * {@code torch.nn.utils.clip_grad_norm_}: one L2 norm over all gradients together; when it
 * exceeds the maximum every gradient is scaled by max / (norm + 1e-6). Clipping by the global
 * norm keeps the update's direction, unlike DJL's element-wise {@code optClipGrad}.
 */
public final class GlobalNormClipper {

    private GlobalNormClipper() {}

    /**
     * Clips in place and returns the norm before clipping (one read-back per step). The squared
     * sums are computed in the manager of the first gradient. A non-finite norm is returned as
     * it is and nothing is scaled: the caller decides whether to skip the step or stop.
     */
    public static double clip(List<NDArray> grads, double maxNorm) {
        double norm = norm(grads);
        if (!Double.isFinite(norm)) {
            return norm;
        }
        if (maxNorm > 0) {
            double coefficient = maxNorm / (norm + 1e-6);
            if (coefficient < 1) {
                for (NDArray grad : grads) {
                    grad.muli((float) coefficient);
                }
            }
        }
        return norm;
    }

    /** The global L2 norm of all gradients. */
    public static double norm(List<NDArray> grads) {
        if (grads.isEmpty()) {
            return 0;
        }
        NDList squares = new NDList(grads.size());
        for (NDArray grad : grads) {
            squares.add(grad.square().sum());
        }
        NDArray total = squares.size() == 1 ? squares.get(0) : NDArrays.stack(squares).sum();
        return Math.sqrt(total.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble());
    }
}
