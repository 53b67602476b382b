package dev.sentiflow.model.train;

/** Hooks for progress reporting; every method has a no-op default. */
public interface FineTuneListener {

    /** After each optimizer step (1-based {@code step}). */
    default void onStep(int epoch, int step, double loss, double learningRate, double gradNorm) {}

    /** After each epoch's evaluation. */
    default void onEpoch(EpochResult result, boolean best) {}
}
