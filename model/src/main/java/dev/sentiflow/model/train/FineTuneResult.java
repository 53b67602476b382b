package dev.sentiflow.model.train;

import java.util.List;

/**
 * The outcome of a fine-tune. The model's trainable weights are those of {@link #bestEpoch()}.
 *
 * @param epochs per-epoch results, in order
 * @param stepLosses training loss of each optimizer step (the loss curve)
 * @param bestEpoch 1-based epoch with the lowest eval loss
 * @param stoppedEarly whether early stopping or the time budget ended the run before the last epoch
 */
public record FineTuneResult(List<EpochResult> epochs, List<Double> stepLosses, int bestEpoch, boolean stoppedEarly) {

    public FineTuneResult {
        epochs = List.copyOf(epochs);
        stepLosses = List.copyOf(stepLosses);
    }

    public EpochResult best() {
        return epochs.get(bestEpoch - 1);
    }
}
