package dev.sentiflow.trainer.round;

import dev.sentiflow.modeldata.metrics.ClassScores;
import dev.sentiflow.modeldata.metrics.ConfusionMatrix;

/**
 * Accuracy and macro-F1 of one set of predictions (all of an evaluation set, or one domain of it).
 *
 * <p>Macro-F1 averages the F1 of the classes that occur in the true labels or the predictions, as
 * scikit-learn's {@code f1_score(average="macro")} does when not given a label list. A domain's
 * slice often lacks a class (all its reviews positive); counting that class as F1 = 0 for both
 * models would only add noise to their comparison. A class that is predicted but never true still
 * counts, with F1 0, so predicting it wrongly costs.
 */
public record Scores(long count, double accuracy, double macroF1) {

    public static Scores of(ConfusionMatrix matrix) {
        double sum = 0;
        int present = 0;
        for (int c = 0; c < matrix.numClasses(); c++) {
            ClassScores scores = matrix.scores(c);
            long predicted = 0;
            for (int actual = 0; actual < matrix.numClasses(); actual++) {
                predicted += matrix.count(actual, c);
            }
            if (scores.support() > 0 || predicted > 0) {
                sum += scores.f1();
                present++;
            }
        }
        return new Scores(matrix.total(), matrix.accuracy(), present == 0 ? 0.0 : sum / present);
    }
}
