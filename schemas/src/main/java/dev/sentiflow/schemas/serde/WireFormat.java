package dev.sentiflow.schemas.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's wire format: magic byte 0, the writer schema's registry id as a big-endian int, then
 * the Avro binary body. Any Confluent-compatible client reads and writes exactly this.
 */
public final class WireFormat {

    public static final byte MAGIC = 0;
    public static final int HEADER_SIZE = 5;

    /** A framed message split into its schema id and Avro body. */
    public record Framed(int schemaId, ByteBuffer body) {
    }

    private WireFormat() {
    }

    public static byte[] frame(int schemaId, byte[] avroBody) {
        return ByteBuffer.allocate(HEADER_SIZE + avroBody.length).put(MAGIC).putInt(schemaId).put(avroBody).array();
    }

    /** Splits a framed message; a message that is not in the wire format gets a message saying how. */
    public static Framed unframe(String topic, byte[] message) {
        if (message == null) {
            throw new SerializationException("null value on topic " + topic + " cannot be Avro-decoded");
        }
        if (message.length < HEADER_SIZE) {
            throw new SerializationException("message on topic " + topic + " has " + message.length
                    + " bytes, fewer than the 5-byte Confluent header (magic byte + schema id)");
        }
        if (message[0] != MAGIC) {
            throw new SerializationException(String.format(
                    "message on topic %s is not in the Confluent wire format: first byte is 0x%02x, expected 0x00",
                    topic, message[0]));
        }
        ByteBuffer buffer = ByteBuffer.wrap(message);
        buffer.get();
        int id = buffer.getInt();
        return new Framed(id, buffer.slice());
    }
}
