package dev.sentiflow.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentiflow.avro.DeadLetter;
import dev.sentiflow.avro.DeadLetterReason;
import dev.sentiflow.avro.Review;
import dev.sentiflow.avro.TokenizedReview;
import dev.sentiflow.schemas.deadletter.DeadLetterSizing;
import dev.sentiflow.schemas.registry.IncompatibleSchemaException;
import dev.sentiflow.schemas.registry.RegistryConfigurationException;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.serde.AvroDeserializer;
import dev.sentiflow.schemas.serde.AvroSerializer;
import dev.sentiflow.schemas.serde.WireFormat;
import dev.sentiflow.testkit.ApicurioRegistry;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every branch of the ingest topology, driven record by record with TopologyTestDriver. The serdes
 * talk to a real registry (one Apicurio per class); the tokenizer is the real bundled one.
 */
class IngestTopologyTest {

    private static ApicurioRegistry server;
    private static SchemaRegistryClient registry;
    private static TextTokenizer tokenizer;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<String, TokenizedReview> tokenized;
    private TestOutputTopic<byte[], DeadLetter> dlq;
    private final AvroSerializer<Review> reviewSerializer =
            new AvroSerializer<>(registry, Review.getClassSchema(), true, false);

    @BeforeAll
    static void startRegistry() {
        server = ApicurioRegistry.start();
        registry = new SchemaRegistryClient(server.confluentApiUrl());
        tokenizer = TextTokenizer.bundled(16);
    }

    @AfterAll
    static void stopRegistry() {
        tokenizer.close();
        server.close();
    }

    @BeforeEach
    void startDriver() {
        start(new IngestConfig(Map.of("text.max.bytes", "200")));
    }

    private void start(IngestConfig config) {
        start(config, "reviews.tokenized");
    }

    private void start(IngestConfig config, String tokenizedTopic) {
        start(config, tokenizedTopic, registry, DeadLetterSizing.KAFKA_DEFAULTS);
    }

    private void start(IngestConfig config, String tokenizedTopic, SchemaRegistryClient appRegistry,
                       DeadLetterSizing sizing) {
        if (driver != null) {
            driver.close();
        }
        var validator = new ReviewValidator(config.labelPolicy(), tokenizer, config.getInt(IngestConfig.TEXT_MAX_BYTES));
        var topology = IngestTopology.build(new IngestTopology.Params("reviews", tokenizedTopic, "reviews.dlq",
                appRegistry, validator, sizing));
        Properties props = new Properties();
        props.put("application.id", "ingest-test");
        props.put("bootstrap.servers", "unused:9092");
        driver = new TopologyTestDriver(topology, props);
        input = driver.createInputTopic("reviews", new ByteArraySerializer(), new ByteArraySerializer());
        tokenized = driver.createOutputTopic(tokenizedTopic, new StringDeserializer(),
                new AvroDeserializer<>(registry, TokenizedReview.getClassSchema()));
        dlq = driver.createOutputTopic("reviews.dlq", new ByteArrayDeserializer(),
                new AvroDeserializer<>(registry, DeadLetter.getClassSchema()));
    }

    @AfterEach
    void stopDriver() {
        driver.close();
    }

    private static Review review(String id, String text, Integer rating, String label) {
        return Review.newBuilder().setId(id).setText(text).setRating(rating).setLabel(label).setDomain("yelp")
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }

    private void send(Review review) {
        input.pipeInput(review.getId().getBytes(StandardCharsets.UTF_8), reviewSerializer.serialize("reviews", review));
    }

    private DeadLetter onlyDeadLetter() {
        assertTrue(tokenized.isEmpty(), "nothing may reach the tokenized topic");
        List<TestRecord<byte[], DeadLetter>> letters = dlq.readRecordsToList();
        assertEquals(1, letters.size());
        return letters.get(0).value();
    }

    private TokenizedReview onlyTokenized() {
        assertTrue(dlq.isEmpty(), "nothing may reach the DLQ");
        List<TestRecord<String, TokenizedReview>> out = tokenized.readRecordsToList();
        assertEquals(1, out.size());
        assertEquals(out.get(0).key(), out.get(0).value().getId(), "keyed by review id");
        return out.get(0).value();
    }

    @Test
    void ratingBecomesLabelAndTextBecomesTokenIds() {
        send(review("r1", "Hello world", 5, null));
        TokenizedReview t = onlyTokenized();
        assertEquals(List.of(101, 7592, 2088, 102), t.getTokenIds());
        assertEquals("positive", t.getLabel());
        assertEquals("yelp", t.getDomain());
        assertEquals(tokenizer.id(), t.getTokenizerId());
        assertEquals(Instant.ofEpochMilli(1_700_000_000_000L), t.getEventTime());
        assertFalse(t.getTruncated());
        send(review("r2", "awful", 2, null));
        assertEquals("negative", onlyTokenized().getLabel());
    }

    @Test
    void unlabeledReviewsPassThroughWithNullLabel() {
        send(review("u1", "no idea yet", null, null));
        assertNull(onlyTokenized().getLabel());
    }

