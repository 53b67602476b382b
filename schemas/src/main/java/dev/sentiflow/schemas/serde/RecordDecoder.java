package dev.sentiflow.schemas.serde;

import dev.sentiflow.schemas.registry.RegistryConfigurationException;
import dev.sentiflow.schemas.registry.RegistryUnavailableException;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.registry.SchemaRegistryException;
import dev.sentiflow.schemas.registry.UnknownSchemaIdException;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Reads a Confluent-framed Avro value and sorts every failure by whose fault it is. Bytes that are
 * not a record of this type (random bytes, a schema id the registry does not know, a schema that is
 * not Avro or does not resolve, a tombstone) are the <b>record's</b> fault: a {@link Bad} to skip and
 * count or dead-letter, never a reason to stop. A registry that does not answer is nobody's fault and
 * passes ({@link RegistryUnavailableException}): the caller retries the same record later. A registry
 * that refuses us (wrong URL, credentials) passes as {@link RegistryConfigurationException}: no retry
 * and no record fixes it.
 */
public final class RecordDecoder<T extends SpecificRecord> {

    static {
        AvroLimits.apply();
    }

    /** The record, or why these bytes are not one. */
    public sealed interface Decoded<T> permits Ok, Bad {}

    public record Ok<T>(T value) implements Decoded<T> {}

    public record Bad<T>(String detail) implements Decoded<T> {}

    private final AvroDeserializer<T> deserializer;
    private final String typeName;

    public RecordDecoder(SchemaRegistryClient registry, Schema readerSchema) {
        this.deserializer = new AvroDeserializer<>(registry, readerSchema);
        this.typeName = readerSchema.getName();
    }

    /**
     * Whether a registry failure met while reading a record is that record's fault: its schema id is
     * unknown (40403), or the registry answered with something that is not Avro (a Protobuf or JSON
     * schema). Anything else (no answer, refused credentials, a wrong URL) is not, and must not cost
     * the record a dead letter. The one rule for every decoder of Confluent-framed records.
     */
    public static boolean isRecordsFault(SchemaRegistryException e) {
        return e instanceof UnknownSchemaIdException || e.status() / 100 == 2;
    }

    /**
     * @throws RegistryUnavailableException the registry did not answer (transient: retry this record)
     * @throws RegistryConfigurationException the registry refused us (permanent: stop with its message)
     * @throws SchemaRegistryException any other registry failure that is not about this record
     */
    public Decoded<T> decode(String topic, byte[] value) {
        if (value == null) {
            return new Bad<>("null value (a tombstone) where a " + typeName + " was expected");
        }
        try {
            return new Ok<>(deserializer.deserialize(topic, value));
        } catch (SchemaRegistryException e) {
            if (!isRecordsFault(e)) {
                throw e;
            }
            return new Bad<>(e instanceof UnknownSchemaIdException ? "schema id unknown to the registry: "
                    + e.getMessage() : e.getMessage());
        } catch (SerializationException e) {
            return new Bad<>(e.getMessage());
        }
    }
}
