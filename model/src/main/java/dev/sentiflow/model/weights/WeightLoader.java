package dev.sentiflow.model.weights;

import dev.sentiflow.modeldata.weights.WeightFileException;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import dev.sentiflow.model.infer.NoGradient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Copies named tensors into a model's named parameters, checking every shape. */
public final class WeightLoader {

    private static final NDIndex ALL = new NDIndex("...");

    private WeightLoader() {}

    /**
     * Copies each tensor whose name matches a parameter. A shape mismatch is an error naming the
     * tensor and both shapes; missing and unexpected names are returned for the caller to judge.
     *
     * <p>Must run outside any gradient collector: the copy is an in-place write into the
     * parameter array, which keeps its gradient attachment.
     */
    public static LoadReport load(Map<String, Parameter> params, Map<String, NDArray> tensors, String source) {
        List<String> loaded = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            NDArray src = tensors.get(e.getKey());
            if (src == null) {
                missing.add(e.getKey());
                continue;
            }
            NDArray dst = e.getValue().getArray();
            if (!dst.getShape().equals(src.getShape())) {
                throw new WeightFileException(source, "tensor '" + e.getKey() + "' has shape "
                        + src.getShape() + " but the model expects " + dst.getShape()
                        + (e.getKey().startsWith("classifier.") ? " (a head for a different number of labels?)"
                                : " (a checkpoint for a different model size?)"));
            }
            copyInto(dst, src);
            loaded.add(e.getKey());
        }
        for (String name : tensors.keySet()) {
            if (!params.containsKey(name)) {
                unexpected.add(name);
            }
        }
        return new LoadReport(source, loaded, missing, unexpected);
    }

    /**
     * In-place copy, converting dtype and device as needed. Runs with gradient recording off: libtorch
     * refuses an in-place write into a parameter that requires a gradient while recording, and every
     * thread but the engine's starts recording (a trainer or Streams thread would fail here).
     */
    public static void copyInto(NDArray dst, NDArray src) {
        NoGradient.run(() -> {
            if (src.getDataType() == dst.getDataType() && src.getDevice().equals(dst.getDevice())) {
                dst.set(ALL, src);
                return;
            }
            try (NDManager scratch = NDManager.newBaseManager(dst.getDevice())) {
                dst.set(ALL, stageFor(dst, src, scratch));
            }
        });
    }

    /**
     * A copy of {@code src} in {@code dst}'s dtype and on its device, owned by {@code manager}, with
     * memory of its own: what {@link #copyInto} then writes without reading {@code src} again, and what
     * a served version keeps after the checkpoint it was decoded from is freed.
     *
     * <p>Not {@code toType(sameType, true)}: DJL's PyTorch engine ignores {@code copy} and libtorch
     * returns the same tensor, so the "copy" aliased {@code src}. A tensor decoded from safetensors
     * lives in a direct ByteBuffer that only its own NDArray keeps reachable; once that array is closed,
     * the next garbage collection freed the memory under the alias, and every version served since read
     * garbage (NaN or near-random predictions, at a time set by the GC).
     */
    public static NDArray stageFor(NDArray dst, NDArray src, NDManager manager) {
        NDArray s = src.getDataType() == dst.getDataType() ? src.duplicate() : src.toType(dst.getDataType(), false);
        s.attach(manager);
        if (!s.getDevice().equals(dst.getDevice())) {
            NDArray moved = s.toDevice(dst.getDevice(), false); // another device: always a copy
            moved.attach(manager);
            s = moved;
        }
        return s;
    }
}
