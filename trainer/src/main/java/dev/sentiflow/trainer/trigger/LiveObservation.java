package dev.sentiflow.trainer.trigger;

/**
 * The serving model's quality on live labeled traffic, as a {@code LiveMetrics} record reports it.
 *
 * @param labeledCount labeled records the accuracy was measured on
 */
public record LiveObservation(long version, long labeledCount, double accuracy) {}
