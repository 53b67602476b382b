package dev.sentiflow.inference.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.sentiflow.modeldata.onnx.BertOnnxGraph;
import dev.sentiflow.modeldata.weights.FloatTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One version's graph inputs (its LoRA adapters and head) as ONNX Runtime tensors over direct
 * buffers: built once when the version is loaded, then fed to every batch it scores without a copy.
 * Closing frees them; the owner does so after the last batch that read them.
 */
public final class VersionInputs implements AutoCloseable {

    private final Map<String, OnnxTensor> tensors;
    private final long bytes;

    private VersionInputs(Map<String, OnnxTensor> tensors, long bytes) {
        this.tensors = tensors;
        this.bytes = bytes;
    }

    /**
     * @param wanted every input the graph takes per version, with its dims
     * @param values a value for each, of exactly those dims
     */
    public static VersionInputs of(Map<String, long[]> wanted, Map<String, FloatTensor> values) {
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        long bytes = 0;
        try {
            for (Map.Entry<String, long[]> input : wanted.entrySet()) {
                FloatTensor value = values.get(input.getKey());
                if (value == null) {
                    throw new IllegalArgumentException("no value for the graph input " + input.getKey());
                }
                if (!Arrays.equals(value.dims(), input.getValue())) {
                    throw new IllegalArgumentException(input.getKey() + " has dims " + Arrays.toString(value.dims())
                            + " but the graph takes " + Arrays.toString(input.getValue()));
                }
                FloatBuffer direct = ByteBuffer.allocateDirect(value.data().length * Float.BYTES)
                        .order(ByteOrder.nativeOrder()).asFloatBuffer();
                direct.put(value.data()).rewind();
                tensors.put(input.getKey(), OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), direct,
                        value.dims()));
                bytes += (long) value.data().length * Float.BYTES;
            }
        } catch (OrtException | RuntimeException e) {
            tensors.values().forEach(OnnxTensor::close);
            throw e instanceof RuntimeException r ? r : new IllegalStateException("ONNX Runtime refused a tensor", e);
        }
        return new VersionInputs(Collections.unmodifiableMap(tensors), bytes);
    }

    public Map<String, OnnxTensor> tensors() {
        return tensors;
    }

    /** How many tensors the version feeds. */
    public int count() {
        return tensors.size();
    }

    /** Bytes of those tensors: what serving this version costs on top of its session. */
    public long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        tensors.values().forEach(OnnxTensor::close);
    }
}
