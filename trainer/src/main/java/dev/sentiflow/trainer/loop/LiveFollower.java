package dev.sentiflow.trainer.loop;

import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.schemas.live.LiveView;
import dev.sentiflow.schemas.registry.RegistryUnavailableException;
import dev.sentiflow.schemas.serde.RecordDecoder;
import dev.sentiflow.trainer.trigger.LiveObservation;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows inference's live windows on {@code metrics.live} (from where the read of its rollout history
 * ended, else from the end), adds up every task's window ({@link LiveView}) and reports the newest
 * serving version's live accuracy per model: what the drift trigger sees; hands on each committed
 * rollout decision. A record that is not a {@code LiveMetrics} is skipped and counted; while the registry
 * does not answer, the partition is read again from the same record at the next poll.
 */
public final class LiveFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveFollower.class);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final RecordDecoder<LiveMetrics> decoder;
    private final LiveView view = new LiveView();
    private long undecodable;

    public LiveFollower(Consumer<byte[], byte[]> consumer, String topic, RecordDecoder<LiveMetrics> decoder) {
        this.consumer = consumer;
        this.topic = topic;
        this.decoder = decoder;
    }

    /** Goes on from where the consumer stands when it is assigned (a read of the history), else from the end. */
    public void start() {
        if (!consumer.assignment().isEmpty()) {
            return;
        }
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
    }

    /**
     * Reads what arrived; {@code observed} gets (model, observation) for each update of a serving
     * version, {@code decided} each rollout decision.
     */
    public void poll(BiConsumer<String, LiveObservation> observed, java.util.function.Consumer<LiveMetrics> decided) {
        var records = consumer.poll(Duration.ZERO);
        for (TopicPartition tp : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                RecordDecoder.Decoded<LiveMetrics> decoded;
                try {
                    decoded = decoder.decode(r.topic(), r.value());
                } catch (RegistryUnavailableException e) {
                    // This record and the rest of its partition are read again at the next poll.
                    consumer.seek(tp, r.offset());
                    break;
                }
                if (decoded instanceof RecordDecoder.Bad<LiveMetrics> bad) {
                    if (undecodable++ < 100) {
                        LOG.warn("skipping undecodable live metrics record {}@{}: {}", tp, r.offset(), bad.detail());
                    }
                    continue;
                }
                LiveMetrics m = ((RecordDecoder.Ok<LiveMetrics>) decoded).value();
                if (m.getAction() != null) {
                    decided.accept(m);
                } else if (view.add(m)) {
                    // The newest serving version only: a late window of a replaced version is no drift of today's model.
                    view.newestVersion(m.getModelName()).flatMap(v -> view.of(m.getModelName(), v)).ifPresent(c ->
                            observed.accept(m.getModelName(),
                                    new LiveObservation(c.version(), c.labeledCount(), c.accuracy())));
                }
            }
        }
    }

    /** Records skipped because they are not a {@code LiveMetrics}. */
    public long undecodable() {
        return undecodable;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
