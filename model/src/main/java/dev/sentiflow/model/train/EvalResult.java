package dev.sentiflow.model.train;

import dev.sentiflow.modeldata.metrics.ConfusionMatrix;

/**
 * Scores of one pass over the evaluation set.
 *
 * @param loss mean cross-entropy per example
 * @param confusion true class × predicted class counts
 * @param samplesPerSecond evaluation throughput
 */
public record EvalResult(double loss, ConfusionMatrix confusion, double samplesPerSecond) {

    public double accuracy() {
        return confusion.accuracy();
    }

    public double macroF1() {
        return confusion.macroF1();
    }
}
