package dev.sentiflow.inference.rollout;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.LiveRole;
import dev.sentiflow.avro.RolloutAction;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * One rollout decision with the numbers it was taken on: {@code version} is the challenger (PROMOTED,
 * REJECTED) or the promoted version (ROLLED_BACK, CONFIRMED); {@code comparedVersion} the one it was
 * scored beside on the same {@code labeled} records.
 */
public record RolloutDecision(String model, RolloutAction action, long version, long comparedVersion, long labeled,
        double accuracy, double macroF1, double comparedAccuracy, Instant windowStart) {

    /** E.g. {@code PROMOTED default v3 over v2: accuracy 0.9100 vs 0.8900 on 200 labeled records}. */
    public String sentence() {
        String relation = switch (action) {
            case PROMOTED -> "over";
            case REJECTED -> "against";
            case ROLLED_BACK -> "to";
            case CONFIRMED -> "over its predecessor";
        };
        return String.format(Locale.ROOT, "%s %s v%d %s v%d: accuracy %.4f vs %.4f on %d labeled records", action,
                model, version,
                relation, comparedVersion, accuracy, comparedAccuracy, labeled);
    }

    /** The live-metrics record that carries it (role CHALLENGER: a decision record, not a serving window). */
    public LiveMetrics toLiveMetrics(Instant now) {
        return LiveMetrics.newBuilder().setModelName(model).setModelVersion(version).setRole(LiveRole.CHALLENGER)
                .setWindowStart(windowStart).setWindowEnd(now).setLabeledCount(labeled).setAccuracy(accuracy)
                .setMacroF1(macroF1).setPerDomain(Map.of()).setDecision(sentence()).setAction(action)
                .setComparedVersion(comparedVersion).setComparedAccuracy(comparedAccuracy).setCreatedAt(now).build();
    }
}
