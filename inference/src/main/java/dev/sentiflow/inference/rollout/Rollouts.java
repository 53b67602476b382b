package dev.sentiflow.inference.rollout;

import dev.sentiflow.avro.RolloutAction;
import dev.sentiflow.inference.models.ModelRegistry;
import dev.sentiflow.inference.models.ModelRegistry.ShadowRole;
import dev.sentiflow.model.metrics.ConfusionMatrix;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares each model's champion with its shadow on the labeled rows both scored, and once the
 * {@link RolloutPolicy} decides, applies the decision to the {@link ModelRegistry} and hands it back
 * for the live-metrics topic. One tally per model name and (champion, shadow) pair; a new pair (a
 * new challenger, a promotion) starts from zero. Safe on every stream thread: the tallies of all
 * tasks of this instance add up, and each pair is decided once.
 */
public final class Rollouts {

    private static final Logger LOG = LoggerFactory.getLogger(Rollouts.class);

    private record Pair(long champion, long shadow, ShadowRole role) {}

    private static final class Tally {
        final ConfusionMatrix champion;
        final ConfusionMatrix shadow;
        final Instant since;
        boolean decided;

        Tally(List<String> labels, Instant since) {
            this.champion = new ConfusionMatrix(labels);
            this.shadow = new ConfusionMatrix(labels);
            this.since = since;
        }
    }

    private final RolloutPolicy policy;
    private final ModelRegistry registry;
    private final Clock clock;
    private final Map<String, Map.Entry<Pair, Tally>> tallies = new HashMap<>();

    public Rollouts(RolloutPolicy policy, ModelRegistry registry, Clock clock) {
        this.policy = policy;
        this.registry = registry;
        this.clock = clock;
    }

    /**
     * Adds labeled rows scored by both: class indices of the truth, the champion's and the shadow's
     * predictions. Returns the decision when this call completed one (it is already applied).
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
        if (tally.decided) {
            return Optional.empty(); // a batch that took the state before the decision applied
        }
        for (int i = 0; i < truth.length; i++) {
            tally.champion.add(truth[i], championPredicted[i]);
            tally.shadow.add(truth[i], shadowPredicted[i]);
        }
        Optional<RolloutAction> action = policy.decide(role, tally.champion.total(), tally.champion.correct(),
                tally.shadow.correct());
        if (action.isEmpty()) {
            return Optional.empty();
        }
        tally.decided = true;
        RolloutDecision decision = role == ShadowRole.CHALLENGER
                ? new RolloutDecision(model, action.get(), shadow, champion, tally.shadow.total(),
                        tally.shadow.accuracy(), tally.shadow.macroF1(), tally.champion.accuracy(), tally.since)
                : new RolloutDecision(model, action.get(), champion, shadow, tally.champion.total(),
                        tally.champion.accuracy(), tally.champion.macroF1(), tally.shadow.accuracy(), tally.since);
        boolean applied = switch (action.get()) {
            case PROMOTED -> registry.promote(model, shadow);
            case REJECTED -> registry.reject(model, shadow);
            case ROLLED_BACK -> registry.rollBack(model, champion);
            case CONFIRMED -> registry.confirm(model, champion);
        };
        if (!applied) {
            // The state moved on meanwhile (a newer checkpoint arrived): this comparison is moot.
            LOG.info("rollout of model {}: {} no longer applies (the served versions changed)", model,
                    decision.sentence());
            return Optional.empty();
        }
        LOG.info("rollout of model {}: {}", model, decision.sentence());
        return Optional.of(decision);
    }
}
