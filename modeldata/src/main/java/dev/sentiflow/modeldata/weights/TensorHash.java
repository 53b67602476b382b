package dev.sentiflow.modeldata.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The identity of a set of weights: SHA-256 over the tensors themselves, not over a file. Files of
 * the same weights differ by machine (header order, metadata, padding), and a trainer and an
 * inference instance that converted their caches separately must still agree on the base they
 * share, or every adapter would be refused.
 *
 * <p>Canonical form, tensors in name order (UTF-16 code-unit order of the names): for each, the
 * UTF-8 name, the dtype name, the rank and each dimension, then the element bytes in little-endian
 * row-major order. Every variable-length part is length-prefixed, so no two tensor sets share a
 * byte stream.
 */
public final class TensorHash {

    private TensorHash() {}

    /** Lower-case hex SHA-256 of the canonical form of {@code tensors}. */
    public static String of(Map<String, HostTensor> tensors) {
        MessageDigest md = sha256();
        ByteBuffer word = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, HostTensor> e : new TreeMap<>(tensors).entrySet()) {
            HostTensor t = e.getValue();
            bytes(md, word, e.getKey().getBytes(StandardCharsets.UTF_8));
            bytes(md, word, t.type().name().getBytes(StandardCharsets.UTF_8));
            long[] dims = t.dims();
            number(md, word, dims.length);
            for (long d : dims) {
                number(md, word, d);
            }
            ByteBuffer data = t.data().duplicate();
            number(md, word, data.remaining());
            md.update(data);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void bytes(MessageDigest md, ByteBuffer word, byte[] b) {
        number(md, word, b.length);
        md.update(b);
    }

    private static void number(MessageDigest md, ByteBuffer word, long n) {
        word.clear();
        word.putLong(n).flip();
        md.update(word);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without SHA-256", e);
        }
    }
}
