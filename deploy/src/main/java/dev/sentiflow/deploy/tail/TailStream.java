package dev.sentiflow.deploy.tail;

import dev.sentiflow.avro.DeadLetter;
import dev.sentiflow.avro.LiveMetrics;
import dev.sentiflow.avro.Prediction;
import dev.sentiflow.avro.TrainingMetrics;
import dev.sentiflow.schemas.Topics;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/** What {@code tail} can follow: a topic, its record class, and how a record prints as one line. */
public enum TailStream {
    PREDICTIONS("predictions", Topics.PREDICTIONS, Prediction.getClassSchema(), r -> RecordLines.prediction((Prediction) r)),
    METRICS("metrics", Topics.TRAINING_METRICS, TrainingMetrics.getClassSchema(),
            r -> RecordLines.trainingMetrics((TrainingMetrics) r)),
    LIVE("live", Topics.LIVE_METRICS, LiveMetrics.getClassSchema(), r -> RecordLines.liveMetrics((LiveMetrics) r)),
    DLQ("dlq", Topics.REVIEWS_DLQ, DeadLetter.getClassSchema(), r -> RecordLines.deadLetter((DeadLetter) r));

    private final String word;
    private final String topic;
    private final Schema schema;
    private final Function<SpecificRecord, String> line;

    TailStream(String word, String topic, Schema schema, Function<SpecificRecord, String> line) {
        this.word = word;
        this.topic = topic;
        this.schema = schema;
        this.line = line;
    }

    /** The word on the command line: {@code tail predictions|metrics|live|dlq}. */
    public String word() {
        return word;
    }

    public String topic() {
        return topic;
    }

    public AvroDeserializer<SpecificRecord> deserializer(SchemaRegistryClient registry) {
        return new AvroDeserializer<>(registry, schema);
    }

    public String line(SpecificRecord record) {
        return line.apply(record);
    }

    public static TailStream of(String word) {
        return Arrays.stream(values()).filter(s -> s.word.equals(word.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no stream '" + word + "'; one of "
                        + String.join(", ", Arrays.stream(values()).map(TailStream::word).toList())));
    }

    /** The stream that prints records of this topic, if any. */
    public static java.util.Optional<TailStream> ofTopic(String topic) {
        return Arrays.stream(values()).filter(s -> s.topic.equals(topic)).findFirst();
    }
}
