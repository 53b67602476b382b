package dev.sentiflow.deploy.report;

import dev.sentiflow.schemas.topic.ReadToEnd;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic once, as a bystander: every partition assigned (no consumer group, nothing
 * committed), from its start to its end at the call, {@code read_committed} (so a round or a batch
 * whose transaction aborted never shows, and an open transaction's records are not waited for).
 * Values reach the handler as bytes, so the caller decides what an undecodable record means.
 */
final class TopicReader implements AutoCloseable {

    /** How a read ended: records handed over, and whether the deadline cut it short. */
    record Read(boolean exists, long records, boolean complete) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration timeout;
    private Map<String, List<PartitionInfo>> topics;

    TopicReader(Map<String, Object> clientSettings, Duration timeout) {
        Map<String, Object> settings = new HashMap<>(clientSettings);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.timeout = timeout;
    }

    /** Hands every committed record of {@code topic}, up to its end at the call, to {@code handler}. */
    Read readAll(String topic, Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        if (topics == null) {
            topics = consumer.listTopics(timeout);
        }
        List<PartitionInfo> infos = topics.get(topic);
        if (infos == null || infos.isEmpty()) {
            return new Read(false, 0, true);
        }
        ReadToEnd.Result read = ReadToEnd.read(consumer, topic, timeout, record -> {
            handler.accept(record);
            return true;
        });
        return new Read(read.exists(), read.records(), read.complete());
    }

    @Override
    public void close() {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
