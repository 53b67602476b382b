package dev.sentiflow.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.sentiflow.model.bert.HfBlock;
import dev.sentiflow.model.lora.LoraConfig;
import dev.sentiflow.model.lora.LoraLinear;
import dev.sentiflow.model.lora.LoraModules;
import dev.sentiflow.model.weights.Safetensors;
import dev.sentiflow.model.weights.WeightFileException;
import dev.sentiflow.model.weights.WeightLoader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checkpoints as safetensors bytes: an adapter (LoRA A/B plus the head modules trained whole) or
 * a full model, with {@link CheckpointMetadata} in the header. Applying one first checks that it
 * was trained as a model of this model's {@link ModelIdentity}, and that its names and shapes are
 * exactly the model's, so a bad checkpoint fails before any weight is touched.
 */
public final class CheckpointCodec {

    private CheckpointCodec() {}

    /** The model's tensors that a checkpoint of this kind holds, in model order. */
    public static Map<String, Parameter> select(Map<String, Parameter> named, CheckpointKind kind,
            Optional<LoraConfig> lora) {
        if (kind == CheckpointKind.FULL) {
            return named;
        }
        LoraConfig config = lora.orElseThrow(() -> new IllegalArgumentException("an adapter needs a LoRA config"));
        Map<String, Parameter> out = new LinkedHashMap<>();
        named.forEach((name, p) -> {
            if (LoraModules.isLoraParameter(name) || LoraModules.isSavedModule(name, config)) {
                out.put(name, p);
            }
        });
        return out;
    }

    /** Encodes the model's checkpoint of {@code metadata.kind()}. LoRA layers are read unmerged. */
    public static byte[] encode(HfBlock model, CheckpointMetadata metadata) {
        List<LoraLinear> merged = unmergeAll(model);
        try {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            select(model.namedParameters(), metadata.kind(), metadata.lora())
                    .forEach((name, p) -> tensors.put(name, p.getArray()));
            if (tensors.isEmpty()) {
                throw new IllegalArgumentException("the model has no tensors for a " + metadata.kind() + " checkpoint");
            }
            return Safetensors.encode(tensors, metadata.toMap());
        } finally {
            merged.forEach(LoraLinear::merge);
        }
    }

    /** Parses checkpoint bytes; arrays are created in {@code manager}. */
    public static Checkpoint decode(NDManager manager, byte[] bytes, String source) {
        Safetensors.Contents c;
        try {
            c = Safetensors.decode(manager, bytes, source);
        } catch (WeightFileException e) {
            throw new CheckpointException(source, e.getMessage(), e);
        }
        return new Checkpoint(CheckpointMetadata.fromMap(c.metadata(), source), c.tensors());
    }

    /**
     * Throws unless the checkpoint fits: the model's whole {@link ModelIdentity} (base, tokenizer,
     * labels and their order, max length, LoRA rank/alpha/targets/head modules), every name known to
     * the model, every tensor of the model's checkpoint set present, every shape equal.
     */
    public static void verify(Checkpoint checkpoint, HfBlock model, ModelIdentity expected, String source) {
        CheckpointMetadata meta = checkpoint.metadata();
        expected.check(meta, source);
        Map<String, Parameter> wanted = select(model.namedParameters(), meta.kind(), meta.lora());
        List<String> unknown = new ArrayList<>();
        for (String name : checkpoint.tensors().keySet()) {
            if (!wanted.containsKey(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new CheckpointException(source, "tensors unknown to this model " + unknown
                    + " (different LoRA targets or architecture?)");
        }
        List<String> missing = new ArrayList<>();
        wanted.forEach((name, p) -> {
            NDArray t = checkpoint.tensors().get(name);
            if (t == null) {
                missing.add(name);
            } else if (!t.getShape().equals(p.getShape())) {
                throw new CheckpointException(source, "tensor '" + name + "' has shape " + t.getShape()
                        + " but the model expects " + p.getShape()
                        + (name.startsWith("classifier.") ? " (different number of labels?)" : ""));
            }
        });
        if (!missing.isEmpty()) {
            throw new CheckpointException(source, "lacks tensors " + missing);
        }
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
