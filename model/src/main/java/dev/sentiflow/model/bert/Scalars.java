package dev.sentiflow.model.bert;

import ai.djl.ndarray.NDArray;

/**
 * Constants for differentiable ops. DJL turns a Java number operand ({@code x.mul(2f)}) into a
 * temporary tensor over a direct buffer and frees it right after the op, while autograd keeps the
 * tensor for backward: after a GC, backward reads freed memory (NaN or garbage gradients at random;
 * see model/README.md). A scalar made here lives in the manager of the array it scales, the batch's,
 * until the batch, and so backward, is done. {@code add}/{@code sub} with numbers are safe.
 */
public final class Scalars {

    private Scalars() {}

    /** {@code value} as a 0-d array in {@code owner}'s manager, to multiply or divide {@code owner} by. */
    public static NDArray of(NDArray owner, float value) {
        return owner.getManager().create(value);
    }
}
