package dev.sentiflow.modeldata.checkpoint;

/** What a checkpoint holds. */
public enum CheckpointKind {
    /** LoRA A/B plus the head modules trained whole; needs its exact base to be useful. */
    ADAPTER,
    /** Every parameter of the model. */
    FULL
}
