package dev.sentiflow.inference.rollout;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.RolloutAction;
import dev.sentiflow.inference.models.ModelRegistry;
import dev.sentiflow.schemas.checkpoint.CheckpointSigner;
import dev.sentiflow.schemas.live.RolloutLedger;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies rollout decisions to the {@link ModelRegistry} once they are committed: it is fed the
 * live-metrics topic, read {@code read_committed} from the beginning, and the {@link RolloutLedger}
 * says which decision counts (the first committed one of its kind on a version, whichever instance
 * proposed it). So every instance serves the same versions, a proposal whose transaction aborted never
 * takes effect, and a restart replays the same decisions in the same order. A decision on a version
 * this instance has not loaded yet is remembered: {@link #decided} tells the checkpoint intake when the
 * version arrives. Runs on the models follower's thread only.
 */
public final class RolloutApplier {

    private static final Logger LOG = LoggerFactory.getLogger(RolloutApplier.class);

    private final RolloutLedger ledger;
    private final ModelRegistry registry;
    private long applied;
    private long duplicates;

    /** Takes every decision: no signing key. */
    public RolloutApplier(ModelRegistry registry) {
        this(registry, Optional.empty());
    }

    /** @param verifier when present, a decision without a valid signature under its key is ignored */
    public RolloutApplier(ModelRegistry registry, Optional<CheckpointSigner> verifier) {
        this.registry = registry;
        this.ledger = new RolloutLedger(verifier);
    }

    /** Takes one committed live-metrics record read at {@code source}; serving windows pass through unused. */
    public void take(LiveMetrics m, String source) {
        if (m.getAction() == null) {
            return;
        }
        String model = m.getModelName();
        long version = m.getModelVersion();
        Optional<String> refusal = ledger.refusal(m);
        if (refusal.isPresent()) {
            ledger.take(m); // counted
            if (ledger.refused() <= 100) {
                LOG.warn("rollout of model {}: {} v{} at {} ignored: {} (a signing key is set, and only a decision "
                        + "signed with it may change what is served)", model, m.getAction(), version, source,
                        refusal.get());
            }
            return;
        }
        Optional<RolloutAction> counts = ledger.take(m);
        if (counts.isEmpty()) {
            duplicates++;
            LOG.info("rollout of model {}: a later proposal ({} v{} at {}) ignored: the first committed decision on "
                    + "v{} was {}", model, m.getAction(), version, source, version,
                    ledger.decided(model, version).orElseThrow());
            return;
        }
        boolean done = switch (counts.get()) {
            case PROMOTED -> registry.promote(model, version);
            case REJECTED -> registry.reject(model, version);
            case ROLLED_BACK -> registry.rollBack(model, version);
            case CONFIRMED -> registry.confirm(model, version);
        };
        if (done) {
            applied++;
            LOG.info("rollout of model {}: {} (committed at {}); now serving v{}", model, m.getDecision(), source,
                    registry.version(model).orElse(0));
        } else {
            LOG.info("rollout of model {}: {} (committed at {}); recorded: the versions served here do not match it "
                    + "now, so it applies when v{} is loaded, if ever", model, m.getDecision(), source, version);
        }
    }

    /** The decision that counts on {@code version} of {@code model}, if one was committed. */
    public Optional<RolloutAction> decided(String model, long version) {
        return ledger.decided(model, version);
    }

    /** Decisions that changed what is served here. */
    public long applied() {
        return applied;
    }

    /** Decisions ignored for their signature (unsigned, forged, another key's). */
    public long refused() {
        return ledger.refused();
    }

    /** Later proposals on an already decided version, ignored. */
    public long duplicates() {
        return duplicates;
    }
}
