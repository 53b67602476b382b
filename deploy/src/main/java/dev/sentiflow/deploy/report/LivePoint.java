package dev.sentiflow.deploy.report;

import dev.sentiflow.avro.LiveMetrics;
import java.time.Instant;

/**
 * One {@code metrics.live} report: a served version's accuracy over its window of recent labeled
 * predictions, and the promotion or rollback taken on it, if any ({@code decision} null otherwise).
 */
public record LivePoint(String model, long version, String role, Instant at, long labeledCount, double accuracy,
        double macroF1, String decision) {

    public static LivePoint of(LiveMetrics m) {
        return new LivePoint(m.getModelName(), m.getModelVersion(), m.getRole().name(), m.getWindowEnd(),
                m.getLabeledCount(), m.getAccuracy(), m.getMacroF1(), m.getDecision());
    }
}
