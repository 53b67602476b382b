package dev.sentiflow.inference.batch;

import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.registry.SchemaRegistryException;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Reads a {@code reviews.tokenized} value, telling bytes that are not a TokenizedReview (a record's
 * fault: dead-lettered) from a registry that cannot be reached (not the record's fault: thrown, so
 * the record is processed again from the last commit).
 */
final class TokenizedDecoder {

    /** The record, or why not. */
    sealed interface Decoded permits Ok, Bad {}

    record Ok(TokenizedReview review) implements Decoded {}

    record Bad(String detail) implements Decoded {}

    private final AvroDeserializer<TokenizedReview> deserializer;

    TokenizedDecoder(SchemaRegistryClient registry) {
        this.deserializer = new AvroDeserializer<>(registry, TokenizedReview.getClassSchema());
    }

    Decoded decode(String topic, byte[] value) {
        if (value == null) {
            return new Bad("null value (a tombstone) where a TokenizedReview was expected");
        }
        try {
            return new Ok(deserializer.deserialize(topic, value));
        } catch (SchemaRegistryException e) {
            if (e.status() == 404) {
                return new Bad("schema id unknown to the registry: " + e.getMessage());
            }
            throw e;
        } catch (SerializationException e) {
            return new Bad(e.getMessage());
        }
    }
}
