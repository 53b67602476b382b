package dev.sentiflow.deploy.report;

import java.util.List;

/**
 * The confusion matrix of one served version on its labeled live predictions: {@code counts[t][p]}
 * predictions of true label {@code labels[t]} that said {@code labels[p]}.
 */
public record Confusion(String model, long version, List<String> labels, long[][] counts) {

    public Confusion {
        labels = List.copyOf(labels);
        if (counts.length != labels.size()) {
            throw new IllegalArgumentException(counts.length + " rows for " + labels.size() + " labels");
        }
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            if (counts[i].length != labels.size()) {
                throw new IllegalArgumentException("row " + i + " has " + counts[i].length + " cells for "
                        + labels.size() + " labels");
            }
            copy[i] = counts[i].clone();
        }
        counts = copy;
    }

    public long count(int trueLabel, int predicted) {
        return counts[trueLabel][predicted];
    }

    public long rowTotal(int trueLabel) {
        long sum = 0;
        for (long c : counts[trueLabel]) {
            sum += c;
        }
        return sum;
    }

    public long total() {
        long sum = 0;
        for (int t = 0; t < counts.length; t++) {
            sum += rowTotal(t);
        }
        return sum;
    }
}
