package dev.sentiflow.trainer.trigger;

/** Why a training round started. */
public enum TriggerReason {
    /** Enough new labeled training examples arrived since the last round. */
    VOLUME,
    /** Some new examples, but not a full round's worth, and the longest wait between rounds passed. */
    MAX_WAIT,
    /** The serving model's live accuracy fell clearly below what it was published with. */
    DRIFT
}
