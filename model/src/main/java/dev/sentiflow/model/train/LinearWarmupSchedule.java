package dev.sentiflow.model.train;

/**
 * Hugging Face's {@code get_linear_schedule_with_warmup}: the learning rate rises linearly
 * from 0 to the peak over the warm-up steps, then falls linearly to 0 at the last step.
 * Step indices are 0-based optimizer steps, so as in Hugging Face the very first update uses
 * learning rate 0 when there is any warm-up.
 */
public final class LinearWarmupSchedule {

    private final double peak;
    private final int warmupSteps;
    private final int totalSteps;

    public LinearWarmupSchedule(double peak, int warmupSteps, int totalSteps) {
        if (totalSteps < 1 || warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException(
                    "schedule needs 0 <= warmupSteps <= totalSteps and totalSteps >= 1, got warmup "
                            + warmupSteps + ", total " + totalSteps);
        }
        this.peak = peak;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    /** Learning rate for the optimizer step with this 0-based index. */
    public double learningRate(int step) {
        if (step < warmupSteps) {
            return peak * step / Math.max(1, warmupSteps);
        }
        return peak * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    }

    public int warmupSteps() {
        return warmupSteps;
    }

    public int totalSteps() {
        return totalSteps;
    }
}
