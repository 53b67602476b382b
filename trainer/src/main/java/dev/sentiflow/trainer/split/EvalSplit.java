package dev.sentiflow.trainer.split;

import dev.sentiflow.text.data.StableSplit;

/**
 * Which labeled records the trainer holds out for evaluation: a stable hash of the record id (see
 * {@link StableSplit}), so a record is on the same side in every round, after every restart and on
 * every trainer instance, and no round ever trains on the set its gate judges it by.
 */
public final class EvalSplit {

    /** One record in ten is held out, as the notebooks' 90/10 split. */
    public static final double DEFAULT_EVAL_SHARE = 0.1;

    private final StableSplit split;
    private final double evalShare;

    public EvalSplit() {
        this(DEFAULT_EVAL_SHARE);
    }

    /** @param evalShare the held-out fraction, in (0, 1) */
    public EvalSplit(double evalShare) {
        this.split = new StableSplit(evalShare);
        this.evalShare = evalShare;
    }

    /** True when the record with this id belongs to the evaluation set. */
    public boolean isEval(String recordId) {
        return split.isEval(recordId);
    }

    public boolean isTrain(String recordId) {
        return !isEval(recordId);
    }

    public double evalShare() {
        return evalShare;
    }
}
