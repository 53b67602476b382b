package dev.sentiflow.model.train;

import java.util.List;

/**
 * What domain adaptation did.
 *
 * @param stepLosses MLM loss of each optimizer step
 * @param epochLosses mean MLM loss of each epoch
 * @param heldOutLossBefore held-out MLM loss before adaptation (NaN without held-out texts)
 * @param heldOutLossAfter held-out MLM loss after adaptation (NaN without held-out texts)
 * @param samplesPerSecond training throughput
 */
public record MlmResult(List<Double> stepLosses, List<Double> epochLosses, double heldOutLossBefore,
        double heldOutLossAfter, double samplesPerSecond) {

    public MlmResult {
        stepLosses = List.copyOf(stepLosses);
        epochLosses = List.copyOf(epochLosses);
    }

    /** exp(held-out loss after): the adapted model's masked-token perplexity. */
    public double heldOutPerplexityAfter() {
        return Math.exp(heldOutLossAfter);
    }
}
