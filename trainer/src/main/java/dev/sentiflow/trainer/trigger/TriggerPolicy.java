package dev.sentiflow.trainer.trigger;

import java.time.Duration;

/**
 * The thresholds of {@link RoundTrigger}.
 *
 * @param roundSize new labeled training examples that start a round at once (VOLUME)
 * @param minExamples new examples needed before {@code maxWait} may start a smaller round (MAX_WAIT)
 * @param maxWait longest time between rounds while examples wait
 * @param driftMargin accuracy points the live accuracy may fall below the published one before DRIFT
 * @param driftMinLabeled labeled live records a live accuracy must cover to be trusted
 * @param driftNoiseZ standard errors of the difference between the published and the live accuracy
 *     that are sampling noise, not drift: both are measured on samples (the published one on the
 *     round's evaluation set, often a few dozen examples), so a drop counts only beyond the margin
 *     plus {@code driftNoiseZ} times its standard error; 0 = the margin alone
 */
public record TriggerPolicy(int roundSize, int minExamples, Duration maxWait, double driftMargin, long driftMinLabeled,
                            double driftNoiseZ) {

    /** One-sided 95%: a drop this far beyond the margin happens by chance one time in twenty. */
    public static final double DEFAULT_DRIFT_NOISE_Z = 1.645;
    public static final TriggerPolicy DEFAULTS = new TriggerPolicy(1000, 200, Duration.ofMinutes(10), 0.05, 200,
            DEFAULT_DRIFT_NOISE_Z);

    /** With the default noise allowance. */
    public TriggerPolicy(int roundSize, int minExamples, Duration maxWait, double driftMargin, long driftMinLabeled) {
        this(roundSize, minExamples, maxWait, driftMargin, driftMinLabeled, DEFAULT_DRIFT_NOISE_Z);
    }

    public TriggerPolicy {
        if (roundSize < 1) {
            throw new IllegalArgumentException("roundSize must be at least 1, got " + roundSize);
        }
        if (minExamples < 1) {
            throw new IllegalArgumentException("minExamples must be at least 1, got " + minExamples);
        }
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("maxWait must be positive, got " + maxWait);
        }
        if (!(driftMargin >= 0 && driftMargin < 1)) {
            throw new IllegalArgumentException("driftMargin must be in [0, 1), got " + driftMargin);
        }
        if (driftMinLabeled < 1) {
            throw new IllegalArgumentException("driftMinLabeled must be at least 1, got " + driftMinLabeled);
        }
        if (!(driftNoiseZ >= 0 && driftNoiseZ < 10)) {
            throw new IllegalArgumentException("driftNoiseZ must be in [0, 10), got " + driftNoiseZ);
        }
    }
}
