package dev.sentiflow.modeldata.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor in Java memory, as a weight file holds it: element type, dims, and the elements'
 * little-endian row-major bytes. What weight files and checkpoints decode to without an engine;
 * the training side turns it into its own arrays.
 *
 * @param data exactly {@code elements() * type.bytes()} bytes, from position 0
 */
public record HostTensor(DType type, long[] dims, ByteBuffer data) {

    public HostTensor {
        long expected = elements(dims) * type.bytes();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("a " + type + " tensor of dims " + Arrays.toString(dims) + " needs "
                    + expected + " bytes, got " + data.remaining());
        }
        data = data.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A float32 tensor of these values (copied). */
    public static HostTensor of(float[] values, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new HostTensor(DType.FLOAT32, dims.clone(), b);
    }

    public static HostTensor of(FloatTensor t) {
        return of(t.data(), t.dims());
    }

    public long elements() {
        return elements(dims);
    }

    /** The elements as float32: widened from half precision, narrowed from float64, converted from integers. */
    public float[] toFloats() {
        int n = Math.toIntExact(elements());
        float[] out = new float[n];
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FLOAT32 -> b.asFloatBuffer().get(out);
            case FLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = halfToFloat(b.getShort(i * 2));
                }
            }
            case BFLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                }
            }
            case FLOAT64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(i * 8);
                }
            }
            case INT64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getLong(i * 8);
                }
            }
            case INT32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt(i * 4);
                }
            }
            case INT8, BOOLEAN -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i);
                }
            }
            case UINT8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i) & 0xff;
                }
            }
        }
        return out;
    }

    /** As a float32 tensor. */
    public FloatTensor toFloatTensor() {
        return new FloatTensor(dims.clone(), toFloats());
    }

    /** IEEE 754 binary16 to float (JDK 17 has no Float.float16ToFloat). */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float value = mantissa * 0x1p-24f; // subnormal (or zero)
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** How many elements a tensor of these dims has; negative dims and overflow are refused. */
    static long elements(long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
