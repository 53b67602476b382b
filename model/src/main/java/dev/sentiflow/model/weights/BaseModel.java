package dev.sentiflow.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sentiflow.modeldata.config.BertConfig;
import dev.sentiflow.modeldata.weights.BaseWeights;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;

/**
 * A pretrained encoder ready to build DJL models on: a {@link BaseWeights} (config, canonical weights,
 * tokenizer, base hash) with its weights as arrays. Checkpoints record the hash, and inference
 * refuses a checkpoint trained on another base.
 *
 * <p>Owns the native memory of its arrays; close it when no model needs to load from it any more
 * (models copy the weights into their own parameters).
 */
public final class BaseModel implements AutoCloseable {

    private final BaseWeights base;
    private final Map<String, NDArray> weights;
    private final NDManager manager;

    /** The arrays of {@code base}'s weights in a sub-manager of {@code parent}, closed with this model. */
    public static BaseModel of(NDManager parent, BaseWeights base) {
        NDManager sub = parent.newSubManager();
        try {
            return new BaseModel(base, NdTensors.toNd(sub, base.weights()), sub);
        } catch (RuntimeException e) {
            sub.close();
            throw e;
        }
    }

    private BaseModel(BaseWeights base, Map<String, NDArray> weights, NDManager manager) {
        this.base = base;
        this.weights = Collections.unmodifiableMap(weights);
        this.manager = manager;
    }

    /** The id it was resolved from: {@code minilm}, {@code bert-base}, or a directory path. */
    public String id() {
        return base.id();
    }

    public BertConfig config() {
        return base.config();
    }

    /** Canonical name to array. */
    public Map<String, NDArray> weights() {
        return weights;
    }

    /** The {@code tokenizer.json} of a user directory; empty for bases using the bundled tokenizer. */
    public Optional<Path> tokenizerJson() {
        return base.tokenizerJson();
    }

    /** Opens this base's tokenizer. */
    public TextTokenizer openTokenizer(int maxLength) {
        return base.openTokenizer(maxLength);
    }

    /** sha-256 (hex) of the canonical tensors: the same on every machine. */
    public String baseHash() {
        return base.baseHash();
    }

    /** A copy of this base cut to its first {@code n} layers (tests, quick experiments). */
    public BaseModel firstLayers(int n) {
        return of(manager.getParentManager(), base.firstLayers(n));
    }

    /** See {@link BaseWeights#selectLayers}. */
    public BaseModel selectLayers(String newId, int... layers) {
        return of(manager.getParentManager(), base.selectLayers(newId, layers));
    }

    @Override
    public void close() {
        manager.close();
    }
}
