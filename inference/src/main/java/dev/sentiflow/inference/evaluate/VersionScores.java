package dev.sentiflow.inference.evaluate;

import dev.sentiflow.modeldata.metrics.ConfusionMatrix;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** One version's scores on a test set: overall and per domain. */
public record VersionScores(String model, long version, ConfusionMatrix overall, Map<String, ConfusionMatrix> perDomain) {

    /** Tallies predicted class indices against the test set's truth. */
    public static VersionScores of(String model, long version, List<String> labels, TestSet test, int[] predicted) {
        ConfusionMatrix overall = new ConfusionMatrix(labels);
        Map<String, ConfusionMatrix> perDomain = new TreeMap<>();
        for (int i = 0; i < test.size(); i++) {
            overall.add(test.truth()[i], predicted[i]);
            perDomain.computeIfAbsent(test.domains().get(i), d -> new ConfusionMatrix(labels))
                    .add(test.truth()[i], predicted[i]);
        }
        return new VersionScores(model, version, overall, perDomain);
    }

    /**
     * E.g. {@code default v2 test accuracy 0.9360, macro-F1 0.9350 on 605 (v1 0.9210)  amazon 0.9400/0.9398 (200) ...}:
     * the one line per version the command and the local stack print.
     */
    public String line(VersionScores previous) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s v%d test accuracy %.4f, macro-F1 %.4f on %d",
                model, version, overall.accuracy(), overall.macroF1(), overall.total()));
        if (previous != null) {
            line.append(String.format(Locale.ROOT, " (v%d %.4f, %.4f)", previous.version(),
                    previous.overall().accuracy(), previous.overall().macroF1()));
        }
        if (perDomain.size() > 1) {
            perDomain.forEach((domain, m) -> line.append(String.format(Locale.ROOT, "  %s %.4f/%.4f (%d)", domain,
                    m.accuracy(), m.macroF1(), m.total())));
        }
        return line.toString();
    }
}
