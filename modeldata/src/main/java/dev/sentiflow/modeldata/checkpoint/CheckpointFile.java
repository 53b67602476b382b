package dev.sentiflow.modeldata.checkpoint;

import dev.sentiflow.modeldata.config.LoraConfig;
import dev.sentiflow.modeldata.weights.HostTensor;
import dev.sentiflow.modeldata.weights.Safetensors;
import dev.sentiflow.modeldata.weights.WeightFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checkpoint as safetensors bytes: an adapter (LoRA A/B plus the head modules trained whole) or a
 * full model, with {@link CheckpointMetadata} in the header. Decoded without an engine; the trainer
 * turns the tensors into its model's parameters, inference into its graph's inputs. Both accept
 * exactly what {@link #verify} accepts.
 */
public record CheckpointFile(CheckpointMetadata metadata, Map<String, HostTensor> tensors) {

    /** Parses checkpoint bytes; {@code source} names them in errors. */
    public static CheckpointFile decode(byte[] bytes, String source) {
        Safetensors.Contents c;
        try {
            c = Safetensors.decode(bytes, source);
        } catch (WeightFileException e) {
            throw new CheckpointException(source, e.getMessage(), e);
        }
        return new CheckpointFile(CheckpointMetadata.fromMap(c.metadata(), source), c.tensors());
    }

    /** The bytes of a checkpoint of these tensors (in map order) and metadata. */
    public static byte[] encode(Map<String, HostTensor> tensors, CheckpointMetadata metadata) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("the model has no tensors for a " + metadata.kind() + " checkpoint");
        }
        return Safetensors.encode(tensors, metadata.toMap());
    }

    /** The model's tensors that a checkpoint of this kind holds, in model order. */
    public static <T> Map<String, T> select(Map<String, T> named, CheckpointKind kind, Optional<LoraConfig> lora) {
        if (kind == CheckpointKind.FULL) {
            return named;
        }
        LoraConfig config = lora.orElseThrow(() -> new IllegalArgumentException("an adapter needs a LoRA config"));
        Map<String, T> out = new LinkedHashMap<>();
        named.forEach((name, p) -> {
            if (LoraConfig.isLoraParameter(name) || config.savesModuleOf(name)) {
                out.put(name, p);
            }
        });
        return out;
    }

    /**
     * Throws unless a checkpoint fits a model: the model's whole {@link ModelIdentity} (base,
     * tokenizer, labels and their order, max length, LoRA rank/alpha/targets/head modules), every
     * name known to the model, every tensor of the model's checkpoint set present, every shape equal.
     *
     * @param tensorDims the checkpoint's tensors' dims by name
     * @param modelDims every parameter of the model (LoRA included where it has LoRA) by name
     */
    public static void verify(CheckpointMetadata meta, Map<String, long[]> tensorDims, Map<String, long[]> modelDims,
            ModelIdentity expected, String source) {
        expected.check(meta, source);
        Map<String, long[]> wanted = select(modelDims, meta.kind(), meta.lora());
        List<String> unknown = new ArrayList<>();
        for (String name : tensorDims.keySet()) {
            if (!wanted.containsKey(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new CheckpointException(source, "tensors unknown to this model " + unknown
                    + " (different LoRA targets or architecture?)");
        }
        List<String> missing = new ArrayList<>();
        wanted.forEach((name, dims) -> {
            long[] t = tensorDims.get(name);
            if (t == null) {
                missing.add(name);
            } else if (!Arrays.equals(t, dims)) {
                throw new CheckpointException(source, "tensor '" + name + "' has shape " + shape(t)
                        + " but the model expects " + shape(dims)
                        + (name.startsWith("classifier.") ? " (different number of labels?)" : ""));
            }
        });
        if (!missing.isEmpty()) {
            throw new CheckpointException(source, "lacks tensors " + missing);
        }
    }

    /** Dims as DJL prints a shape, {@code (2, 384)}, so messages read as they always did. */
    private static String shape(long[] dims) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            b.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return b.append(')').toString();
    }
}
