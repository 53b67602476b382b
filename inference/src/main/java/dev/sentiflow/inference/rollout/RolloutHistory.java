package dev.sentiflow.inference.rollout;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.RolloutAction;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rollout decisions taken before this app started, the last one per (model, version), read
 * once from the live-metrics topic before the models are: so a restart serves the promoted challenger
 * instead of comparing it again, and never brings back a rejected or rolled-back version. Decisions
 * older than the topic's retention are gone; such a challenger is then compared again from zero,
 * while the champion it challenged serves.
 */
public final class RolloutHistory {

    private static final Logger LOG = LoggerFactory.getLogger(RolloutHistory.class);

    private final Map<String, RolloutAction> decided;

    private RolloutHistory(Map<String, RolloutAction> decided) {
        this.decided = Map.copyOf(decided);
    }

    public static RolloutHistory none() {
        return new RolloutHistory(Map.of());
    }

    /** From decision records, in topic order (later decisions on a version win). */
    public static RolloutHistory of(List<LiveMetrics> records) {
        Map<String, RolloutAction> decided = new HashMap<>();
        for (LiveMetrics m : records) {
            if (m.getAction() != null) {
                decided.put(key(m.getModelName(), m.getModelVersion()), m.getAction());
            }
        }
        return new RolloutHistory(decided);
    }

    /**
     * Reads {@code topic} (read_committed, every partition, no group) up to where it ends now. A
     * missing topic is an empty history; a record that does not decode is skipped with a WARN.
     */
    public static RolloutHistory read(Map<String, Object> clientSettings, String topic,
            Deserializer<LiveMetrics> values, Duration timeout) {
        Map<String, Object> props = new HashMap<>(clientSettings);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "sentiflow-inference-rollouts");
        List<LiveMetrics> decisions = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                return none();
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read the rollout decisions on " + topic + " within "
                            + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        LiveMetrics m = values.deserialize(topic, r.value());
                        if (m != null && m.getAction() != null) {
                            decisions.add(m);
                        }
                    } catch (SerializationException e) {
                        LOG.warn("skipping undecodable live-metrics record at {}-{}@{}: {}", r.topic(), r.partition(),
                                r.offset(), e.getMessage());
                    }
                }
            }
        }
        RolloutHistory history = of(decisions);
        LOG.info("rollout decisions before start: {} on {}", history.decided.size(), topic);
        return history;
    }

    /** The last decision on {@code version} of {@code model}, if there was one. */
    public Optional<RolloutAction> decided(String model, long version) {
        return Optional.ofNullable(decided.get(key(model, version)));
    }

    private static String key(String model, long version) {
        return model + "\u0000" + version;
    }
}
