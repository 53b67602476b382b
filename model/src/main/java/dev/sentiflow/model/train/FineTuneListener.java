package dev.sentiflow.model.train;

/** Hooks for progress reporting; every method has a no-op default. */
public interface FineTuneListener {

    /** Once, before the first step: how many optimizer steps the run will take (early stopping may take fewer). */
    default void onStart(int totalSteps, int epochs, int trainExamples) {}

    /** After each optimizer step (1-based {@code step}). */
    default void onStep(int epoch, int step, double loss, double learningRate, double gradNorm) {}

    /** After each epoch's evaluation. */
    default void onEpoch(EpochResult result, boolean best) {}

    /** Every event to each of {@code listeners}, in order. */
    static FineTuneListener all(FineTuneListener... listeners) {
        java.util.List<FineTuneListener> all = java.util.List.of(listeners);
        return new FineTuneListener() {
            @Override
            public void onStart(int totalSteps, int epochs, int trainExamples) {
                all.forEach(l -> l.onStart(totalSteps, epochs, trainExamples));
            }

            @Override
            public void onStep(int epoch, int step, double loss, double learningRate, double gradNorm) {
                all.forEach(l -> l.onStep(epoch, step, loss, learningRate, gradNorm));
            }

            @Override
            public void onEpoch(EpochResult result, boolean best) {
                all.forEach(l -> l.onEpoch(result, best));
            }
        };
    }
}
