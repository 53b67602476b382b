package dev.sentiflow.modeldata.weights;


/** Transposes 2-D [in, out] matrices (ONNX MatMul, TF kernels) to PyTorch's [out, in]. */
final class Transpose {

    private Transpose() {}

    static FloatTensor of(FloatTensor t) {
        if (t.dims().length != 2) {
            throw new IllegalArgumentException("only 2-D tensors can be transposed, got " + t.dims().length + "-D");
        }
        int rows = (int) t.dims()[0];
        int cols = (int) t.dims()[1];
        float[] src = t.data();
        float[] dst = new float[src.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                dst[c * rows + r] = src[r * cols + c];
            }
        }
        return new FloatTensor(new long[] {cols, rows}, dst);
    }
}
