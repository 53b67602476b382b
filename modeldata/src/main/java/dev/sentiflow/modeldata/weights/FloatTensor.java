package dev.sentiflow.modeldata.weights;

/** A float32 weight: dims and row-major values. */
public record FloatTensor(long[] dims, float[] data) {

    /** All zeros, of these dims. */
    public static FloatTensor zeros(long... dims) {
        return new FloatTensor(dims.clone(), new float[Math.toIntExact(HostTensor.elements(dims))]);
    }
}
