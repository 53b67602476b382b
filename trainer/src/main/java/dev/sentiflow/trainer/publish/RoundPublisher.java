package dev.sentiflow.trainer.publish;

import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.TrainingMetrics;
import dev.sentiflow.schemas.checkpoint.CheckpointKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
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
 *
 * <p>Every value is serialized before the transaction begins, so a registry outage leaves no
 * transaction open. A transaction that fails for any reason but fencing costs the producer: it is
 * closed, and the next attempt starts a new one, whose {@code initTransactions} finishes or aborts
 * whatever the old one left on the broker. The caller decides when to try again.
 */
public final class RoundPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RoundPublisher.class);

    private final Supplier<Producer<byte[], byte[]>> producers;
    private final Serializer<ModelCheckpoint> checkpoints;
    private final Serializer<TrainingMetrics> metrics;
    private final String modelsTopic;
    private final String metricsTopic;
    private Producer<byte[], byte[]> producer;

    /** @param producers makes a transactional producer (same transactional id each time); not yet initialised */
    public RoundPublisher(Supplier<Producer<byte[], byte[]>> producers, Serializer<ModelCheckpoint> checkpoints,
            Serializer<TrainingMetrics> metrics, String modelsTopic, String metricsTopic) {
        this.producers = producers;
        this.checkpoints = checkpoints;
        this.metrics = metrics;
        this.modelsTopic = modelsTopic;
        this.metricsTopic = metricsTopic;
    }

    /** A checkpoint to publish: its chunks and the chunk keys of the previous version to delete. */
    public record Publication(String modelName, List<ModelCheckpoint> chunks, List<String> tombstoneKeys) {}

    /**
     * Makes sure a producer with initialised transactions exists: after a failure this is what fences
     * the old producer and settles its last transaction, committed or aborted, on the broker.
     *
     * @throws KafkaException when the broker cannot be reached (the producer is discarded; try later)
     */
    public void ready() {
        if (producer != null) {
            return;
        }
        Producer<byte[], byte[]> fresh = producers.get();
        try {
            fresh.initTransactions();
        } catch (RuntimeException e) {
            fresh.close(Duration.ZERO);
            throw e;
        }
        producer = fresh;
    }

    /**
     * Commits the round: the publication (when the gate let it through), the metrics, the offsets.
     *
     * @throws ProducerFencedException when another trainer with the same transactional id took over
     * @throws KafkaException when the transaction failed (the producer is discarded; whether the
     *     transaction became visible is known once {@link #ready} succeeds again)
     * @throws dev.sentiflow.schemas.registry.SchemaRegistryException when a value could not be
     *     serialized (no transaction was begun)
     */
    public void commit(Optional<Publication> publication, List<TrainingMetrics> records,
            Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        List<Outgoing> outgoing = new ArrayList<>();
        publication.ifPresent(p -> outgoing.addAll(serialize(p)));
        for (TrainingMetrics m : records) {
            outgoing.add(new Outgoing(metricsTopic, null, m.getModelName().getBytes(StandardCharsets.UTF_8), metrics.serialize(metricsTopic, m)));
        }
        ready();
        try {
            producer.beginTransaction();
            for (Outgoing o : outgoing) {
                Integer partition = o.partitionOf() == null ? null
                        : CheckpointKeys.partition(o.partitionOf(), producer.partitionsFor(modelsTopic).size());
                producer.send(new ProducerRecord<>(o.topic(), partition, o.key(), o.value()));
            }
            producer.sendOffsetsToTransaction(offsets, group);
            producer.commitTransaction();
        } catch (ProducerFencedException e) {
            discard();
            throw e;
        } catch (KafkaException | IllegalStateException e) {
            LOG.warn("round transaction failed (nothing of it is visible unless the broker had already committed "
                    + "it); closing the producer: {}", e.toString());
            try {
                producer.abortTransaction();
            } catch (RuntimeException abortFailure) {
                e.addSuppressed(abortFailure);
            }
            discard();
            throw e instanceof KafkaException k ? k : new KafkaException("round transaction failed", e);
        }
    }

    private List<Outgoing> serialize(Publication p) {
        List<Outgoing> out = new ArrayList<>();
        for (ModelCheckpoint chunk : p.chunks()) {
            out.add(new Outgoing(modelsTopic, p.modelName(), CheckpointKeys.keyBytes(chunk.getName(), chunk.getChunkIndex()),
                    checkpoints.serialize(modelsTopic, chunk)));
        }
        for (String key : p.tombstoneKeys()) {
            out.add(new Outgoing(modelsTopic, p.modelName(), key.getBytes(StandardCharsets.UTF_8), null));
        }
        return out;
    }

    /**
     * One record of the transaction, serialized; {@code partitionOf} names the model whose partition of
     * {@code models} it goes to (every chunk of a model on one partition), null for the default partitioner.
     */
    private record Outgoing(String topic, String partitionOf, byte[] key, byte[] value) {}

    private void discard() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debug("closing a failed producer: {}", e.toString());
            }
            producer = null;
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
    }
}
