package dev.sentiflow.schemas.serde;

import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro specific records in the Confluent wire format. The schema goes to the registry under
 * the topic-name subject ({@code <topic>-value} or {@code <topic>-key}) on first use, or, with
 * auto-registration off, must already be registered there.
 *
 * <p>The id is cached per topic here: asking the client per record would render the schema as JSON
 * for its cache key every time.
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    private final SchemaRegistryClient registry;
    private final Schema schema;
    private final SpecificDatumWriter<T> writer;
    private final boolean autoRegister;
    private final boolean isKey;
    private final Map<String, Integer> idsByTopic = new ConcurrentHashMap<>();

    public AvroSerializer(SchemaRegistryClient registry, Schema schema, boolean autoRegister, boolean isKey) {
        this.registry = registry;
        this.schema = schema;
        this.writer = new SpecificDatumWriter<>(schema);
        this.autoRegister = autoRegister;
        this.isKey = isKey;
    }

    /** The subject a topic's values (or keys) are registered under: Confluent's TopicNameStrategy. */
    public static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        int id = idFor(topic);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.write(data, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot Avro-encode a " + schema.getName() + " for topic " + topic + ": "
                    + e.getMessage(), e);
        }
        return WireFormat.frame(id, out.toByteArray());
    }

    private int idFor(String topic) {
        Integer cached = idsByTopic.get(topic);
        if (cached != null) {
            return cached;
        }
        // Outside computeIfAbsent: the registry call is network I/O.
        String subject = subject(topic, isKey);
        int id = autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema);
        idsByTopic.putIfAbsent(topic, id);
        return id;
    }
}
