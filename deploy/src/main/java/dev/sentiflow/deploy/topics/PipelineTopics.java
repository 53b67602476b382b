package dev.sentiflow.deploy.topics;

import dev.sentiflow.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pipeline's topics and their settings: the one place they are declared.
 *
 * <ul>
 *   <li>Data topics ({@code reviews}, {@code reviews.tokenized}, {@code predictions},
 *       {@code reviews.dlq}) get the caller's partition count (default 2): ingest and inference
 *       scale out up to it. Data is kept 7 days; dead letters 30, so an operator has time to look.</li>
 *   <li>{@code models} has one partition (one ordered history per model, read whole by every
 *       inference instance), is compacted (it keeps each model's current chunks forever without
 *       growing each round) and accepts records up to 2 MiB: the trainer's chunks carry at most
 *       900 KiB of payload plus a header.</li>
 *   <li>{@code training.metrics} and {@code metrics.live} have one partition (ordered, small) and
 *       are kept 30 days.</li>
 * </ul>
 */
public final class PipelineTopics {

    public static final int DEFAULT_DATA_PARTITIONS = 2;
    /** Fits a 900 KiB checkpoint chunk ({@code CheckpointChunker.DEFAULT_MAX_CHUNK_BYTES}) with room for the header. */
    public static final int MODELS_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
    static final Duration DATA_RETENTION = Duration.ofDays(7);
    static final Duration DLQ_RETENTION = Duration.ofDays(30);
    static final Duration METRICS_RETENTION = Duration.ofDays(30);

    private PipelineTopics() {
    }

    /** Every topic, in data-flow order. */
    public static List<TopicSpec> plan(int dataPartitions, Optional<Short> replicationFactor) {
        Map<String, String> data = Map.of("cleanup.policy", "delete", "retention.ms", millis(DATA_RETENTION));
        Map<String, String> dlq = Map.of("cleanup.policy", "delete", "retention.ms", millis(DLQ_RETENTION));
        Map<String, String> metrics = Map.of("cleanup.policy", "delete", "retention.ms", millis(METRICS_RETENTION));
        Map<String, String> models = Map.of("cleanup.policy", "compact",
                "max.message.bytes", String.valueOf(MODELS_MAX_MESSAGE_BYTES));
        return List.of(
                new TopicSpec(Topics.REVIEWS, dataPartitions, replicationFactor, data),
                new TopicSpec(Topics.REVIEWS_TOKENIZED, dataPartitions, replicationFactor, data),
                new TopicSpec(Topics.REVIEWS_DLQ, dataPartitions, replicationFactor, dlq),
                new TopicSpec(Topics.PREDICTIONS, dataPartitions, replicationFactor, data),
                new TopicSpec(Topics.PREDICTIONS_DLQ, dataPartitions, replicationFactor, dlq),
                new TopicSpec(Topics.MODELS, 1, replicationFactor, models),
                new TopicSpec(Topics.TRAINING_METRICS, 1, replicationFactor, metrics),
                new TopicSpec(Topics.LIVE_METRICS, 1, replicationFactor, metrics));
    }

    private static String millis(Duration duration) {
        return String.valueOf(duration.toMillis());
    }
}
