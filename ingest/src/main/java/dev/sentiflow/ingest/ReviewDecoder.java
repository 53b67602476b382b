package dev.sentiflow.ingest;

import dev.sentiflow.avro.DeadLetterReason;
import dev.sentiflow.avro.Review;
import dev.sentiflow.schemas.registry.SchemaRegistryClient;
import dev.sentiflow.schemas.registry.SchemaRegistryException;
import dev.sentiflow.schemas.registry.UnknownSchemaIdException;
import dev.sentiflow.schemas.serde.AvroLimits;
import dev.sentiflow.schemas.serde.RecordDecoder;
import dev.sentiflow.schemas.serde.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Decodes Confluent-framed {@code Review} bytes, refusing what the generated deserializer would
 * accept silently: Avro's Java string decoding replaces invalid UTF-8 with U+FFFD, so strings are
 * read here as raw {@link Utf8} and checked strictly before anything is tokenized.
 *
 * <p>A registry that is down or misconfigured is not a property of the record:
 * {@link SchemaRegistryException}s other than "unknown schema id" (error code 40403) propagate, so the
 * record is retried, or the app stops, rather than every record being dead-lettered.
 */
public final class ReviewDecoder {

    static {
        AvroLimits.apply();
    }

    /** The review, or why it could not be read. */
    public sealed interface Decoded permits Ok, Bad {
    }

    public record Ok(Review review) implements Decoded {
    }

    public record Bad(Rejection rejection) implements Decoded {
    }

    // Reader schema without the generated class's avro.java.string hints, so strings stay raw Utf8.
    private static final Schema READER = new Schema.Parser().parse(
            Review.getClassSchema().toString().replace(",\"avro.java.string\":\"String\"", ""));

    private final SchemaRegistryClient registry;
    private final Map<Integer, GenericDatumReader<GenericRecord>> readers = new ConcurrentHashMap<>();

    public ReviewDecoder(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    public Decoded decode(String topic, byte[] value) {
        if (value == null) {
            return bad(DeadLetterReason.UNDECODABLE, "null value (a tombstone) where a Review was expected", null);
        }
        WireFormat.Framed framed;
        try {
            framed = WireFormat.unframe(topic, value);
        } catch (SerializationException e) {
            return bad(DeadLetterReason.UNDECODABLE, e.getMessage(), null);
        }
        GenericDatumReader<GenericRecord> reader = readers.get(framed.schemaId());
        if (reader == null) {
            // Not computeIfAbsent: readerFor calls the registry, and a map lock must not be held across I/O.
            try {
                reader = readerFor(framed.schemaId());
            } catch (SchemaRegistryException e) {
                if (!RecordDecoder.isRecordsFault(e)) {
                    throw e;
                }
                return bad(DeadLetterReason.UNDECODABLE, e instanceof UnknownSchemaIdException ? "schema id "
                        + framed.schemaId() + " is unknown to the registry: " + e.getMessage() : e.getMessage(), null);
            } catch (SerializationException e) {
                return bad(DeadLetterReason.UNDECODABLE, e.getMessage(), null);
            }
            readers.putIfAbsent(framed.schemaId(), reader);
        }
        GenericRecord record;
        ByteBuffer body = framed.body();
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(body.array(),
                body.arrayOffset() + body.position(), body.remaining(), null);
        try {
            record = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                return bad(DeadLetterReason.UNDECODABLE, "trailing bytes after the Review (schema id "
                        + framed.schemaId() + ")", null);
            }
        } catch (IOException | RuntimeException e) {
            return bad(DeadLetterReason.UNDECODABLE, "not a Review under writer schema id " + framed.schemaId()
                    + ": " + e, null);
        }
        return toReview(record);
    }

    private Decoded toReview(GenericRecord record) {
        String id;
        String text;
        String label;
        String domain;
        try {
            id = strict(record.get("id"), "id");
            text = strict(record.get("text"), "text");
            label = strict(record.get("label"), "label");
            domain = strict(record.get("domain"), "domain");
        } catch (CharacterCodingException e) {
            String readableId = record.get("id") == null ? null : record.get("id").toString();
            return bad(DeadLetterReason.INVALID_UTF8, e.getMessage(), readableId);
        }
        Review review = Review.newBuilder()
                .setId(id)
                .setText(text)
                .setRating((Integer) record.get("rating"))
                .setLabel(label)
                .setDomain(domain)
                .setEventTime(Instant.ofEpochMilli((Long) record.get("eventTime")))
                .build();
        return new Ok(review);
    }

    private static String strict(Object value, String field) throws CharacterCodingException {
        if (value == null) {
            return null;
        }
        Utf8 utf8 = (Utf8) value;
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8.getBytes(), 0, utf8.getByteLength()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new CharacterCodingException() {
                private static final long serialVersionUID = 1L;

                @Override
                public String getMessage() {
                    return "field '" + field + "' is not valid UTF-8 (" + utf8.getByteLength() + " bytes)";
                }
            };
        }
    }

    private GenericDatumReader<GenericRecord> readerFor(int schemaId) {
        Schema writer = registry.schemaById(schemaId);
        var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(READER, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new SerializationException("writer schema id " + schemaId + " (" + writer.getFullName()
                    + ") cannot be read as a Review: " + compatibility.getDescription());
        }
        return new GenericDatumReader<>(writer, READER);
    }

    private static Decoded bad(DeadLetterReason reason, String detail, String id) {
        return new Bad(new Rejection(reason, detail, id));
    }
}
