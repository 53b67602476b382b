package dev.sentiflow.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.Review;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import dev.sentiflow.schemas.serde.AvroSerializer;
import dev.sentiflow.testkit.ApicurioRegistry;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client and the serdes against a real registry server (Apicurio, Confluent-compatible API). */
class SchemaRegistryClientIT {

    private static ApicurioRegistry server;
    private static SchemaRegistryClient client;

    @BeforeAll
    static void start() {
        server = ApicurioRegistry.start();
        client = new SchemaRegistryClient(server.confluentApiUrl());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void registersLooksUpAndFetchesById() {
        int id = client.register("reg-test-value", Review.getClassSchema());
        assertEquals(id, client.register("reg-test-value", Review.getClassSchema()), "same schema, same id");
        // A fresh client (empty caches) sees the same id and schema through the REST API.
        SchemaRegistryClient fresh = new SchemaRegistryClient(server.confluentApiUrl());
        assertEquals(id, fresh.lookup("reg-test-value", Review.getClassSchema()));
        assertEquals(Review.getClassSchema(), fresh.schemaById(id));
    }

    @Test
    void refusesAnIncompatibleSchemaWithAClearError() {
        String subject = "compat-test-value";
        client.register(subject, Review.getClassSchema());
        client.setCompatibility(subject, "BACKWARD");
        Schema breaking = new Schema.Parser().parse(Review.getClassSchema().toString()
                .replace("\"fields\":[", "\"fields\":[{\"name\":\"required\",\"type\":\"string\"},"));
        assertFalse(client.isCompatible(subject, breaking));
        IncompatibleSchemaException e = assertThrows(IncompatibleSchemaException.class,
                () -> client.register(subject, breaking));
        assertTrue(e.getMessage().contains(subject) && e.getMessage().contains("incompatible"), e.getMessage());
        // A compatible evolution (new optional field with a default) is accepted under BACKWARD.
        Schema evolved = new Schema.Parser().parse(Review.getClassSchema().toString()
                .replace("\"fields\":[", "\"fields\":[{\"name\":\"lang\",\"type\":[\"null\",\"string\"],\"default\":null},"));
        assertTrue(client.isCompatible(subject, evolved));
        assertNotEquals(client.register(subject, Review.getClassSchema()), client.register(subject, evolved));
    }

    @Test
    void serdesRoundTripAndReadRecordsOfAnOlderWriterSchema() {
        Review review = Review.newBuilder().setId("r1").setText("Great tea").setRating(5)
                .setDomain("amazon").setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
        var serializer = new AvroSerializer<Review>(client, Review.getClassSchema(), true, false);
        var deserializer = new AvroDeserializer<Review>(client, Review.getClassSchema());
        byte[] bytes = serializer.serialize("serde-test", review);
        assertEquals(0, bytes[0]);
        assertEquals(review, deserializer.deserialize("serde-test", bytes));

        // A producer on an older contract (no rating/label/domain fields) still decodes, with defaults.
        Schema older = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Review\",\"namespace\":"
                + "\"dev.sentiflow.avro\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"text\","
                + "\"type\":\"string\"},{\"name\":\"eventTime\",\"type\":{\"type\":\"long\",\"logicalType\":"
                + "\"timestamp-millis\"}}]}");
        var oldRecord = new org.apache.avro.generic.GenericData.Record(older);
        oldRecord.put("id", "old-1");
        oldRecord.put("text", "older producer");
        oldRecord.put("eventTime", 5L);
        int oldId = client.register("serde-test-old-value", older);
        var out = new java.io.ByteArrayOutputStream();
        var encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        try {
            new org.apache.avro.generic.GenericDatumWriter<Object>(older).write(oldRecord, encoder);
            encoder.flush();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        Review read = deserializer.deserialize("serde-test", dev.sentiflow.schemas.serde.WireFormat.frame(oldId,
                out.toByteArray()));
        assertEquals("old-1", read.getId());
        assertEquals("default", read.getDomain());
        assertEquals(null, read.getRating());
    }

    @Test
    void unknownSchemaIdIsASpecificError() {
        var deserializer = new AvroDeserializer<Review>(
                new SchemaRegistryClient(server.confluentApiUrl(),
                        new SchemaRegistryClient.RetryPolicy(1, Duration.ofMillis(10), Duration.ofSeconds(5))),
                Review.getClassSchema());
        // Apicurio answers an unknown id as Confluent does: 404 with error code 40403, which is not a wrong URL.
        UnknownSchemaIdException e = assertThrows(UnknownSchemaIdException.class,
                () -> deserializer.deserialize("t", new byte[] {0, 0, 0, 0x7f, 0x7f, 1}));
        assertEquals(404, e.status(), e.getMessage());
        assertEquals(SchemaRegistryException.SCHEMA_NOT_FOUND, e.errorCode(), e.getMessage());
        assertTrue(e.getMessage().contains("32639"), e.getMessage());
        // A URL that is not a registry API also answers 404, but without a registry error code.
        var wrong = new SchemaRegistryClient(server.confluentApiUrl().replace("/apis/ccompat/v7", "/nothing-here"));
        RegistryConfigurationException config = assertThrows(RegistryConfigurationException.class,
                () -> wrong.schemaById(1));
        assertTrue(config.getMessage().contains("schema.registry.url"), config.getMessage());
    }

    @Test
    void garbageBytesAreASerializationError() {
        var deserializer = new AvroDeserializer<Review>(client, Review.getClassSchema());
        int id = client.register("garbage-value", Review.getClassSchema());
        byte[] framed = dev.sentiflow.schemas.serde.WireFormat.frame(id, new byte[] {(byte) 0xff, (byte) 0xff, 1});
        assertThrows(SerializationException.class, () -> deserializer.deserialize("garbage", framed));
    }

    @Test
    void aRegistryThatIsDownIsRetriedThenReportedClearly() {
        ApicurioRegistry doomed = ApicurioRegistry.start();
        String url = doomed.confluentApiUrl();
        doomed.close();
        SchemaRegistryClient down = new SchemaRegistryClient(url,
                new SchemaRegistryClient.RetryPolicy(3, Duration.ofMillis(20), Duration.ofSeconds(2)));
        long begin = System.nanoTime();
        RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class,
                () -> down.register("x-value", Review.getClassSchema()));
        assertTrue(e.getMessage().contains(url) && e.getMessage().contains("3 attempts"), e.getMessage());
        assertTrue(System.nanoTime() - begin >= Duration.ofMillis(60).toNanos(), "backoff 20 + 40 ms was skipped");
    }
}
