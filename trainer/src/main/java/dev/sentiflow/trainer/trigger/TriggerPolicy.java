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
 */
public record TriggerPolicy(int roundSize, int minExamples, Duration maxWait, double driftMargin, long driftMinLabeled) {

    public static final TriggerPolicy DEFAULTS = new TriggerPolicy(1000, 200, Duration.ofMinutes(10), 0.05, 200);

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
    }
}
