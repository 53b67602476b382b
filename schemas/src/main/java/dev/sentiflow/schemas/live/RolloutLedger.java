package dev.sentiflow.schemas.live;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.RolloutAction;
import dev.sentiflow.schemas.checkpoint.CheckpointSigner;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The rollout decisions that count, as the live-metrics topic holds them once committed. Every
 * inference instance tallies its own partitions' labeled rows and proposes a decision when its tally
 * is complete, so several proposals may reach the topic for one challenger, and they may disagree.
 * The first committed one wins for the whole app: the topic is keyed by model name, so the proposals
 * on one model are in one partition, in one order that every reader sees, and every reader (each
 * inference instance, the trainer, the report) applies the same rule to the same order.
 *
 * <p>A version has two decisions at most: whether it is taken (PROMOTED or REJECTED, on a challenger)
 * and, once promoted, whether it stays (CONFIRMED or ROLLED_BACK). The first of each pair counts;
 * later ones of the same pair are duplicates. Not thread-safe: one reader thread feeds it.
 */
public final class RolloutLedger {

    private record Key(String model, long version) {}

    private final Map<Key, RolloutAction> taken = new HashMap<>();
    private final Map<Key, RolloutAction> kept = new HashMap<>();
    private final Optional<CheckpointSigner> verifier;
    private long refused;

    /** A ledger that takes every decision: for readers without the signing key (the report). */
    public RolloutLedger() {
        this(Optional.empty());
    }

    /** @param verifier when present, a decision without its valid signature is refused: it never counts */
    public RolloutLedger(Optional<CheckpointSigner> verifier) {
        this.verifier = verifier;
    }

    /** Why {@code m}, a decision, may not count: unsigned, forged, signed with another key; empty when it may. */
    public Optional<String> refusal(LiveMetrics m) {
        if (m.getAction() == null || verifier.isEmpty()) {
            return Optional.empty();
        }
        return switch (verifier.get().verifyDecision(m)) {
            case VALID -> Optional.empty();
            case UNSIGNED -> Optional.of("it is not signed");
            case WRONG_KEY -> Optional.of("it is signed with another key");
            case MALFORMED -> Optional.of("its signature is malformed");
            case FORGED -> Optional.of("its signature does not match it (forged or altered)");
        };
    }

    /** Decisions refused for their signature. */
    public long refused() {
        return refused;
    }

    /**
     * Takes one record of the live-metrics topic, in topic order. Returns its action when it is a
     * decision that counts (the first of its pair on its version); empty for a serving window, for a
     * duplicate or contradicting later proposal, and for a decision {@link #refusal refused}.
     */
    public Optional<RolloutAction> take(LiveMetrics m) {
        RolloutAction action = m.getAction();
        if (action == null) {
            return Optional.empty();
        }
        if (refusal(m).isPresent()) {
            refused++;
            return Optional.empty();
        }
        Key key = new Key(m.getModelName(), m.getModelVersion());
        Map<Key, RolloutAction> pair = isTakenDecision(action) ? taken : kept;
        return pair.putIfAbsent(key, action) == null ? Optional.of(action) : Optional.empty();
    }

    /** The decision that counts on {@code version} of {@code model}: whether it stays if decided, else whether it was taken. */
    public Optional<RolloutAction> decided(String model, long version) {
        Key key = new Key(model, version);
        return Optional.ofNullable(kept.getOrDefault(key, taken.get(key)));
    }

    /** Whether inference serves {@code version} as champion, given how it was published and what was decided on it. */
    public boolean serves(String model, long version, boolean publishedAsChampion) {
        Optional<RolloutAction> decided = decided(model, version);
        if (decided.isEmpty()) {
            return publishedAsChampion;
        }
        return decided.get() == RolloutAction.PROMOTED || decided.get() == RolloutAction.CONFIRMED;
    }

    /** Decisions that count, of both kinds. */
    public int size() {
        return taken.size() + kept.size();
    }

    private static boolean isTakenDecision(RolloutAction action) {
        return action == RolloutAction.PROMOTED || action == RolloutAction.REJECTED;
    }
}
