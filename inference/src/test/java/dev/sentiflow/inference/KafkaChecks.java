package dev.sentiflow.inference;

import dev.sentiflow.avro.ModelCheckpoint;
import dev.sentiflow.avro.Prediction;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.schemas.checkpoint.CheckpointKeys;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import dev.sentiflow.schemas.serde.AvroSerializer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Producing and reading the app's topics in integration tests, the way the real peers do. */
final class KafkaChecks {

    private KafkaChecks() {
    }

    /** Publishes a checkpoint as the trainer does: every chunk, keyed and partitioned by name, in one transaction. */
    static void publishCheckpoint(String bootstrap, SchemaRegistryClient registry, String topic, int partitions,
            List<ModelCheckpoint> chunks) {
        var serializer = new AvroSerializer<ModelCheckpoint>(registry, ModelCheckpoint.getClassSchema(), true, false);
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-trainer-" + System.nanoTime()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (ModelCheckpoint chunk : chunks) {
                producer.send(new ProducerRecord<>(topic, CheckpointKeys.partition(chunk.getName(), partitions),
                        CheckpointKeys.keyBytes(chunk.getName(), chunk.getChunkIndex()), serializer.serialize(topic, chunk)));
            }
            producer.commitTransaction();
        }
    }

    /**
     * Writes live-metrics records keyed by model name, as inference's stream task does, in one
     * transaction that commits, or aborts after the records reached the log.
     */
    static void sendLiveMetrics(String bootstrap, SchemaRegistryClient registry, String topic,
            List<dev.sentiflow.avro.LiveMetrics> records, boolean commit) {
        var serializer = new AvroSerializer<dev.sentiflow.avro.LiveMetrics>(registry,
                dev.sentiflow.avro.LiveMetrics.getClassSchema(), true, false);
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-inference-" + System.nanoTime()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (var m : records) {
                producer.send(new ProducerRecord<>(topic, m.getModelName().getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(topic, m)));
            }
            producer.flush();
            if (commit) {
                producer.commitTransaction();
            } else {
                producer.abortTransaction();
            }
        }
    }

    /** Sends tokenized reviews keyed by id, as ingest does; returns once all are acknowledged. */
    static void sendReviews(String bootstrap, SchemaRegistryClient registry, String topic, List<TokenizedReview> reviews) {
        sendReviews(bootstrap, registry, topic, reviews, Duration.ZERO);
    }

    /** As {@link #sendReviews(String, SchemaRegistryClient, String, List)}, one review per {@code gap}. */
    static void sendReviews(String bootstrap, SchemaRegistryClient registry, String topic, List<TokenizedReview> reviews,
            Duration gap) {
        sendReviews(bootstrap, registry, topic, null, reviews, gap);
    }

    /** As {@link #sendReviews(String, SchemaRegistryClient, String, List)}, all to one partition. */
    static void sendReviews(String bootstrap, SchemaRegistryClient registry, String topic, int partition,
            List<TokenizedReview> reviews) {
        sendReviews(bootstrap, registry, topic, partition, reviews, Duration.ZERO);
    }

    /** To {@code partition}, or where the key hashes when it is null. */
    private static void sendReviews(String bootstrap, SchemaRegistryClient registry, String topic, Integer partition,
            List<TokenizedReview> reviews, Duration gap) {
        var serializer = new AvroSerializer<TokenizedReview>(registry, TokenizedReview.getClassSchema(), true, false);
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (TokenizedReview review : reviews) {
                producer.send(new ProducerRecord<>(topic, partition, review.getId().getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(topic, review)));
                if (!gap.isZero()) {
                    Thread.sleep(gap.toMillis());
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending", e);
        }
    }

    static KafkaConsumer<String, Prediction> predictionsConsumer(String bootstrap, SchemaRegistryClient registry) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new AvroDeserializer<>(registry, Prediction.getClassSchema()));
    }

    /**
     * Everything committed to the topic: read from the beginning with read_committed up to the end
     * offsets taken now, so nothing is missed and nothing is waited for by guesswork.
     */
    static List<ConsumerRecord<String, Prediction>> readAllCommitted(String bootstrap, SchemaRegistryClient registry,
            String topic, Duration timeout) {
        try (var consumer = predictionsConsumer(bootstrap, registry)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, Prediction>> out = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            Predicate<TopicPartition> behind = tp -> consumer.position(tp) < end.get(tp);
            while (partitions.stream().anyMatch(behind)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " up to " + end + " in " + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }
}
