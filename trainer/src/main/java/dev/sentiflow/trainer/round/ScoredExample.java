package dev.sentiflow.trainer.round;

/**
 * One evaluation example as a model scored it.
 *
 * @param trueLabel class index of the example's label
 * @param predicted class index the model predicted
 */
public record ScoredExample(String domain, int trueLabel, int predicted) {}
