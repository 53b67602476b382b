package dev.sentiflow.schemas.serde;

import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire-format Avro into a specific record class, resolving the writer schema by id
 * from the registry and projecting it onto this code's reader schema (Avro schema resolution), so
 * records written with an older or newer compatible schema still decode.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    static {
        AvroLimits.apply();
    }

    private final SchemaRegistryClient registry;
    private final Schema readerSchema;
    private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

    public AvroDeserializer(SchemaRegistryClient registry, Schema readerSchema) {
        this.registry = registry;
        this.readerSchema = readerSchema;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        WireFormat.Framed framed = WireFormat.unframe(topic, data);
        SpecificDatumReader<T> reader = readers.get(framed.schemaId());
        if (reader == null) {
            // Not computeIfAbsent: readerFor may call the registry, and a map lock must not span I/O.
            reader = readerFor(framed.schemaId());
            readers.putIfAbsent(framed.schemaId(), reader);
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(framed.body().array(),
                framed.body().arrayOffset() + framed.body().position(), framed.body().remaining(), null);
        try {
            T record = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new SerializationException("message on topic " + topic + " has "
                        + "trailing bytes after a " + readerSchema.getName() + " (schema id " + framed.schemaId() + ")");
            }
            return record;
        } catch (IOException | RuntimeException e) {
            if (e instanceof SerializationException se) {
                throw se;
            }
            throw new SerializationException("cannot decode message on topic " + topic + " as "
                    + readerSchema.getFullName() + " with writer schema id " + framed.schemaId() + ": " + e, e);
        }
    }

    private SpecificDatumReader<T> readerFor(int schemaId) {
        Schema writer = registry.schemaById(schemaId);
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new SerializationException("writer schema id " + schemaId + " (" + writer.getFullName()
                    + ") cannot be read as " + readerSchema.getFullName() + ": " + compatibility.getDescription());
        }
        return new SpecificDatumReader<>(writer, readerSchema);
    }
}
