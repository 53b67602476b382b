package dev.sentiflow.inference.rollout;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.RolloutAction;
import dev.sentiflow.inference.models.ModelRegistry;
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

    private final RolloutLedger ledger = new RolloutLedger();
    private final ModelRegistry registry;
    private long applied;
    private long duplicates;

    public RolloutApplier(ModelRegistry registry) {
        this.registry = registry;
    }

    /** Takes one committed live-metrics record read at {@code source}; serving windows pass through unused. */
    public void take(LiveMetrics m, String source) {
        if (m.getAction() == null) {
            return;
        }
        Optional<RolloutAction> counts = ledger.take(m);
        String model = m.getModelName();
        long version = m.getModelVersion();
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

    /** Later proposals on an already decided version, ignored. */
    public long duplicates() {
        return duplicates;
    }
}
