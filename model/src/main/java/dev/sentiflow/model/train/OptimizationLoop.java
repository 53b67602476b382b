package dev.sentiflow.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.sentiflow.model.infer.NoGradient;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of training shared by fine-tuning and MLM adaptation: forward and backward of one
 * batch in its own native-memory scope (gradients accumulate in the parameters), and the
 * optimizer step that follows every {@code gradientAccumulation} batches: global-norm clipping,
 * AdamW at the scheduled learning rate, gradients zeroed.
 */
final class OptimizationLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OptimizationLoop.class);

    /** What an optimizer step did. */
    record Step(int number, double learningRate, double gradNorm) {}

    private final Block model;
    private final NDManager manager;
    private final TrainingConfig config;
    private final ParameterStore parameterStore;
    private final AdamW optimizer;
    private final LinearWarmupSchedule schedule;
    private int steps;
    private int skipped;
    private int pendingBatches;

    OptimizationLoop(Block model, Map<String, Parameter> namedParameters, NDManager manager, TrainingConfig config, int totalSteps) {
        this.model = model;
        this.manager = manager;
        this.config = config;
        this.parameterStore = new ParameterStore(manager, false);
        this.schedule = new LinearWarmupSchedule(config.learningRate(), (int) Math.ceil(totalSteps * config.warmupRatio()), totalSteps);
        this.optimizer = new AdamW(manager, namedParameters, config.weightDecay());
    }

    /**
     * Forward (training mode) and backward of one batch; returns the batch's mean loss.
     * Gradients add up in the parameters until {@link #step()}, which divides them by the number
     * of batches, so accumulated gradients are a mean.
     *
     * <p>The loss is not scaled here: {@code loss.div(n)} with a Java number would make DJL build
     * the scalar on a direct buffer that it frees right after the op, while autograd keeps it for
     * backward (a use-after-free; gradients read garbage after a GC). Scaling the gradients
     * outside autograd is the same maths without that hazard.
     *
     * @param loss (output, labels) → scalar mean loss
     */
    double forwardBackward(PaddedBatch batch, BinaryOperator<NDArray> loss) {
        try (NDManager scope = manager.newSubManager()) {
            NDList inputs = batch.inputs(scope);
            NDArray labels = batch.labels(scope);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray output = model.forward(parameterStore, inputs, true).singletonOrThrow();
                NDArray value = loss.apply(output, labels);
                collector.backward(value);
                pendingBatches++;
                return value.getFloat();
            }
        }
    }

    /**
     * Clips, updates and zeroes the gradients; the learning rate follows the schedule. A step
     * whose gradients are not finite is skipped (gradients zeroed, weights untouched, schedule
     * advanced), as mixed-precision trainers do, and logged with the offending tensors; more than
     * {@link #maxSkippedSteps()} such steps stop the run. The in-place updates run with gradient
     * recording off, which a thread other than the engine's does not have by default.
     */
    Step step() {
        return NoGradient.call(this::update);
    }

    private Step update() {
        double lr = schedule.learningRate(steps);
        try (NDManager scratch = manager.newSubManager()) {
            List<NDArray> grads = optimizer.gradients(scratch);
            if (pendingBatches > 1) {
                float mean = 1f / pendingBatches;
                for (NDArray grad : grads) {
                    grad.muli(mean);
                }
            }
            pendingBatches = 0;
            double norm = config.maxGradNorm() > 0
                    ? GlobalNormClipper.clip(grads, config.maxGradNorm())
                    : GlobalNormClipper.norm(grads);
            steps++;
            if (!Double.isFinite(norm)) {
                List<String> bad = optimizer.nonFinite(grads);
                optimizer.zeroGradients(grads);
                skipped++;
                LOG.warn("step {}: gradient norm is {}, step skipped ({} of at most {}); non-finite: {}",
                        steps, norm, skipped, maxSkippedSteps(), bad);
                if (skipped > maxSkippedSteps()) {
                    throw new IllegalStateException("training diverged: " + skipped + " steps had non-finite gradients, "
                            + "last at step " + steps + " in " + bad + "; lower the learning rate");
                }
                return new Step(steps, lr, norm);
            }
            optimizer.step(lr, grads, scratch);
            return new Step(steps, lr, norm);
        }
    }

    /** Non-finite steps tolerated before the run is stopped: 1% of all steps, at least 3. */
    int maxSkippedSteps() {
        return Math.max(3, schedule.totalSteps() / 100);
    }

    int skippedSteps() {
        return skipped;
    }

    int warmupSteps() {
        return schedule.warmupSteps();
    }

    int totalSteps() {
        return schedule.totalSteps();
    }

    long trainableWeights() {
        return optimizer.trainableWeights();
    }

    @Override
    public void close() {
        optimizer.close();
    }
}
