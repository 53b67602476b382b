package dev.sentiflow.trainer.gate;

import java.util.List;
import java.util.Locale;

/**
 * What the {@link Gate} decided about one candidate, and the numbers it decided on.
 *
 * @param rule the rule that decided, a short stable name for metrics and dashboards ({@link Rule})
 * @param reason one sentence naming the deciding scores (and the domain, when forgetting refused it)
 * @param overall the whole evaluation set, as a row named {@value #OVERALL}
 * @param rows per domain, in name order
 */
public record GateDecision(boolean publish, Rule rule, String reason, DomainRow overall, List<DomainRow> rows) {

    /** Which rule decided. */
    public enum Rule {
        /** First model, published: it beats the majority-class baseline. */
        BEATS_BASELINE,
        /** First model, refused: it does not beat the majority-class baseline. */
        BELOW_BASELINE,
        /** Published: not worse than the champion overall or in any judged domain. */
        NOT_WORSE,
        /** Refused: overall macro-F1 dropped beyond the tolerance. */
        OVERALL_DROP,
        /** Refused: catastrophic forgetting in a domain. */
        DOMAIN_FORGETTING
    }

    public static final String OVERALL = "(overall)";

    public GateDecision {
        rows = List.copyOf(rows);
    }

    /** A compact fixed-width table of the per-domain macro-F1 scores, for logs. */
    public String table() {
        List<DomainRow> all = new java.util.ArrayList<>();
        all.add(overall);
        all.addAll(rows);
        int width = "domain".length();
        for (DomainRow row : all) {
            width = Math.max(width, row.domain().length());
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s %7s %9s %9s %8s %s%n",
                "domain", "n", "champion", "candidate", "delta", "judged"));
        for (DomainRow row : all) {
            out.append(String.format(Locale.ROOT, "%-" + width + "s %7d %9s %9.4f %8s %s%n", row.domain(), row.count(),
                    row.champion().isPresent() ? String.format(Locale.ROOT, "%.4f", row.champion().getAsDouble()) : "-",
                    row.candidate(),
                    row.delta().isPresent() ? String.format(Locale.ROOT, "%+.4f", row.delta().getAsDouble()) : "-",
                    row.judged() ? "yes" : "no"));
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return (publish ? "PUBLISH: " : "REFUSE: ") + reason + System.lineSeparator() + table();
    }
}