    @Test
    void explicitLabelIsValidatedAgainstTheLabelSet() {
        send(review("l1", "fine", null, "POSITIVE"));
        assertEquals("positive", onlyTokenized().getLabel());
        send(review("l2", "fine", null, "sarcastic"));
        DeadLetter d = onlyDeadLetter();
        assertEquals(DeadLetterReason.UNKNOWN_LABEL, d.getReason());
        assertEquals("l2", d.getRecordId());
    }

    @Test
    void neutralIsExcludedByDefaultOrKeptAsAThirdClass() {
        send(review("n1", "so-so", 3, null));
        assertEquals(DeadLetterReason.NEUTRAL_EXCLUDED, onlyDeadLetter().getReason());
        start(new IngestConfig(Map.of("labels", "negative,neutral,positive",
                "rating.mapping", "1-2:negative,3:neutral,4-5:positive")));
        send(review("n2", "so-so", 3, null));
        assertEquals("neutral", onlyTokenized().getLabel());
        send(review("n3", "what", 7, null));
        assertEquals(DeadLetterReason.INVALID_RATING, onlyDeadLetter().getReason());
    }

    @Test
    void longTextIsTruncatedToMaxLengthAndFlagged() {
        send(review("t1", "word ".repeat(30), 4, null));
        TokenizedReview t = onlyTokenized();
        assertEquals(16, t.getTokenIds().size());
        assertEquals(102, t.getTokenIds().get(15));
        assertTrue(t.getTruncated());
    }

    @Test
    void emptyBlankHugeAndIdlessReviewsAreDeadLettered() {
        send(review("e1", "", 5, null));
        assertEquals(DeadLetterReason.EMPTY_TEXT, onlyDeadLetter().getReason());
        send(review("e2", " \n\t ", 5, null));
        assertEquals(DeadLetterReason.EMPTY_TEXT, onlyDeadLetter().getReason());
        send(review("e3", "é".repeat(101), 5, null));
        DeadLetter huge = onlyDeadLetter();
        assertEquals(DeadLetterReason.TEXT_TOO_LARGE, huge.getReason());
        assertTrue(huge.getDetail().contains("202 UTF-8 bytes"), huge.getDetail());
        send(review(" ", "text", 5, null));
        assertEquals(DeadLetterReason.MISSING_ID, onlyDeadLetter().getReason());
    }

    /** A huge id or domain would overflow the tokenized record (and every prediction) like a huge text. */
    @Test
    void hugeIdsAndDomainsAreDeadLetteredNotTokenized() {
        send(review("x".repeat(100_000), "fine", 5, null));
        DeadLetter id = onlyDeadLetter();
        assertEquals(DeadLetterReason.FIELD_TOO_LARGE, id.getReason());
        assertTrue(id.getDetail().contains("100000 UTF-8 bytes") && id.getDetail().length() < 300, id.getDetail());
        Review wideDomain = review("d1", "fine", 5, null);
        wideDomain.setDomain("d".repeat(300));
        send(wideDomain);
        assertEquals(DeadLetterReason.FIELD_TOO_LARGE, onlyDeadLetter().getReason());
        send(review("x".repeat(1024), "fine", 5, null));
        assertEquals(1, tokenized.readValuesToList().size(), "an id of exactly the limit is fine");
    }

