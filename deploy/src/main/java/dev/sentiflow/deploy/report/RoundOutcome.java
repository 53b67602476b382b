package dev.sentiflow.deploy.report;

import java.time.Instant;
import java.util.Map;

/**
 * A training round as its ROUND record on {@code training.metrics} tells it: why it ran, what it
 * trained on, how the candidate scored on the held-out set (overall and per domain), and the gate's
 * decision with its reason and table.
 *
 * @param round the version the round would publish (and did, when {@link #published()})
 * @param decision {@code PUBLISH} or {@code REFUSE} as the trainer wrote it
 * @param champion the version it was judged against, e.g. {@code v1}, or {@code none}
 * @param table the gate's per-domain table, fixed-width text
 */
public record RoundOutcome(String model, long round, int attempt, Instant at, String trigger, String triggerDetail,
        String champion, String decision, String reason, String table, Scores heldOut, Map<String, Scores> perDomain,
        long trainExamples, double wallSeconds, double trainSamplesPerSecond) {

    public RoundOutcome {
        perDomain = Map.copyOf(perDomain);
    }

    public boolean published() {
        return "PUBLISH".equals(decision);
    }
}
