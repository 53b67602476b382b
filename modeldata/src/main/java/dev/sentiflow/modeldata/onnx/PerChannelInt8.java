package dev.sentiflow.modeldata.onnx;

/**
 * A linear layer's weight quantized to int8 per output channel, symmetric: each output's row of the
 * {@code [out, in]} matrix gets its own scale (its largest magnitude / 127), so one large weight
 * costs precision only in its own output. Stored transposed, {@code [in, out]} row-major, as
 * {@code com.microsoft.DynamicQuantizeMatMul} takes its B with one scale per column.
 *
 * @param values {@code [in, out]} row-major
 * @param scales one per output, {@code value * scale} is the weight
 */
public record PerChannelInt8(byte[] values, float[] scales, int in, int out) {

    /** Quantizes a row-major {@code [out, in]} weight. */
    public static PerChannelInt8 of(float[] weight, int out, int in) {
        if ((long) out * in != weight.length) {
            throw new IllegalArgumentException("a [" + out + ", " + in + "] weight holds " + ((long) out * in)
                    + " values, got " + weight.length);
        }
        byte[] values = new byte[weight.length];
        float[] scales = new float[out];
        for (int o = 0; o < out; o++) {
            float largest = 0;
            for (int i = 0; i < in; i++) {
                largest = Math.max(largest, Math.abs(weight[o * in + i]));
            }
            // An all-zero row: any scale is exact; 1 keeps it finite.
            float scale = largest == 0 ? 1f : largest / 127f;
            scales[o] = scale;
            for (int i = 0; i < in; i++) {
                long q = Math.round(weight[o * in + i] / scale);
                values[i * out + o] = (byte) Math.max(-127, Math.min(127, q));
            }
        }
        return new PerChannelInt8(values, scales, in, out);
    }

    /** The weight this stands for, {@code [out, in]} row-major, for checking the error. */
    public float[] dequantized() {
        float[] w = new float[values.length];
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) {
                w[o * in + i] = values[i * out + o] * scales[o];
            }
        }
        return w;
    }
}
