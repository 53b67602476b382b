package dev.sentiflow.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.sentiflow.model.bert.HfBlock;
import dev.sentiflow.model.lora.LoraLinear;
import dev.sentiflow.model.lora.LoraModules;
import dev.sentiflow.model.weights.NdTensors;
import dev.sentiflow.model.weights.WeightLoader;
import dev.sentiflow.modeldata.checkpoint.CheckpointFile;
import dev.sentiflow.modeldata.checkpoint.CheckpointMetadata;
import dev.sentiflow.modeldata.checkpoint.ModelIdentity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checkpoints ({@link CheckpointFile}) of a DJL model: encoded from its parameters, decoded into
 * arrays, and applied. Applying one first checks that it was trained as a model of this model's
 * {@link ModelIdentity}, and that its names and shapes are exactly the model's, so a bad checkpoint
 * fails before any weight is touched.
 */
public final class CheckpointCodec {

    private CheckpointCodec() {}

    /** Encodes the model's checkpoint of {@code metadata.kind()}. LoRA layers are read unmerged. */
    public static byte[] encode(HfBlock model, CheckpointMetadata metadata) {
        List<LoraLinear> merged = unmergeAll(model);
        try {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            CheckpointFile.select(model.namedParameters(), metadata.kind(), metadata.lora())
                    .forEach((name, p) -> tensors.put(name, p.getArray()));
            return CheckpointFile.encode(NdTensors.toHost(tensors), metadata);
        } finally {
            merged.forEach(LoraLinear::merge);
        }
    }

    /** Parses checkpoint bytes; arrays are created in {@code manager}. */
    public static Checkpoint decode(NDManager manager, byte[] bytes, String source) {
        CheckpointFile file = CheckpointFile.decode(bytes, source);
        return new Checkpoint(file.metadata(), NdTensors.toNd(manager, file.tensors()));
    }

    /** {@link CheckpointFile#verify} against the model's own parameters. */
    public static void verify(Checkpoint checkpoint, HfBlock model, ModelIdentity expected, String source) {
        Map<String, long[]> dims = new LinkedHashMap<>();
        checkpoint.tensors().forEach((name, t) -> dims.put(name, t.getShape().getShape()));
        CheckpointFile.verify(checkpoint.metadata(), dims, dimsOf(model.namedParameters()), expected, source);
    }

    /** Every parameter's dims by name. */
    public static Map<String, long[]> dimsOf(Map<String, Parameter> named) {
        Map<String, long[]> out = new LinkedHashMap<>();
        named.forEach((name, p) -> out.put(name, (p.getShape() != null ? p.getShape() : p.getArray().getShape())
                .getShape()));
        return out;
    }

    /**
     * Verifies, then writes the tensors into the model's parameters; merged LoRA layers stay merged.
     * All-or-nothing: every tensor is first converted to its parameter's dtype and device aside, so
     * a failure (a bad tensor, out of memory) leaves the model as it was; only then are the
     * parameters overwritten. Not safe against a forward running at the same time on another
     * thread: serving swaps whole models by reference instead.
     */
    public static void apply(Checkpoint checkpoint, HfBlock model, ModelIdentity expected, String source) {
        verify(checkpoint, model, expected, source);
        Map<String, Parameter> named = model.namedParameters();
        try (NDManager staging = NDManager.newBaseManager(firstDevice(named))) {
            Map<String, NDArray> staged = new LinkedHashMap<>();
            checkpoint.tensors().forEach((name, t) -> staged.put(name, WeightLoader.stageFor(named.get(name).getArray(),
                    t, staging)));
            List<LoraLinear> merged = unmergeAll(model);
            try {
                staged.forEach((name, t) -> WeightLoader.copyInto(named.get(name).getArray(), t));
            } finally {
                merged.forEach(LoraLinear::merge);
            }
        }
    }

    private static ai.djl.Device firstDevice(Map<String, Parameter> named) {
        return named.values().iterator().next().getArray().getDevice();
    }

    private static List<LoraLinear> unmergeAll(HfBlock model) {
        List<LoraLinear> merged = LoraModules.find(model).stream().filter(LoraLinear::isMerged).toList();
        merged.forEach(LoraLinear::unmerge);
        return merged;
    }

}
