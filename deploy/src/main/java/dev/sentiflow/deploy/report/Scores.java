package dev.sentiflow.deploy.report;

/** Accuracy and macro-F1 over {@code count} labeled examples (held-out or live). */
public record Scores(long count, double accuracy, double macroF1) {
}
