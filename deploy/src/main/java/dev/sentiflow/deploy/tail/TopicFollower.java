package dev.sentiflow.deploy.tail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads topics as a bystander: every partition assigned directly (no consumer group, so nothing is
 * committed and no service's group is disturbed), {@code read_committed} (the Streams apps write
 * under exactly-once, and aborted records must not show), raw bytes handed to a callback that
 * decodes them itself, so one undecodable record is reported instead of stopping the reader.
 * {@link #stop()} may be called from any thread, e.g. a shutdown hook on Ctrl-C.
 */
public final class TopicFollower implements AutoCloseable {

    /** Receives each record; returns false to stop following. */
    @FunctionalInterface
    public interface Handler {
        boolean accept(ConsumerRecord<byte[], byte[]> record);
    }

    private static final Duration PARTITION_WAIT = Duration.ofSeconds(30);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopped;

    public TopicFollower(Map<String, Object> clientSettings) {
        Map<String, Object> settings = new HashMap<>(clientSettings);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Follows the topics from their start or their end until the handler says stop or {@link #stop()}
     * is called; runs on the calling thread.
     */
    public void follow(Collection<String> topics, boolean fromBeginning, Handler handler) {
        try {
            List<TopicPartition> partitions = partitionsOf(topics);
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            while (!stopped) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (!handler.accept(record)) {
                        return;
                    }
                }
            }
        } catch (WakeupException e) {
            // stop() was called
        } finally {
            finished.countDown();
        }
    }

    /** Ends {@link #follow} soon (it returns from its current poll); waits a little for that. */
    public void stop() {
        stopped = true;
        consumer.wakeup();
        try {
            finished.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        consumer.close(java.time.Duration.ofSeconds(5));
    }

    private List<TopicPartition> partitionsOf(Collection<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, PARTITION_WAIT);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist (create it with ./pipeline topics)");
            }
            infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
        return partitions;
    }
}
