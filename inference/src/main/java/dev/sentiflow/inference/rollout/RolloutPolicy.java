package dev.sentiflow.inference.rollout;

import dev.sentiflow.avro.RolloutAction;
import dev.sentiflow.inference.models.ModelRegistry.ShadowRole;
import java.util.Optional;

/**
 * When a comparison of the champion and its shadow on the same labeled records is decided. A
 * CHALLENGER is PROMOTED once {@code promotionMinLabeled} records are in and its accuracy is not
 * below the champion's by more than {@code promotionTolerance}, else REJECTED. A promoted version is
 * watched against its PREDECESSOR for {@code rollbackMinLabeled} records: ROLLED_BACK if it is below
 * by more than {@code rollbackMargin}, else CONFIRMED. Both sides always see the same records, so
 * traffic that gets harder or easier moves both scores alike.
 */
public record RolloutPolicy(int promotionMinLabeled, double promotionTolerance, int rollbackMinLabeled,
        double rollbackMargin) {

    /** 200 labeled records each way, a challenger may not be worse at all, a rollback below 5 points. */
    public static final RolloutPolicy DEFAULTS = new RolloutPolicy(200, 0.0, 200, 0.05);

    public RolloutPolicy {
        if (promotionMinLabeled < 1 || rollbackMinLabeled < 1) {
            throw new IllegalArgumentException("a rollout decision needs at least 1 labeled record, got "
                    + promotionMinLabeled + " / " + rollbackMinLabeled);
        }
        if (!(promotionTolerance >= 0 && promotionTolerance <= 1) || !(rollbackMargin >= 0 && rollbackMargin <= 1)) {
            throw new IllegalArgumentException("tolerance and margin are accuracy differences in [0, 1], got "
                    + promotionTolerance + " / " + rollbackMargin);
        }
    }

    /**
     * The decision for {@code labeled} records on which the champion was right {@code championCorrect}
     * times and the shadow {@code shadowCorrect} times; empty while too few are in.
     */
    public Optional<RolloutAction> decide(ShadowRole role, long labeled, long championCorrect, long shadowCorrect) {
        double champion = labeled == 0 ? 0 : championCorrect / (double) labeled;
        double shadow = labeled == 0 ? 0 : shadowCorrect / (double) labeled;
        if (role == ShadowRole.CHALLENGER) {
            if (labeled < promotionMinLabeled) {
                return Optional.empty();
            }
            // 1e-12: exact ties are "not worse" whatever the rounding of the two divisions.
            return Optional.of(shadow >= champion - promotionTolerance - 1e-12
                    ? RolloutAction.PROMOTED : RolloutAction.REJECTED);
        }
        if (labeled < rollbackMinLabeled) {
            return Optional.empty();
        }
        // Here the champion is the promoted version and the shadow its predecessor.
        return Optional.of(champion < shadow - rollbackMargin - 1e-12
                ? RolloutAction.ROLLED_BACK : RolloutAction.CONFIRMED);
    }
}
