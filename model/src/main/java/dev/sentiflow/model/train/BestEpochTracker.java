package dev.sentiflow.model.train;

/**
 * Keeps track of the epoch with the lowest eval loss and decides early stopping: stop once
 * {@code patience} epochs in a row have not improved on the best (patience 0 never stops).
 */
public final class BestEpochTracker {

    private final int patience;
    private double bestLoss = Double.POSITIVE_INFINITY;
    private int bestEpoch;
    private int lastEpoch;

    public BestEpochTracker(int patience) {
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be >= 0, got " + patience);
        }
        this.patience = patience;
    }

    /** Records an epoch's eval loss; returns whether it is the new best (strictly lower). */
    public boolean record(int epoch, double evalLoss) {
        lastEpoch = epoch;
        if (evalLoss < bestLoss) {
            bestLoss = evalLoss;
            bestEpoch = epoch;
            return true;
        }
        return false;
    }

    public boolean shouldStop() {
        return patience > 0 && lastEpoch - bestEpoch >= patience;
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    public double bestLoss() {
        return bestLoss;
    }
}
