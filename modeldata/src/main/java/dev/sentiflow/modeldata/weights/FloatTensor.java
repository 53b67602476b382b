package dev.sentiflow.modeldata.weights;

/** A float32 weight: dims and row-major values. */
public record FloatTensor(long[] dims, float[] data) {}
