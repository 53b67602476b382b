package dev.sentiflow.deploy.local;

import dev.sentiflow.avro.TrainingMetrics;
import java.util.Locale;
import java.util.Map;

/**
 * A training round's outcome in one line for the local console: the version, published or refused
 * (with the gate's reason), its evaluation scores beside the champion's, and what it cost. The full
 * record, per-domain table included, stays one {@code ./pipeline tail metrics} away.
 */
final class RoundLine {

    private RoundLine() {
    }

    static String of(TrainingMetrics round) {
        Map<String, Double> v = round.getValues();
        Map<String, String> l = round.getLabels();
        boolean published = "PUBLISH".equals(l.get("decision"));
        StringBuilder line = new StringBuilder("v").append(round.getRound()).append(published ? " PUBLISHED" : " REFUSED")
                .append(" (model ").append(round.getModelName()).append("): accuracy ").append(fixed(v.get("accuracy")))
                .append(", macro-F1 ").append(fixed(v.get("macro_f1")));
        if (v.containsKey("champion_macro_f1")) {
            line.append(" vs champion ").append(l.getOrDefault("champion", "?")).append(' ')
                    .append(fixed(v.get("champion_macro_f1")));
        }
        line.append(" on ").append(whole(v.get("eval_examples"))).append(" eval; ")
                .append(whole(v.get("train_examples"))).append(" trained in ").append(whole(v.get("wall_seconds")))
                .append(" s (").append(String.format(Locale.ROOT, "%.1f", orZero(v.get("train_samples_per_s"))))
                .append("/s); trigger ").append(l.getOrDefault("trigger", "?"));
        if (!published) {
            line.append("\n  refused because ").append(l.getOrDefault("reason", "(no reason recorded)"));
        }
        return line.toString();
    }

    private static String fixed(Double value) {
        return value == null ? "?" : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String whole(Double value) {
        return value == null ? "?" : String.valueOf(Math.round(value));
    }

    private static double orZero(Double value) {
        return value == null ? 0 : value;
    }
}
