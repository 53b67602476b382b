package dev.sentiflow.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class WireFormatTest {

    @Test
    void framesWithMagicByteAndBigEndianId() {
        byte[] framed = WireFormat.frame(0x01020304, new byte[] {9, 8});
        assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 9, 8}, framed);
        WireFormat.Framed back = WireFormat.unframe("t", framed);
        assertEquals(0x01020304, back.schemaId());
        ByteBuffer body = back.body();
        assertEquals(2, body.remaining());
        assertEquals(9, body.get());
    }

    @Test
    void rejectsWrongMagicByteNamingTheTopic() {
        SerializationException e = assertThrows(SerializationException.class,
                () -> WireFormat.unframe("reviews", new byte[] {'{', '"', 'i', 'd', '"', ':'}));
        assertTrue(e.getMessage().contains("reviews") && e.getMessage().contains("0x7b"), e.getMessage());
    }

    @Test
    void rejectsTruncatedHeader() {
        SerializationException e = assertThrows(SerializationException.class,
                () -> WireFormat.unframe("reviews", new byte[] {0, 0, 1}));
        assertTrue(e.getMessage().contains("3 bytes"), e.getMessage());
    }
}
