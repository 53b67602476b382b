package dev.sentiflow.modeldata.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts of (true class, predicted class) pairs over an evaluation set, and the scores derived
 * from them. Rows are the true class, columns the prediction, as in scikit-learn.
 *
 * <p>A class that is never predicted gets precision 0 (scikit-learn's {@code zero_division=0}),
 * so macro-F1 punishes a model that ignores a class instead of skipping it.
 */
public final class ConfusionMatrix {

    private final List<String> labels;
    private final long[][] counts;

    public ConfusionMatrix(List<String> labels) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("a confusion matrix needs at least one class");
        }
        this.labels = List.copyOf(labels);
        this.counts = new long[labels.size()][labels.size()];
    }

    /** Builds the matrix from parallel arrays of true and predicted class indices. */
    public static ConfusionMatrix of(List<String> labels, int[] actual, int[] predicted) {
        if (actual.length != predicted.length) {
            throw new IllegalArgumentException(
                    "actual and predicted differ in length: " + actual.length + " vs " + predicted.length);
        }
        ConfusionMatrix matrix = new ConfusionMatrix(labels);
        for (int i = 0; i < actual.length; i++) {
            matrix.add(actual[i], predicted[i]);
        }
        return matrix;
    }

    public void add(int actual, int predicted) {
        checkClass(actual, "actual");
        checkClass(predicted, "predicted");
        counts[actual][predicted]++;
    }

    private void checkClass(int index, String what) {
        if (index < 0 || index >= labels.size()) {
            throw new IllegalArgumentException(
                    what + " class index " + index + " is outside 0.." + (labels.size() - 1) + " " + labels);
        }
    }

    public List<String> labels() {
        return labels;
    }

    public int numClasses() {
        return labels.size();
    }

    public long count(int actual, int predicted) {
        return counts[actual][predicted];
    }

    public long total() {
        long total = 0;
        for (long[] row : counts) {
            for (long c : row) {
                total += c;
            }
        }
        return total;
    }

    public long correct() {
        long correct = 0;
        for (int c = 0; c < counts.length; c++) {
            correct += counts[c][c];
        }
        return correct;
    }

    /** Fraction of examples predicted correctly; 0 for an empty matrix. */
    public double accuracy() {
        long total = total();
        return total == 0 ? 0.0 : (double) correct() / total;
    }

    /** Precision, recall, F1 and support of one class. */
    public ClassScores scores(int c) {
        long truePositives = counts[c][c];
        long predicted = 0;
        long support = 0;
        for (int i = 0; i < counts.length; i++) {
            predicted += counts[i][c];
            support += counts[c][i];
        }
        double precision = predicted == 0 ? 0.0 : (double) truePositives / predicted;
        double recall = support == 0 ? 0.0 : (double) truePositives / support;
        double f1 = precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
        return new ClassScores(labels.get(c), precision, recall, f1, support);
    }

    public List<ClassScores> perClass() {
        List<ClassScores> all = new ArrayList<>(labels.size());
        for (int c = 0; c < labels.size(); c++) {
            all.add(scores(c));
        }
        return all;
    }

    /** Unweighted mean of the per-class F1 scores. */
    public double macroF1() {
        double sum = 0;
        for (int c = 0; c < labels.size(); c++) {
            sum += scores(c).f1();
        }
        return sum / labels.size();
    }

    /** Copy of the raw counts, rows = true class. */
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    /** A fixed-width table for the console: rows are true classes, columns predictions. */
    public String format() {
        int width = 9;
        for (String label : labels) {
            width = Math.max(width, label.length() + 2);
        }
        for (long[] row : counts) {
            for (long c : row) {
                width = Math.max(width, Long.toString(c).length() + 2);
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(pad("true\\pred", width));
        for (String label : labels) {
            out.append(pad(label, width));
        }
        out.append('\n');
        for (int i = 0; i < labels.size(); i++) {
            out.append(pad(labels.get(i), width));
            for (int j = 0; j < labels.size(); j++) {
                out.append(pad(Long.toString(counts[i][j]), width));
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String pad(String text, int width) {
        return " ".repeat(Math.max(0, width - text.length())) + text;
    }
}
