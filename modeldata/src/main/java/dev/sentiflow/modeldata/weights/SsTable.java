package dev.sentiflow.modeldata.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads every key/value of an uncompressed LevelDB-format table (the format of TensorFlow's
 * checkpoint {@code .index} files): footer with the index block handle, index block entries pointing
 * at data blocks, prefix-compressed entries in each block.
 */
final class SsTable {

    private static final int FOOTER = 48;
    private static final long MAGIC = 0xdb4775248b80fb57L;
    private static final int TRAILER = 5;

    private SsTable() {}

    static Map<String, byte[]> read(byte[] table, String source) {
        ByteBuffer b = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
        if (table.length < FOOTER || b.getLong(table.length - 8) != MAGIC) {
            throw new WeightFileException(source, "not a TensorFlow checkpoint index (bad table magic)");
        }
        b.position(table.length - FOOTER);
        readVarint(b, source); // metaindex offset
        readVarint(b, source); // metaindex size
        long indexOffset = readVarint(b, source);
        long indexSize = readVarint(b, source);
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> handle : block(table, indexOffset, indexSize, source).entrySet()) {
            ByteBuffer h = ByteBuffer.wrap(handle.getValue());
            long offset = readVarint(h, source);
            long size = readVarint(h, source);
            out.putAll(block(table, offset, size, source));
        }
        return out;
    }

    private static Map<String, byte[]> block(byte[] table, long offset, long size, String source) {
        if (offset < 0 || size < 4 || offset + size + TRAILER > table.length) {
            throw new WeightFileException(source, "checkpoint index block [" + offset + ", +" + size
                    + ") lies outside the file (truncated?)");
        }
        if (table[(int) (offset + size)] != 0) {
            throw new WeightFileException(source, "checkpoint index block is compressed; only uncompressed "
                    + "tables (TensorFlow's default for checkpoints) are supported");
        }
        ByteBuffer b = ByteBuffer.wrap(table, (int) offset, (int) size).slice().order(ByteOrder.LITTLE_ENDIAN);
        int restarts = b.getInt((int) size - 4);
        int end = (int) size - 4 - 4 * restarts;
        Map<String, byte[]> out = new LinkedHashMap<>();
        byte[] key = new byte[0];
        while (b.position() < end) {
            int shared = (int) readVarint(b, source);
            int nonShared = (int) readVarint(b, source);
            int valueLength = (int) readVarint(b, source);
            byte[] next = new byte[shared + nonShared];
            System.arraycopy(key, 0, next, 0, shared);
            b.get(next, shared, nonShared);
            byte[] value = new byte[valueLength];
            b.get(value);
            key = next;
            out.put(new String(key, StandardCharsets.UTF_8), value);
        }
        return out;
    }

    static long readVarint(ByteBuffer b, String source) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!b.hasRemaining()) {
                throw new WeightFileException(source, "truncated varint in checkpoint index");
            }
            byte x = b.get();
            result |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return result;
            }
        }
        throw new WeightFileException(source, "malformed varint in checkpoint index");
    }
}
