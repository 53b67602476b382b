package dev.sentiflow.schemas;

/**
 * Topic names of the pipeline, in data-flow order. Services take them from config with these as
 * defaults, so one cluster can host several pipelines under different names.
 */
public final class Topics {

    /** Producers write {@code Review} records here. */
    public static final String REVIEWS = "reviews";
    /** Ingest writes {@code TokenizedReview} records here. */
    public static final String REVIEWS_TOKENIZED = "reviews.tokenized";
    /** Ingest writes {@code DeadLetter} records here: every input it could not accept, with the reason. */
    public static final String REVIEWS_DLQ = "reviews.dlq";
    /** Inference writes {@code Prediction} records here. */
    public static final String PREDICTIONS = "predictions";
    /** Inference writes {@code DeadLetter} records here: inputs it could not score (e.g. ids from another tokenizer). */
    public static final String PREDICTIONS_DLQ = "predictions.dlq";
    /** The trainer publishes {@code ModelCheckpoint} chunks here. */
    public static final String MODELS = "models";
    /** The trainer publishes {@code TrainingMetrics} here. */
    public static final String TRAINING_METRICS = "training.metrics";
    /** Inference publishes {@code LiveMetrics} here: live accuracy per model version and domain; the trainer reads it for drift. */
    public static final String LIVE_METRICS = "metrics.live";

    private Topics() {
    }
}
