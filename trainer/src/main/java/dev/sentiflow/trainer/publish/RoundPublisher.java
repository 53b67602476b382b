package dev.sentiflow.trainer.publish;

import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.TrainingMetrics;
import dev.sentiflow.schemas.checkpoint.CheckpointKeys;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a round's output and the input offsets it consumed in ONE Kafka transaction: every chunk of
 * a checkpoint, the tombstones for chunk keys the previous version used and this one does not, the
 * round's training metrics, and {@code sendOffsetsToTransaction} for the consumer group. A reader
 * with {@code read_committed} therefore sees a whole version or nothing, and a trainer killed at any
 * point restarts from offsets that match what was published: no example lost, no version repeated.
 */
public final class RoundPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RoundPublisher.class);

    private final Producer<byte[], byte[]> producer;
    private final Serializer<ModelCheckpoint> checkpoints;
    private final Serializer<TrainingMetrics> metrics;
    private final String modelsTopic;
    private final String metricsTopic;

    /** @param producer a transactional producer; {@code initTransactions} is called here */
    public RoundPublisher(Producer<byte[], byte[]> producer, Serializer<ModelCheckpoint> checkpoints,
            Serializer<TrainingMetrics> metrics, String modelsTopic, String metricsTopic) {
        this.producer = producer;
        this.checkpoints = checkpoints;
        this.metrics = metrics;
        this.modelsTopic = modelsTopic;
        this.metricsTopic = metricsTopic;
        producer.initTransactions();
    }

    /** A checkpoint to publish: its chunks and the chunk keys of the previous version to delete. */
    public record Publication(String modelName, List<ModelCheckpoint> chunks, List<String> tombstoneKeys) {}

    /**
     * Commits the round: the publication (when the gate let it through), the metrics, the offsets.
     *
     * @throws ProducerFencedException when another trainer with the same transactional id took over
     * @throws KafkaException when the transaction failed and was aborted (nothing became visible)
     */
    public void commit(java.util.Optional<Publication> publication, List<TrainingMetrics> records,
            Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        producer.beginTransaction();
        try {
            publication.ifPresent(this::send);
            for (TrainingMetrics m : records) {
                producer.send(new ProducerRecord<>(metricsTopic, m.getModelName().getBytes(StandardCharsets.UTF_8),
                        metrics.serialize(metricsTopic, m)));
            }
            producer.sendOffsetsToTransaction(offsets, group);
            producer.commitTransaction();
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("round transaction failed, aborting it (nothing of it is visible): {}", e.toString());
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailure) {
                e.addSuppressed(abortFailure);
            }
            throw e;
        }
    }

    private void send(Publication p) {
        int partitions = producer.partitionsFor(modelsTopic).size();
        int partition = CheckpointKeys.partition(p.modelName(), partitions);
        for (ModelCheckpoint chunk : p.chunks()) {
            producer.send(new ProducerRecord<>(modelsTopic, partition,
                    CheckpointKeys.keyBytes(chunk.getName(), chunk.getChunkIndex()),
                    checkpoints.serialize(modelsTopic, chunk)));
        }
        for (String key : p.tombstoneKeys()) {
            producer.send(new ProducerRecord<>(modelsTopic, partition, key.getBytes(StandardCharsets.UTF_8), null));
        }
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(10));
    }
}
