package dev.sentiflow.modeldata.weights;

/**
 * The element types a weight file may hold. The constant names are part of the base hash
 * ({@link TensorHash}) and are DJL's {@code DataType} names, so hashes taken before this enum
 * existed stay valid.
 */
public enum DType {
    FLOAT32("F32", 4),
    FLOAT16("F16", 2),
    BFLOAT16("BF16", 2),
    FLOAT64("F64", 8),
    INT64("I64", 8),
    INT32("I32", 4),
    INT8("I8", 1),
    UINT8("U8", 1),
    BOOLEAN("BOOL", 1);

    private final String safetensorsName;
    private final int bytes;

    DType(String safetensorsName, int bytes) {
        this.safetensorsName = safetensorsName;
        this.bytes = bytes;
    }

    /** The name in a safetensors header ({@code F32}, {@code BF16}, ...). */
    public String safetensorsName() {
        return safetensorsName;
    }

    public int bytes() {
        return bytes;
    }

    /** The type a safetensors header names, if it is one of these. */
    public static java.util.Optional<DType> ofSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.safetensorsName.equals(name)) {
                return java.util.Optional.of(t);
            }
        }
        return java.util.Optional.empty();
    }
}
