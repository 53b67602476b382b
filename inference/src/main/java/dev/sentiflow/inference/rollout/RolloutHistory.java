package dev.sentiflow.inference.rollout;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.RolloutAction;
import dev.sentiflow.schemas.registry.RegistryUnavailableException;
import dev.sentiflow.schemas.serde.RecordDecoder;
import dev.sentiflow.schemas.topic.ReadToEnd;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
     * missing topic is an empty history; a record that does not decode is skipped with a WARN; while
     * the registry does not answer, the read waits for it.
     */
    public static RolloutHistory read(Map<String, Object> clientSettings, String topic,
            RecordDecoder<LiveMetrics> values, Duration timeout) {
        Map<String, Object> props = new HashMap<>(clientSettings);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "sentiflow-inference-rollouts");
        List<LiveMetrics> decisions = new java.util.ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            ReadToEnd.read(consumer, topic, timeout, r -> {
                RecordDecoder.Decoded<LiveMetrics> decoded;
                try {
                    decoded = values.decode(r.topic(), r.value());
                } catch (RegistryUnavailableException e) {
                    return false;
                }
                if (decoded instanceof RecordDecoder.Ok<LiveMetrics> ok) {
                    if (ok.value().getAction() != null) {
                        decisions.add(ok.value());
                    }
                } else {
                    LOG.warn("skipping undecodable live-metrics record at {}-{}@{}: {}", r.topic(), r.partition(),
                            r.offset(), ((RecordDecoder.Bad<LiveMetrics>) decoded).detail());
                }
                return true;
            }).recordsOrThrow(topic, timeout);
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
