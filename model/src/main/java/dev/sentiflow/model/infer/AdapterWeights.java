package dev.sentiflow.model.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.sentiflow.model.bert.HfBlock;
import dev.sentiflow.model.checkpoint.Checkpoint;
import dev.sentiflow.model.checkpoint.CheckpointKind;
import dev.sentiflow.model.lora.LoraModules;
import dev.sentiflow.model.weights.WeightLoader;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One model version's own tensors for a shared serving block: for each parameter the version
 * carries (LoRA A/B and the head for an adapter; every tensor for a full checkpoint), the array to
 * use instead of the block's. Everything else (the base encoder) is read from the block, so many
 * versions share one copy of the base. Immutable once built; the arrays belong to the manager given
 * to {@link #stage}, which the owner closes when no forward uses the version any more.
 */
public final class AdapterWeights {

    private static final AdapterWeights NONE = new AdapterWeights(Map.of(), 0);

    private final Map<Parameter, NDArray> arrays;
    private final long bytes;

    private AdapterWeights(Map<Parameter, NDArray> arrays, long bytes) {
        this.arrays = arrays;
        this.bytes = bytes;
    }

    /** No tensors of its own: the block's parameters as they are (the base with the block's head). */
    public static AdapterWeights none() {
        return NONE;
    }

    /**
     * Copies a checkpoint's tensors, converted to each parameter's dtype and device, into
     * {@code into}. The checkpoint must already have passed
     * {@link dev.sentiflow.model.checkpoint.CheckpointCodec#verify}; its own arrays are not kept, so
     * the caller may close the manager it was decoded into. The block is only read.
     */
    public static AdapterWeights stage(HfBlock block, Checkpoint verified, NDManager into) {
        Map<String, Parameter> named = block.namedParameters();
        Map<Parameter, NDArray> arrays = new IdentityHashMap<>();
        long bytes = 0;
        for (Map.Entry<String, NDArray> e : verified.tensors().entrySet()) {
            Parameter p = named.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' is not a parameter of the block; verify "
                        + "the checkpoint before staging it");
            }
            NDArray staged = WeightLoader.stageFor(p.getArray(), e.getValue(), into);
            arrays.put(p, staged);
            bytes += staged.getShape().size() * staged.getDataType().getNumOfBytes();
        }
        return new AdapterWeights(Collections.unmodifiableMap(arrays), bytes);
    }

    /**
     * A full checkpoint written by a model without LoRA layers has no A/B tensors, while the serving
     * block has them. Zeros are exact there: the LoRA path adds {@code scale * (x A^T) B^T}, nothing
     * when B is zero. Returns the checkpoint with zero A/B added for every LoRA parameter it lacks
     * (in {@code manager}); any other checkpoint unchanged.
     */
    public static Checkpoint withZeroLora(Checkpoint checkpoint, HfBlock block, NDManager manager) {
        if (checkpoint.metadata().kind() != CheckpointKind.FULL) {
            return checkpoint;
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>(checkpoint.tensors());
        block.namedParameters().forEach((name, p) -> {
            if (LoraModules.isLoraParameter(name) && !tensors.containsKey(name)) {
                Shape shape = p.getShape() != null ? p.getShape() : p.getArray().getShape();
                tensors.put(name, manager.zeros(shape, p.getArray().getDataType()));
            }
        });
        return new Checkpoint(checkpoint.metadata(), tensors);
    }

    /** The version's array for {@code parameter}, or null when the block's own is used. */
    public NDArray get(Parameter parameter) {
        return arrays.get(parameter);
    }

    /** How many arrays this version holds of its own. */
    public int arrayCount() {
        return arrays.size();
    }

    /** Native bytes of those arrays: what serving this version costs on top of the shared block. */
    public long bytes() {
        return bytes;
    }
}
