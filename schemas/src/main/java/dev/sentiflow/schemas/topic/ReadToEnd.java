package dev.sentiflow.schemas.topic;

import dev.sentiflow.schemas.failure.Backoff;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of a topic from the beginning to the end offsets it has when the read
 * starts (under {@code read_committed}, the last stable offsets: exactly what committed before),
 * handing each record over in partition order. A record the handler cannot take now (the registry
 * does not answer) is read again after a back-off; the deadline is for the broker's progress only,
 * so a registry outage is waited out, not turned into a failure. The one way every service, command
 * and report reads a topic to its end.
 */
public final class ReadToEnd {

    private static final Logger LOG = LoggerFactory.getLogger(ReadToEnd.class);

    /** Takes one record; false when it cannot be taken now and must be read again later. */
    @FunctionalInterface
    public interface Handler {
        boolean take(ConsumerRecord<byte[], byte[]> record);
    }

    /** How a read ended: whether the topic exists, records taken, and whether it reached the end in time. */
    public record Result(boolean exists, long records, boolean complete) {

        /** The records taken, or why the read is not whole. */
        public long recordsOrThrow(String topic, Duration timeout) {
            if (!complete) {
                throw new IllegalStateException("could not read " + topic + " to its end within " + timeout.toSeconds()
                        + " s (" + records + " records read)");
            }
            return records;
        }
    }

    private ReadToEnd() {
    }

    /**
     * @param consumer a consumer of raw bytes subscribed to nothing; it is assigned the topic's
     *     partitions and left assigned
     * @return how far it got: not complete when the broker made no progress within {@code timeout}
     */
    public static Result read(Consumer<byte[], byte[]> consumer, String topic, Duration timeout, Handler handler) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            return new Result(false, 0, true);
        }
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        Backoff backoff = new Backoff();
        long taken = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
            if (System.nanoTime() > deadline) {
                return new Result(true, taken, false);
            }
            ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
            for (TopicPartition tp : batch.partitions()) {
                for (ConsumerRecord<byte[], byte[]> r : batch.records(tp)) {
                    if (r.offset() >= end.get(tp)) {
                        break;
                    }
                    if (!handler.take(r)) {
                        Duration wait = backoff.onFailure(System.nanoTime());
                        LOG.warn("{}: {}@{} cannot be read now; reading it again in {} ms", topic, tp, r.offset(),
                                wait.toMillis());
                        sleep(wait);
                        consumer.seek(tp, r.offset());
                        deadline = System.nanoTime() + timeout.toNanos();
                        break;
                    }
                    taken++;
                }
            }
        }
        return new Result(true, taken, true);
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to read a topic again", e);
        }
    }
}
