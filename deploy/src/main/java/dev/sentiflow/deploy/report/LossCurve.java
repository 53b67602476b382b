package dev.sentiflow.deploy.report;

import java.util.List;

/**
 * The loss curve of one training round: training loss per optimizer step (step 1 first) and the
 * evaluation loss after each epoch. {@code attempt} counts rounds that trained for the same version
 * (a refused round leaves the version number free, so the next round trains for it again).
 */
public record LossCurve(String model, long round, int attempt, List<Double> trainLoss, List<EvalLoss> evalLoss) {

    /** The evaluation after an epoch, at the optimizer step the epoch ended on. */
    public record EvalLoss(int epoch, long step, double loss) {
    }

    public LossCurve {
        trainLoss = List.copyOf(trainLoss);
        evalLoss = List.copyOf(evalLoss);
    }

    /** {@code default r2}, or {@code default r2 (attempt 2)}. */
    public String title() {
        return model + " r" + round + (attempt > 1 ? " (attempt " + attempt + ")" : "");
    }
}
