package dev.sentiflow.schemas.serde;

import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Kafka serdes for the pipeline's Avro records, all backed by one registry client. */
public final class AvroSerdes {

    private AvroSerdes() {
    }

    /** A value serde for a generated Avro class that registers its schema on first write. */
    public static <T extends SpecificRecord> Serde<T> value(Class<T> type, SchemaRegistryClient registry) {
        var schema = SpecificData.get().getSchema(type);
        return Serdes.serdeFrom(new AvroSerializer<T>(registry, schema, true, false),
                new AvroDeserializer<T>(registry, schema));
    }
}
