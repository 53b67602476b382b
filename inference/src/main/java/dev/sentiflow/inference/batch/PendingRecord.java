package dev.sentiflow.inference.batch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An input record waiting in the changelogged pending store for its batch: the original key and
 * value bytes (so a dead letter can carry them), its timestamp and where it was read. Kept as the
 * original bytes rather than decoded, so the store holds exactly what the topic held.
 */
record PendingRecord(byte[] key, byte[] value, long timestamp, int partition, long offset) {

    private static final byte FORMAT = 1;

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(timestamp);
            out.writeInt(partition);
            out.writeLong(offset);
            writeBytes(out, key);
            writeBytes(out, value);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    static PendingRecord decode(byte[] stored) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new IllegalStateException("pending record in unknown format " + format);
            }
            long timestamp = in.readLong();
            int partition = in.readInt();
            long offset = in.readLong();
            return new PendingRecord(readBytes(in), readBytes(in), timestamp, partition, offset);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt pending record", e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) {
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        return length < 0 ? null : in.readNBytes(length);
    }
}