    @Test
    void undecodableBytesKeepTheirOriginalBytesAndPosition() {
        byte[] garbage = "{\"id\": \"json, not avro\"}".getBytes(StandardCharsets.UTF_8);
        input.pipeInput("k".getBytes(StandardCharsets.UTF_8), garbage);
        DeadLetter d = onlyDeadLetter();
        assertEquals(DeadLetterReason.UNDECODABLE, d.getReason());
        assertArrayEquals(garbage, d.getOriginalValue().array());
        assertArrayEquals("k".getBytes(StandardCharsets.UTF_8), d.getOriginalKey().array());
        assertEquals("reviews", d.getSourceTopic());
        assertTrue(d.getDetail().contains("0x7b"), d.getDetail());

        int id = registry.register("reviews-value", Review.getClassSchema());
        input.pipeInput(null, WireFormat.frame(id, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
        assertEquals(DeadLetterReason.UNDECODABLE, onlyDeadLetter().getReason());
        input.pipeInput(null, WireFormat.frame(987_654, new byte[] {2, 'x'}));
        assertTrue(onlyDeadLetter().getDetail().contains("987654"));
        input.pipeInput("tombstone".getBytes(StandardCharsets.UTF_8), (byte[]) null);
        assertEquals(DeadLetterReason.UNDECODABLE, onlyDeadLetter().getReason());
    }

    @Test
    void invalidUtf8IsRefusedNotReplaced() throws IOException {
        Schema schema = new Schema.Parser().parse(
                Review.getClassSchema().toString().replace(",\"avro.java.string\":\"String\"", ""));
        GenericData.Record record = new GenericData.Record(schema);
        record.put("id", new Utf8("bad-utf8"));
        record.put("text", new Utf8(new byte[] {'o', 'k', (byte) 0xc3, (byte) 0x28}));
        record.put("rating", 5);
        record.put("label", null);
        record.put("domain", new Utf8("x"));
        record.put("eventTime", 1L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericData.Record>(schema).write(record, encoder);
        encoder.flush();
        int id = registry.register("reviews-value", Review.getClassSchema());
        input.pipeInput(null, WireFormat.frame(id, out.toByteArray()));
        DeadLetter d = onlyDeadLetter();
        assertEquals(DeadLetterReason.INVALID_UTF8, d.getReason());
        assertEquals("bad-utf8", d.getRecordId());
        assertTrue(d.getDetail().contains("'text'"), d.getDetail());
    }

    /**
     * A corrupt length prefix (a string claiming 1.5 GB in a 30-byte record): Avro would allocate what
     * it claims before reading it, an OutOfMemoryError that no dead-letter path catches and that a
     * restart meets again. Refused by its length instead, and the next record goes through.
     */
    @Test
    void aLengthPrefixClaimingGigabytesIsDeadLetteredWithoutAllocatingThem() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        encoder.writeLong(1_500_000_000L); // the id string's length
        encoder.writeFixed(new byte[24]);
        encoder.flush();
        int id = registry.register("reviews-value", Review.getClassSchema());
        input.pipeInput(null, WireFormat.frame(id, out.toByteArray()));
        DeadLetter d = onlyDeadLetter();
        assertEquals(DeadLetterReason.UNDECODABLE, d.getReason());
        assertTrue(d.getDetail().contains("1500000000") && d.getDetail().contains("maximum"), d.getDetail());
        send(review("after-corrupt", "still here", 5, null));
        assertEquals("after-corrupt", tokenized.readRecordsToList().get(0).key());
    }

    @Test
    void aBadRecordDoesNotStopTheOnesAfterIt() {
        input.pipeInput(null, new byte[] {1, 2, 3});
        send(review("after", "still here", 5, null));
        assertEquals(1, dlq.readRecordsToList().size());
        assertEquals("after", tokenized.readRecordsToList().get(0).key());
    }

    @Test
    void aValidReviewIsNotDeadLetteredWhenTheRegistryRefusesItsOutput() {
        // The tokenized subject holds a schema our TokenizedReview cannot replace under BACKWARD:
        // the serializer's register call answers 409. That is our fault, not the review's.
        String topic = "refused.tokenized";
        Schema older = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"TokenizedReview\","
                + "\"namespace\":\"dev.sentiflow.avro\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}");
        registry.register(topic + "-value", older);
        registry.setCompatibility(topic + "-value", "BACKWARD");
        start(new IngestConfig(Map.of()), topic);
        RuntimeException e = assertThrows(RuntimeException.class, () -> send(review("ok-1", "good tea", 5, null)));
        boolean incompatible = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            incompatible |= t instanceof IncompatibleSchemaException;
        }
        assertTrue(incompatible, "the failure must name the refused schema: " + e);
        assertTrue(dlq.isEmpty(), "a valid review must not be dead-lettered because our own output failed");
        assertTrue(tokenized.isEmpty());
    }

    @Test
    void aWrongRegistryUrlStopsProcessingInsteadOfDeadLetteringEveryRecord() {
        // The server answers 404 without a registry error code: a configuration error, not an unknown id.
        var wrongUrl = new SchemaRegistryClient(server.confluentApiUrl().replace("/apis/ccompat/v7", "/apis/wrong"));
        start(new IngestConfig(Map.of()), "reviews.tokenized", wrongUrl, DeadLetterSizing.KAFKA_DEFAULTS);
        RuntimeException e = assertThrows(RuntimeException.class, () -> send(review("w1", "fine", 5, null)));
        boolean configuration = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            configuration |= t instanceof RegistryConfigurationException;
        }
        assertTrue(configuration, "the failure must say the registry is misconfigured: " + e);
        assertTrue(dlq.isEmpty(), "no record is to blame for a wrong URL");
    }

    @Test
    void aDeadLetterCarriesAPrefixOfAValueTooBigForTheDlqAndSaysSo() {
        var sizing = DeadLetterSizing.forLimits(50_000, 60_000);
        start(new IngestConfig(Map.of()), "reviews.tokenized", registry, sizing);
        byte[] garbage = new byte[49_000];
        java.util.Arrays.fill(garbage, (byte) 'x');
        input.pipeInput("big".getBytes(StandardCharsets.UTF_8), garbage);
        DeadLetter d = onlyDeadLetter();
        assertEquals(DeadLetterReason.UNDECODABLE, d.getReason());
        assertTrue(d.getOriginalValueTruncated());
        assertEquals(49_000, d.getOriginalValueLength());
        assertEquals(DeadLetterSizing.sha256(garbage), d.getOriginalValueSha256());
        assertEquals(sizing.maxCarried() - 2 * 3, d.getOriginalValue().remaining());
        assertTrue(d.getDetail().contains("cut from 49000"), d.getDetail());
        // Small values stay whole, with their length and digest.
        input.pipeInput("small".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3});
        DeadLetter small = onlyDeadLetter();
        assertFalse(small.getOriginalValueTruncated());
        assertEquals(3, small.getOriginalValueLength());
        assertArrayEquals(new byte[] {1, 2, 3}, small.getOriginalValue().array());
    }
}
