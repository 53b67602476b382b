package dev.sentiflow.ingest;

import dev.sentiflow.avro.DeadLetter;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.ingest.metrics.IngestMetrics;
import dev.sentiflow.schemas.deadletter.DeadLetterSizing;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroSerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;

/**
 * reviews (raw bytes) → validate, map labels, tokenize → reviews.tokenized, or → reviews.dlq.
 *
 * <p>The source reads raw bytes so that a record that is not valid Avro reaches our code and is
 * dead-lettered with its original bytes, instead of failing inside Kafka's deserializer.
 */
public final class IngestTopology {

    static final String SOURCE = "reviews-source";
    static final String PROCESSOR = "ingest";
    static final String TOKENIZED_SINK = "tokenized-sink";
    static final String DLQ_SINK = "dlq-sink";

    /**
     * What the topology needs: topic names, the registry for serdes, the rules, and how big a dead
     * letter may be.
     */
    public record Params(String reviewsTopic, String tokenizedTopic, String dlqTopic, SchemaRegistryClient registry,
                         ReviewValidator validator, DeadLetterSizing deadLetterSizing, IngestMetrics metrics) {

        /** Counting into meters nobody scrapes. */
        public Params(String reviewsTopic, String tokenizedTopic, String dlqTopic, SchemaRegistryClient registry,
                      ReviewValidator validator, DeadLetterSizing deadLetterSizing) {
            this(reviewsTopic, tokenizedTopic, dlqTopic, registry, validator, deadLetterSizing,
                    IngestMetrics.unregistered());
        }

        /** With Kafka's default message limits. */
        public Params(String reviewsTopic, String tokenizedTopic, String dlqTopic, SchemaRegistryClient registry,
                      ReviewValidator validator) {
            this(reviewsTopic, tokenizedTopic, dlqTopic, registry, validator, DeadLetterSizing.KAFKA_DEFAULTS);
        }
    }

    private IngestTopology() {
    }

    public static Topology build(Params params) {
        ReviewDecoder decoder = new ReviewDecoder(params.registry());
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), params.reviewsTopic());
        topology.addProcessor(PROCESSOR,
                () -> new IngestProcessor(decoder, params.validator(), TOKENIZED_SINK, DLQ_SINK,
                        params.deadLetterSizing(), params.metrics()), SOURCE);
        topology.addSink(TOKENIZED_SINK, params.tokenizedTopic(), new StringSerializer(),
                new AvroSerializer<TokenizedReview>(params.registry(), TokenizedReview.getClassSchema(), true, false),
                PROCESSOR);
        topology.addSink(DLQ_SINK, params.dlqTopic(), new ByteArraySerializer(),
                new AvroSerializer<DeadLetter>(params.registry(), DeadLetter.getClassSchema(), true, false),
                PROCESSOR);
        return topology;
    }
}
