package dev.sentiflow.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * AdamW as {@code torch.optim.AdamW} computes it, on DJL arrays, in place.
 *
 * <p>Per trainable parameter p with gradient g, at step t (1-based):
 * <pre>
 *   p ← p · (1 − lr·wd)                      (decoupled decay; wd = 0 for biases and LayerNorm)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * </pre>
 * Written here rather than using DJL's {@code Optimizer.adamW()} because that one has a single
 * decay value for all parameters and costs several times more per step (see DJL-NOTES).
 *
 * <p>Moment arrays live in the manager given at construction (the model's, so they live as long
 * as the model); every temporary of a step lives in the caller's scratch manager, into which the
 * moments are temporarily attached so that no op result leaks (the weight is only changed in
 * place). No value is read back to the JVM during a step. Use a fresh scratch manager per step.
 */
public final class AdamW implements AutoCloseable {

    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-8;
    /** Slice size (elements) for updating large tensors: 4 arrays × 1 MiB stay in cache. */
    static final long DEFAULT_CHUNK = 1L << 18;

    private static final NDIndex ALL = new NDIndex("...");

    private final List<Slot> slots = new ArrayList<>();
    private final NDManager state;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final long chunkSize;
    private int step;

    private record Slot(String name, Parameter parameter, NDArray m, NDArray v, boolean decays) {}

    /** AdamW with betas (0.9, 0.999) and ε 1e-8 over the parameters that require a gradient. */
    public AdamW(NDManager stateManager, Map<String, Parameter> namedParameters, double weightDecay) {
        this(stateManager, namedParameters, weightDecay, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
    }

    public AdamW(
            NDManager stateManager,
            Map<String, Parameter> namedParameters,
            double weightDecay,
            double beta1,
            double beta2,
            double epsilon) {
        this(stateManager, namedParameters, weightDecay, beta1, beta2, epsilon, DEFAULT_CHUNK);
    }

    /** As above, with the slice size for large tensors (tests and benchmarks vary it). */
    AdamW(
            NDManager stateManager,
            Map<String, Parameter> namedParameters,
            double weightDecay,
            double beta1,
            double beta2,
            double epsilon,
            long chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunk size must be >= 1, got " + chunkSize);
        }
        this.chunkSize = chunkSize;
        this.state = stateManager.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        for (Map.Entry<String, Parameter> e : namedParameters.entrySet()) {
            Parameter parameter = e.getValue();
            if (!parameter.requiresGradient()) {
                continue;
            }
            NDArray weight = parameter.getArray();
            NDArray m = state.zeros(weight.getShape(), weight.getDataType(), weight.getDevice());
            NDArray v = state.zeros(weight.getShape(), weight.getDataType(), weight.getDevice());
            slots.add(new Slot(e.getKey(), parameter, m, v, decays(e.getKey())));
        }
        if (slots.isEmpty()) {
            throw new IllegalArgumentException("no parameter requires a gradient: nothing to optimise");
        }
    }

    /** Hugging Face's rule: no weight decay on biases and LayerNorm weights. */
    public static boolean decays(String parameterName) {
        return !(parameterName.endsWith(".bias")
                || parameterName.contains("LayerNorm")
                || parameterName.contains("layer_norm"));
    }

    /** Names of the parameters this optimizer updates, in order. */
    public List<String> parameterNames() {
        return slots.stream().map(Slot::name).toList();
    }

    /** Number of scalar weights this optimizer updates. */
    public long trainableWeights() {
        return slots.stream().mapToLong(s -> s.parameter().getArray().size()).sum();
    }

    /** Completed steps. */
    public int stepCount() {
        return step;
    }

    /**
     * The current gradients of the trainable parameters, in {@link #parameterNames()} order, as
     * arrays owned by {@code scratch} that alias the real gradient storage (in-place changes,
     * such as clipping, change the gradient itself).
     */
    public List<NDArray> gradients(NDManager scratch) {
        List<NDArray> grads = new ArrayList<>(slots.size());
        for (Slot slot : slots) {
            NDArray grad = slot.parameter().getArray().getGradient();
            grad.attach(scratch);
            grads.add(grad);
        }
        return grads;
    }

