package dev.sentiflow.deploy.faults;

import dev.sentiflow.schemas.topic.ReadToEnd;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * How often each record key appears on some topics, read to their ends with {@code read_committed}:
 * the accounting of review ids across predictions and dead letters that the fault tests and the soak
 * make, or the chunk keys on {@code models}.
 */
public final class KeyCounts {

    private KeyCounts() {
    }

    /**
     * @param client the client settings (brokers, security) of a consumer
     * @throws RuntimeException from the client when the broker cannot be read (callers polling an
     *     outage treat that as "not yet")
     */
    public static Map<String, Integer> of(Map<String, Object> client, List<String> topics, Duration timeout) {
        Map<String, Object> settings = new HashMap<>(client);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Integer> seen = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (String topic : topics) {
                ReadToEnd.read(consumer, topic, timeout, r -> {
                    if (r.key() != null) {
                        seen.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
                    }
                    return true;
                }).recordsOrThrow(topic, timeout);
            }
        }
        return seen;
    }
}
