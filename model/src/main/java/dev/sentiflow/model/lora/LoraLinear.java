package dev.sentiflow.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import dev.sentiflow.model.bert.Dense;
import dev.sentiflow.model.bert.HfBlock;
import dev.sentiflow.model.bert.Scalars;
import dev.sentiflow.model.infer.NoGradient;

/**
 * A linear layer with a low-rank update: {@code y = base(x) + scale * dropout(x) A^T B^T}, with
 * {@code A [r, in]} and {@code B [out, r]} named {@code lora_A.weight} / {@code lora_B.weight} as
 * in PEFT. The base keeps its plain name ({@code query.weight}). A starts uniform in
 * {@code ±1/sqrt(in)} (PEFT's Kaiming-uniform with a=sqrt(5)) and B at zero, so a fresh adapter
 * changes nothing.
 *
 * <p>{@link #merge()} folds {@code scale * B A} into the base weight for serving; {@link #unmerge()}
 * restores the exact unmerged weight (kept aside while merged, so repeated hot swaps never drift).
 * A merged layer refuses training forwards.
 */
public final class LoraLinear extends HfBlock {

    private final Dense base;
    private final Dense loraA;
    private final Dense loraB;
    private final float scale;
    private final float dropout;
    private boolean merged;
    private NDArray unmergedWeight;

    private static final NDIndex ALL = new NDIndex("...");

    public LoraLinear(Dense base, int r, float alpha, float dropout) {
        this.base = child("", base);
        this.loraA = child("lora_A", new Dense(base.inFeatures(), r, false));
        this.loraB = child("lora_B", new Dense(r, base.outFeatures(), false));
        this.scale = alpha / r;
        this.dropout = dropout;
        loraA.weight().setInitializer(new UniformInitializer((float) (1 / Math.sqrt(base.inFeatures()))));
        loraB.weight().setInitializer(Initializer.ZEROS);
    }

    public Dense base() {
        return base;
    }

    public Parameter loraA() {
        return loraA.weight();
    }

    public Parameter loraB() {
        return loraB.weight();
    }

    public boolean isMerged() {
        return merged;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        if (merged && training) {
            throw new IllegalStateException("LoRA weights are merged into the base; unmerge before training");
        }
        NDArray x = inputs.singletonOrThrow();
        NDArray y = base.forward(ps, inputs, training).singletonOrThrow();
        if (merged) {
            return new NDList(y);
        }
        NDArray h = Dropout.dropout(x, dropout, training).singletonOrThrow();
        h = loraA.forward(ps, new NDList(h), training).singletonOrThrow();
        h = loraB.forward(ps, new NDList(h), training).singletonOrThrow();
        return new NDList(y.add(h.mul(Scalars.of(h, scale))));
    }

    /** W += scale * B A, in place; the unmerged weight is kept so that unmerging is exact. */
    public void merge() {
        if (merged) {
            return;
        }
        NoGradient.run(this::mergeInPlace);
    }

    private void mergeInPlace() {
        NDArray w = base.weight().getArray();
        unmergedWeight = w.duplicate();
        // Both temporaries belong to the model's manager (an op's result joins its first operand's
        // manager): close each, or every merge leaves an out x in array behind.
        try (NDArray product = loraB.weight().getArray().matMul(loraA.weight().getArray());
             NDArray delta = product.mul(scale)) {
            w.addi(delta);
        }
        merged = true;
    }

    /** Restores the weight as it was before {@link #merge()}, bit for bit. */
    public void unmerge() {
        if (!merged) {
            return;
        }
        NoGradient.run(() -> base.weight().getArray().set(ALL, unmergedWeight));
        unmergedWeight.close();
        unmergedWeight = null;
        merged = false;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return base.getOutputShapes(inputShapes);
    }
}