    /**
     * One update with learning rate {@code lr}, using the gradients from {@link #gradients},
     * then zeroes them. Temporaries live in {@code scratch}.
     */
    public void step(double lr, List<NDArray> grads, NDManager scratch) {
        if (grads.size() != slots.size()) {
            throw new IllegalArgumentException("expected " + slots.size() + " gradients, got " + grads.size());
        }
        step++;
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        // The step's constants as 0-dim arrays created once: an op with a Java number would
        // build (and free) a native scalar per call, a thousand times per step for MiniLM.
        Scalars k = new Scalars(
                scratch.create((float) (1 - lr * weightDecay)),
                scratch.create((float) beta1),
                scratch.create((float) (1 - beta1)),
                scratch.create((float) beta2),
                scratch.create((float) (1 - beta2)),
                scratch.create((float) (1 / biasCorrection2Sqrt)),
                scratch.create((float) epsilon),
                scratch.create((float) (lr / biasCorrection1)),
                scratch.create(0f));
        for (int i = 0; i < slots.size(); i++) {
            Slot slot = slots.get(i);
            NDArray grad = grads.get(i);
            NDArray weight = slot.parameter().getArray();
            boolean decay = slot.decays() && weightDecay != 0;
            // Moments are attached to the scratch manager for the step so that results of ops on
            // them land there; the weight itself is only changed in place.
            slot.m().tempAttach(scratch);
            slot.v().tempAttach(scratch);
            long size = weight.size();
            if (size <= chunkSize) {
                update(weight, slot.m(), slot.v(), grad, decay, k);
                continue;
            }
            // Large tensors (the word embeddings: 11.7M weights in MiniLM) are updated in slices
            // that stay in cache across the dozen element-wise passes, with small temporaries,
            // instead of streaming every pass through main memory. Slices are views, so the
            // in-place updates land in the tensors themselves.
            NDArray flatWeight = weight.reshape(-1);
            flatWeight.attach(scratch);
            NDArray flatM = slot.m().reshape(-1);
            NDArray flatV = slot.v().reshape(-1);
            NDArray flatGrad = grad.reshape(-1);
            for (long from = 0; from < size; from += chunkSize) {
                NDIndex slice = new NDIndex().addSliceDim(from, Math.min(size, from + chunkSize));
                try (NDArray w = flatWeight.get(slice);
                        NDArray m = flatM.get(slice);
                        NDArray v = flatV.get(slice);
                        NDArray g = flatGrad.get(slice)) {
                    update(w, m, v, g, decay, k);
                }
            }
        }
    }

    /** Zeroes the gradients without updating anything (a skipped step). */
    public void zeroGradients(List<NDArray> grads) {
        for (NDArray grad : grads) {
            // A fill, not a multiplication by 0, which would keep NaN and infinity.
            grad.set(ALL, 0f);
        }
    }

    /**
     * Names of the parameters whose gradient (or weight) holds NaN or infinity, for the message
     * of a failed step; reads every tensor back, so only for diagnosis.
     */
    public List<String> nonFinite(List<NDArray> grads) {
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < slots.size(); i++) {
            NDArray grad = grads.get(i);
            NDArray weight = slots.get(i).parameter().getArray();
            boolean gradBad = grad.isNaN().any().getBoolean() || grad.isInfinite().any().getBoolean();
            boolean weightBad;
            try (NDArray nan = weight.isNaN(); NDArray anyNan = nan.any(); NDArray inf = weight.isInfinite(); NDArray anyInf = inf.any()) {
                weightBad = anyNan.getBoolean() || anyInf.getBoolean();
            }
            if (gradBad || weightBad) {
                bad.add(slots.get(i).name() + (gradBad ? " (gradient)" : "") + (weightBad ? " (weight)" : ""));
            }
        }
        return bad;
    }

    /** Per-step constants, as arrays in the step's scratch manager. */
    private record Scalars(NDArray decayFactor, NDArray beta1, NDArray oneMinusBeta1, NDArray beta2,
            NDArray oneMinusBeta2, NDArray inverseBiasCorrection2Sqrt, NDArray epsilon, NDArray stepSize, NDArray zero) {}

    /** The AdamW update of one tensor (or slice), in place; temporaries are freed at once. */
    private static void update(NDArray weight, NDArray m, NDArray v, NDArray grad, boolean decay, Scalars k) {
        if (decay) {
            weight.muli(k.decayFactor());
        }
        try (NDArray scaled = grad.mul(k.oneMinusBeta1())) {
            m.muli(k.beta1()).addi(scaled);
        }
        try (NDArray squared = grad.square()) {
            v.muli(k.beta2()).addi(squared.muli(k.oneMinusBeta2()));
        }
        try (NDArray denominator = v.sqrt();
                NDArray ratio = m.div(denominator.muli(k.inverseBiasCorrection2Sqrt()).addi(k.epsilon()))) {
            weight.subi(ratio.muli(k.stepSize()));
        }
        // Zero in place: autograd keeps accumulating into the same storage. (The gradient is
        // finite here, so multiplying by 0 is a zero fill and cheaper than an indexed set.)
        grad.muli(k.zero());
    }

    @Override
    public void close() {
        state.close();
    }
}
