package dev.sentiflow.inference.rollout;

import dev.sentiflow.avro.RolloutAction;
import dev.sentiflow.inference.models.ModelRegistry.ShadowRole;
import dev.sentiflow.modeldata.metrics.ConfusionMatrix;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares each model's champion with its shadow on the labeled rows both scored, and once the
 * {@link RolloutPolicy} decides, hands the decision back as a proposal for the live-metrics topic.
 * Nothing changes here: the proposal is written in the batch's transaction, and only once committed
 * does the {@link RolloutApplier} of every instance apply it (the first committed proposal on a
 * version counts, whichever instance made it). One tally per model name and (champion, shadow) pair;
 * a new pair (a new challenger, a promotion) starts from zero. Safe on every stream thread: the
 * tallies of all tasks of this instance add up.
 */
public final class Rollouts {

    private static final Logger LOG = LoggerFactory.getLogger(Rollouts.class);

    private record Pair(long champion, long shadow, ShadowRole role) {}

    /**
     * How long a proposal may take to come back committed before it is made again: its transaction may
     * have aborted (a crash, a fenced task), which loses it. Far above a commit interval, so a committed
     * proposal nearly always changes the pair first.
     */
    static final Duration PROPOSE_AGAIN_AFTER = Duration.ofSeconds(30);

    private static final class Tally {
        final ConfusionMatrix champion;
        final ConfusionMatrix shadow;
        final Instant since;
        Instant proposedAt;

        Tally(List<String> labels, Instant since) {
            this.champion = new ConfusionMatrix(labels);
            this.shadow = new ConfusionMatrix(labels);
            this.since = since;
        }
    }

    private final RolloutPolicy policy;
    private final Clock clock;
    private final Map<String, Map.Entry<Pair, Tally>> tallies = new HashMap<>();

    public Rollouts(RolloutPolicy policy, Clock clock) {
        this.policy = policy;
        this.clock = clock;
    }

    /**
     * Adds labeled rows scored by both: class indices of the truth, the champion's and the shadow's
     * predictions. Returns a proposal when this call completed a decision, or when the last proposal on
     * this pair is {@link #PROPOSE_AGAIN_AFTER} old and the pair is still served (it did not commit).
     */
    public synchronized Optional<RolloutDecision> record(String model, long champion, long shadow, ShadowRole role,
            List<String> labels, int[] truth, int[] championPredicted, int[] shadowPredicted) {
        Pair pair = new Pair(champion, shadow, role);
        Map.Entry<Pair, Tally> current = tallies.get(model);
        if (current == null || !current.getKey().equals(pair)) {
            current = Map.entry(pair, new Tally(labels, clock.instant()));
            tallies.put(model, current);
        }
        Tally tally = current.getValue();
        for (int i = 0; i < truth.length; i++) {
            tally.champion.add(truth[i], championPredicted[i]);
            tally.shadow.add(truth[i], shadowPredicted[i]);
        }
        Instant now = clock.instant();
        if (tally.proposedAt != null && now.isBefore(tally.proposedAt.plus(PROPOSE_AGAIN_AFTER))) {
            return Optional.empty(); // proposed: waiting for it to come back committed
        }
        Optional<RolloutAction> action = policy.decide(role, tally.champion.total(), tally.champion.correct(),
                tally.shadow.correct());
        if (action.isEmpty()) {
            return Optional.empty();
        }
        RolloutDecision decision = role == ShadowRole.CHALLENGER
                ? new RolloutDecision(model, action.get(), shadow, champion, tally.shadow.total(),
                        tally.shadow.accuracy(), tally.shadow.macroF1(), tally.champion.accuracy(), tally.since)
                : new RolloutDecision(model, action.get(), champion, shadow, tally.champion.total(),
                        tally.champion.accuracy(), tally.champion.macroF1(), tally.shadow.accuracy(), tally.since);
        LOG.info("rollout of model {}: proposing {}{}", model, decision.sentence(), tally.proposedAt == null ? ""
                : " (again: the proposal of " + tally.proposedAt + " did not come back committed)");
        tally.proposedAt = now;
        return Optional.of(decision);
    }
}
