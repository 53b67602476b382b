package dev.sentiflow.inference;

import dev.sentiflow.avro.DeadLetter;
import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.Prediction;
import dev.sentiflow.inference.batch.BatchPolicy;
import dev.sentiflow.inference.metrics.InferenceMetrics;
import dev.sentiflow.inference.batch.BatchingProcessor;
import dev.sentiflow.inference.batch.ThreadTasks;
import dev.sentiflow.inference.live.LiveQuality;
import dev.sentiflow.inference.live.LiveQualityProcessor;
import dev.sentiflow.inference.scoring.BatchScorer;
import dev.sentiflow.schemas.checkpoint.CheckpointSigner;
import dev.sentiflow.schemas.deadletter.DeadLetterSizing;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroSerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * reviews.tokenized (raw bytes) → micro-batches in a changelogged store → the served version of
 * each record's model → predictions, or → predictions.dlq.
 *
 * <p>The source reads raw bytes so that a record that is not a TokenizedReview reaches our code and
 * is dead-lettered with its bytes instead of failing in Kafka's deserializer. The pending store is
 * in memory with its changelog on (Streams' default): batches are small and short-lived, and the
 * changelog is what makes a crash lose nothing. It is cached: Streams writes the cache to the
 * changelog when it commits, so a record scored before the commit it arrived in reaches the changelog
 * as one tombstone instead of its bytes and then a tombstone, and the changelog still holds exactly
 * what was pending at each commit.
 */
public final class InferenceTopology {

    static final String SOURCE = "tokenized-source";
    static final String PROCESSOR = "batch-and-score";
    public static final String PENDING_STORE = "pending";
    static final String PREDICTIONS_SINK = "predictions-sink";
    static final String DLQ_SINK = "dlq-sink";
    static final String LIVE_PROCESSOR = "live-quality";
    static final String LIVE_SINK = "live-metrics-sink";

    /**
     * What the topology needs.
     *
     * @param scorer scores a batch with the currently served versions (shared by every task)
     * @param vocabSize the served block's vocabulary: token ids must be below it
     * @param maxLength most tokens per record (the serving identity's max length)
     */
    public record Params(String tokenizedTopic, String predictionsTopic, String dlqTopic, SchemaRegistryClient registry,
                         BatchScorer scorer, BatchPolicy batches, int vocabSize, int maxLength, Live live,
                         DeadLetterSizing deadLetterSizing, InferenceMetrics metrics) {

        /** Counting into meters nobody scrapes. */
        public Params(String tokenizedTopic, String predictionsTopic, String dlqTopic, SchemaRegistryClient registry,
                      BatchScorer scorer, BatchPolicy batches, int vocabSize, int maxLength, Live live,
                      DeadLetterSizing deadLetterSizing) {
            this(tokenizedTopic, predictionsTopic, dlqTopic, registry, scorer, batches, vocabSize, maxLength, live,
                    deadLetterSizing, InferenceMetrics.unregistered());
        }

        /** With Kafka's default message limits for dead letters. */
        public Params(String tokenizedTopic, String predictionsTopic, String dlqTopic, SchemaRegistryClient registry,
                      BatchScorer scorer, BatchPolicy batches, int vocabSize, int maxLength, Live live) {
            this(tokenizedTopic, predictionsTopic, dlqTopic, registry, scorer, batches, vocabSize, maxLength, live,
                    DeadLetterSizing.KAFKA_DEFAULTS);
        }
    }

    /**
     * Live quality: the topic, the label set, the window and the reporting interval; rollout decisions
     * written there are signed with {@code decisionSigner} when present (the checkpoint signing key).
     */
    public record Live(String topic, java.util.List<String> labels, int windowRecords, java.time.Duration interval,
            java.util.Optional<CheckpointSigner> decisionSigner) {

        /** Decisions unsigned. */
        public Live(String topic, java.util.List<String> labels, int windowRecords, java.time.Duration interval) {
            this(topic, labels, windowRecords, interval, java.util.Optional.empty());
        }
    }

    private InferenceTopology() {
    }

    public static Topology build(Params params) {
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), params.tokenizedTopic());
        ThreadTasks threadTasks = new ThreadTasks();
        topology.addProcessor(PROCESSOR, () -> new BatchingProcessor(params.tokenizedTopic(), PENDING_STORE,
                params.registry(), params.vocabSize(), params.maxLength(), params.scorer(), params.batches(),
                PREDICTIONS_SINK, DLQ_SINK, LIVE_PROCESSOR, params.deadLetterSizing(), params.metrics(), threadTasks),
                SOURCE);
        topology.addProcessor(LIVE_PROCESSOR, () -> new LiveQualityProcessor(new LiveQuality(params.live().labels(),
                params.live().windowRecords()), params.live().interval(), LIVE_SINK, params.metrics()), PROCESSOR);
        var pending = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PENDING_STORE), Serdes.Long(),
                Serdes.ByteArray());
        // A cache halves the changelog (a record scored within a commit interval leaves one tombstone, not a put
        // and a tombstone), but it is flushed only in a commit its own task needs: a batch across partitions
        // that deletes another task's records would leave their tombstones out of the transaction carrying
        // their predictions, and a restart would score them again. So across partitions, every write goes
        // straight to the changelog, inside the open transaction.
        topology.addStateStore(params.batches().acrossPartitions() ? pending.withCachingDisabled()
                : pending.withCachingEnabled(), PROCESSOR);
        topology.addSink(PREDICTIONS_SINK, params.predictionsTopic(), new StringSerializer(),
                new AvroSerializer<Prediction>(params.registry(), Prediction.getClassSchema(), true, false), PROCESSOR);
        topology.addSink(DLQ_SINK, params.dlqTopic(), new ByteArraySerializer(),
                new AvroSerializer<DeadLetter>(params.registry(), DeadLetter.getClassSchema(), true, false), PROCESSOR);
        var liveMetrics = new AvroSerializer<LiveMetrics>(params.registry(), LiveMetrics.getClassSchema(), true, false);
        java.util.Optional<CheckpointSigner> signer = params.live().decisionSigner();
        topology.addSink(LIVE_SINK, params.live().topic(), new StringSerializer(),
                (org.apache.kafka.common.serialization.Serializer<LiveMetrics>) (topic, m) -> liveMetrics.serialize(topic,
                        m.getAction() != null && signer.isPresent() ? signer.get().signDecision(m) : m),
                LIVE_PROCESSOR);
        return topology;
    }
}
