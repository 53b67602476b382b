package dev.sentiflow.schemas.topic;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** The largest record a topic takes, as the cluster says: its {@code max.message.bytes}, defaults included. */
public final class TopicMessageLimit {

    private TopicMessageLimit() {}

    /**
     * Waits out a topic created a moment ago (its metadata may not have reached every broker yet).
     *
     * @return empty when the principal may not read topic configs ({@code DESCRIBE_CONFIGS}), the
     *     topic still does not exist after {@code timeout}, or the broker does not say
     * @throws Exception when the cluster cannot be asked (unreachable, or any other refusal)
     */
    public static OptionalInt maxMessageBytes(Admin client, String topic, Duration timeout) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                Map<ConfigResource, Config> configs = client.describeConfigs(List.of(resource)).all()
                        .get(left, TimeUnit.NANOSECONDS);
                ConfigEntry entry = configs.get(resource).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                return entry == null || entry.value() == null ? OptionalInt.empty()
                        : OptionalInt.of(Integer.parseInt(entry.value()));
            } catch (ExecutionException e) {
                if (e.getCause() instanceof AuthorizationException) {
                    return OptionalInt.empty();
                }
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                if (System.nanoTime() > deadline) {
                    return OptionalInt.empty();
                }
                Thread.sleep(200);
            }
        }
    }
}
