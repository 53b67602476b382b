package dev.sentiflow.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sentiflow.modeldata.weights.DType;
import dev.sentiflow.modeldata.weights.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/** Weight files' tensors ({@link HostTensor}) as DJL arrays and back: the one crossing between them. */
public final class NdTensors {

    private NdTensors() {}

    /**
     * An array in {@code manager} with memory of its own: DJL aliases a direct buffer it is given,
     * so the bytes are first copied into one that only the array references.
     */
    public static NDArray toNd(NDManager manager, HostTensor t) {
        ByteBuffer copy = ByteBuffer.allocateDirect(t.data().remaining()).order(ByteOrder.nativeOrder());
        ByteBuffer src = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            copy.put(src);
        } else {
            throw new UnsupportedOperationException("big-endian machines are not supported");
        }
        copy.flip();
        return manager.create(copy, new Shape(t.dims()), DataType.valueOf(t.type().name()));
    }

    public static Map<String, NDArray> toNd(NDManager manager, Map<String, HostTensor> tensors) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            NDArray a = toNd(manager, t);
            a.setName(name);
            out.put(name, a);
        });
        return out;
    }

    /** A copy of an array's elements, read back from its device. */
    public static HostTensor toHost(NDArray a) {
        ByteBuffer data = a.toByteBuffer(false).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).order(ByteOrder.LITTLE_ENDIAN).put(data).flip();
        return new HostTensor(DType.valueOf(a.getDataType().name()), a.getShape().getShape(), copy);
    }

    public static Map<String, HostTensor> toHost(Map<String, NDArray> arrays) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        arrays.forEach((name, a) -> out.put(name, toHost(a)));
        return out;
    }
}
