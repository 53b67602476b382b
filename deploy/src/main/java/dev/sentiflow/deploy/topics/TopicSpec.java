package dev.sentiflow.deploy.topics;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One topic as the pipeline wants it.
 *
 * @param replicationFactor empty = the broker's {@code default.replication.factor}
 * @param configs topic-level settings (cleanup.policy, retention.ms, max.message.bytes, ...)
 */
public record TopicSpec(String name, int partitions, Optional<Short> replicationFactor, Map<String, String> configs) {

    public TopicSpec {
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + " needs at least 1 partition, got " + partitions);
        }
        configs = Map.copyOf(configs);
    }

    /** The settings in name order, e.g. {@code cleanup.policy=compact, max.message.bytes=2097152}. */
    public String describeConfigs() {
        return String.join(", ", new TreeMap<>(configs).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).toList());
    }
}
