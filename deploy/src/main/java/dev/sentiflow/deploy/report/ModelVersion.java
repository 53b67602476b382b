package dev.sentiflow.deploy.report;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint still on the {@code models} topic (compaction keeps only each model's newest chunks,
 * so older versions may be gone): its kind, size, lineage parent and published scores.
 *
 * @param parentVersion the champion it was fine-tuned from; null when trained from the base
 */
public record ModelVersion(String model, long version, String kind, Instant createdAt, Long parentVersion,
        int chunks, long bytes, List<String> labels, Map<String, Double> metrics) {

    public ModelVersion {
        labels = List.copyOf(labels);
        metrics = Map.copyOf(metrics);
    }
}
