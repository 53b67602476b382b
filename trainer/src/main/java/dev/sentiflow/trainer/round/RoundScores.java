package dev.sentiflow.trainer.round;

import dev.sentiflow.modeldata.metrics.ConfusionMatrix;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A model's scores on one evaluation set: overall, per domain, and those of the majority-class
 * baseline (always predicting the most frequent true class of the set), which a first model with
 * no champion to beat has to beat instead. Built from predictions with {@link #of}; the gate
 * compares two of these computed on the same examples.
 *
 * @param perDomain domains in name order
 */
public record RoundScores(Scores overall, Map<String, Scores> perDomain, Scores majorityBaseline) {

    public RoundScores {
        perDomain = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(new TreeMap<>(perDomain)));
    }

    /**
     * @param labels class names in index order
     * @param examples the evaluation set as the model scored it; must not be empty
     */
    public static RoundScores of(List<String> labels, List<ScoredExample> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("cannot score an empty evaluation set");
        }
        ConfusionMatrix overall = new ConfusionMatrix(labels);
        Map<String, ConfusionMatrix> domains = new TreeMap<>();
        for (ScoredExample example : examples) {
            overall.add(example.trueLabel(), example.predicted());
            domains.computeIfAbsent(example.domain(), d -> new ConfusionMatrix(labels))
                    .add(example.trueLabel(), example.predicted());
        }
        Map<String, Scores> perDomain = new LinkedHashMap<>();
        domains.forEach((domain, matrix) -> perDomain.put(domain, Scores.of(matrix)));
        return new RoundScores(Scores.of(overall), perDomain, majorityBaseline(overall));
    }

    /** The confusion matrix of always predicting the most frequent true class (lowest index on a tie). */
    private static Scores majorityBaseline(ConfusionMatrix scored) {
        int classes = scored.numClasses();
        long[] support = new long[classes];
        int majority = 0;
        for (int actual = 0; actual < classes; actual++) {
            for (int predicted = 0; predicted < classes; predicted++) {
                support[actual] += scored.count(actual, predicted);
            }
            if (support[actual] > support[majority]) {
                majority = actual;
            }
        }
        ConfusionMatrix baseline = new ConfusionMatrix(scored.labels());
        for (int actual = 0; actual < classes; actual++) {
            for (long i = 0; i < support[actual]; i++) {
                baseline.add(actual, majority);
            }
        }
        return Scores.of(baseline);
    }
}
