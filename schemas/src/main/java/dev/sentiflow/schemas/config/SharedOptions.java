package dev.sentiflow.schemas.config;

import java.util.Map;

/**
 * Names of options that more than one service declares, so a setting has one name everywhere (each
 * service still declares it once, with the doc line that fits its side), and the old names of
 * renamed options, so a refusal says what to write instead.
 */
public final class SharedOptions {

    /** Inference writes live accuracy there; the trainer reads it for drift. */
    public static final String TOPIC_METRICS_LIVE = "topic.metrics.live";
    /** Bytes a checkpoint reader holds while a version's chunks are still arriving. */
    public static final String CHECKPOINT_MAX_PENDING_BYTES = "checkpoint.max.pending.bytes";
    public static final long DEFAULT_MAX_PENDING_BYTES = 512L * 1024 * 1024;

    /** Old name → current name. */
    public static final Map<String, String> RENAMED = Map.of("topic.live.metrics", TOPIC_METRICS_LIVE);

    private SharedOptions() {
    }
}
