package dev.sentiflow.trainer.trigger;

import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Decides when one model's next training round starts, and why (see {@link TriggerReason}):
 *
 * <ul>
 *   <li>DRIFT when the serving version's live accuracy, measured over at least
 *       {@code driftMinLabeled} labeled records, is below the accuracy that version was published with
 *       by more than {@code driftMargin} plus {@code driftNoiseZ} standard errors of the difference
 *       (both accuracies are sample estimates: the published one over its evaluation set, the live one
 *       over its labeled records); only windows of the version inference serves count (a late window
 *       of a replaced version, or of a challenger, is not drift of today's model); once per drop: not
 *       again until a round has completed and a fresh observation still shows it;
 *   <li>VOLUME when {@code roundSize} new labeled training examples arrived since the last round;
 *   <li>MAX_WAIT when at least {@code minExamples} arrived and {@code maxWait} passed since the last
 *       round ended (or since start).
 * </ul>
 *
 * When several hold, DRIFT wins (the most urgent, and the one worth recording), then VOLUME. No
 * round is proposed while one runs. Time is always passed in, never read from the clock here, so
 * the rules are tested without waiting and a replay gives the same decisions.
 *
 * <p>Lifecycle: {@link #check} (no side effects) → {@link #roundStarted} (examples arriving from now
 * on count towards the next round) → {@link #roundCompleted} (the wait restarts, drift is re-armed).
 * Not thread-safe.
 */
public final class RoundTrigger {

    /** Published accuracies remembered; the serving version is always among the newest. */
    static final int REMEMBERED_VERSIONS = 32;
    /** Differences this small are rounding: a drop of exactly the margin does not count as drift. */
    private static final double EPSILON = 1e-9;

    private final TriggerPolicy policy;
    /** A version's accuracy at publication and how many evaluation examples it was measured on (0: unknown). */
    private record Published(double accuracy, long evalCount) {}

    private final TreeMap<Long, Published> publishedAccuracy = new TreeMap<>();
    private long serving = -1;
    private long newExamples;
    private long lastRoundEndMillis;
    private boolean running;
    private LiveObservation live;

    /** @param startMillis when the trainer started: the first MAX_WAIT counts from here */
    public RoundTrigger(TriggerPolicy policy, long startMillis) {
        this.policy = policy;
        this.lastRoundEndMillis = startMillis;
    }

    /** Counts new labeled training examples (not evaluation ones). */
    public void examplesArrived(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("example count must be >= 0, got " + count);
        }
        newExamples += count;
    }

    /**
     * Records the accuracy a version was published with (its checkpoint's {@code accuracy} metric) and
     * the evaluation examples it was measured on ({@code eval_examples}; 0 when unknown).
     */
    public void published(long version, double accuracy, long evalCount) {
        publishedAccuracy.put(version, new Published(accuracy, evalCount));
        while (publishedAccuracy.size() > REMEMBERED_VERSIONS) {
            publishedAccuracy.pollFirstEntry();
        }
    }

    /** The version inference serves now (the trainer's champion): only its live windows can show drift. */
    public void serving(long version) {
        this.serving = version;
    }

    /** Records the serving (champion) version's latest live accuracy; replaces the previous observation. */
    public void liveObserved(LiveObservation observation) {
        this.live = observation;
    }

    /** Whether a round should start now, and why; empty while a round runs or when nothing calls for one. */
    public Optional<Trigger> check(long nowMillis) {
        if (running) {
            return Optional.empty();
        }
        Optional<Trigger> drift = drift();
        if (drift.isPresent()) {
            return drift;
        }
        if (newExamples >= policy.roundSize()) {
            return Optional.of(new Trigger(TriggerReason.VOLUME, newExamples + " new labeled examples since the last round"
                    + " (round size " + policy.roundSize() + ")", OptionalLong.empty()));
        }
        long waited = nowMillis - lastRoundEndMillis;
        if (newExamples >= policy.minExamples() && waited >= policy.maxWait().toMillis()) {
            return Optional.of(new Trigger(TriggerReason.MAX_WAIT, newExamples + " new labeled examples (at least "
                    + policy.minExamples() + ") and " + waited / 1000 + " s since the last round (max wait "
                    + policy.maxWait().toSeconds() + " s)", OptionalLong.empty()));
        }
        return Optional.empty();
    }

    private Optional<Trigger> drift() {
        if (live == null || live.labeledCount() < policy.driftMinLabeled()
                || (serving >= 0 && live.version() != serving)) {
            return Optional.empty();
        }
        Published published = publishedAccuracy.get(live.version());
        if (published == null) {
            return Optional.empty();
        }
        double drop = published.accuracy() - live.accuracy();
        double noise = policy.driftNoiseZ() * standardError(published, live);
        if (drop <= policy.driftMargin() + noise + EPSILON) {
            return Optional.empty();
        }
        return Optional.of(new Trigger(TriggerReason.DRIFT, String.format(Locale.ROOT,
                "v%d live accuracy %.4f over %d labeled records is %.4f below its published %.4f%s (margin %.4f + "
                        + "noise %.4f)", live.version(), live.accuracy(), live.labeledCount(), drop,
                published.accuracy(), published.evalCount() > 0 ? " over " + published.evalCount() + " examples" : "",
                policy.driftMargin(), noise), OptionalLong.of(live.version())));
    }

    /** Standard error of the difference of two independent accuracy estimates (the published one may be of unknown size). */
    private static double standardError(Published published, LiveObservation live) {
        double p = published.accuracy();
        double q = live.accuracy();
        double variance = q * (1 - q) / live.labeledCount();
        if (published.evalCount() > 0) {
            variance += p * (1 - p) / published.evalCount();
        }
        return Math.sqrt(variance);
    }

    /**
     * The round {@code trigger} called for has started: its examples are taken, and nothing is proposed
     * (so no second DRIFT for the same drop) until {@link #roundCompleted}.
     */
    public void roundStarted(Trigger trigger) {
        if (running) {
            throw new IllegalStateException("a round is already running; call roundCompleted first");
        }
        running = true;
        newExamples = 0;
    }

    /**
     * The round ended (published or refused by the gate): the wait restarts, and drift may fire again,
     * but only on live numbers observed after this point: the observation that caused this round
     * cannot cause the next one.
     */
    public void roundCompleted(long nowMillis) {
        running = false;
        lastRoundEndMillis = nowMillis;
        live = null;
    }

    /** New examples counted towards the next round. */
    public long pendingExamples() {
        return newExamples;
    }

    public boolean roundRunning() {
        return running;
    }

    public TriggerPolicy policy() {
        return policy;
    }
}
