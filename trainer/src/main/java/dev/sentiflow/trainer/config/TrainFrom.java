package dev.sentiflow.trainer.config;

/** Where a round's training starts. */
public enum TrainFrom {
    /** From the current champion's weights (continual learning; the replay sample guards against forgetting). */
    CHAMPION,
    /** From the base model every round (slower to improve, immune to compounding drift). */
    BASE
}
