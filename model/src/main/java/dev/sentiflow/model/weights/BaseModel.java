package dev.sentiflow.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sentiflow.model.bert.BertConfig;
import dev.sentiflow.text.tokenizer.TextTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * A pretrained encoder ready to build models on: its config, its weights under canonical
 * Hugging Face names, its tokenizer, and a hash that names these exact weights. Checkpoints
 * record the hash, and inference refuses a checkpoint trained on another base.
 *
 * <p>Owns the native memory of its weights; close it when no model needs to load from it any more
 * (models copy the weights into their own parameters).
 */
public final class BaseModel implements AutoCloseable {

    private final String id;
    private final BertConfig config;
    private final Map<String, NDArray> weights;
    private final Path tokenizerJson;
    private final String baseHash;
    private final NDManager manager;

    /**
     * @param tokenizerJson a {@code tokenizer.json}, or null for the bundled bert-base-uncased one
     * @param manager owns the weight arrays; closed with this base
     */
    public BaseModel(String id, BertConfig config, Map<String, NDArray> weights, Path tokenizerJson,
            String baseHash, NDManager manager) {
        this.id = id;
        this.config = config;
        this.weights = Collections.unmodifiableMap(weights);
        this.tokenizerJson = tokenizerJson;
        this.baseHash = baseHash;
        this.manager = manager;
    }

    /** The id it was resolved from: {@code minilm}, {@code bert-base}, or a directory path. */
    public String id() {
        return id;
    }

    public BertConfig config() {
        return config;
    }

    /** Canonical name to tensor. */
    public Map<String, NDArray> weights() {
        return weights;
    }

    /** The {@code tokenizer.json} of a user directory; empty for bases using the bundled tokenizer. */
    public Optional<Path> tokenizerJson() {
        return Optional.ofNullable(tokenizerJson);
    }

    /** Opens this base's tokenizer. */
    public TextTokenizer openTokenizer(int maxLength) {
        if (tokenizerJson == null) {
            return TextTokenizer.bundled(maxLength);
        }
        try {
            return TextTokenizer.fromFile(tokenizerJson, maxLength);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    /** sha-256 (hex) of the canonical tensors ({@link TensorHash}): the same on every machine. */
    public String baseHash() {
        return baseHash;
    }

    /** A copy of this base cut to its first {@code n} layers (tests, quick experiments). */
    public BaseModel firstLayers(int n) {
        return selectLayers(id + "@" + n + "layers", IntStream.range(0, n).toArray());
    }

    /**
     * A shallower base made of the given layers of this one, renumbered 0..k-1, as DistilBERT's
     * student was initialised from BERT-base layers 0,2,4,6,8,10. Its hash is that of its own
     * tensors, like every base's.
     */
    public BaseModel selectLayers(String newId, int... layers) {
        for (int l : layers) {
            if (l < 0 || l >= config.numLayers()) {
                throw new IllegalArgumentException(id + " has layers 0.." + (config.numLayers() - 1) + ", not " + l);
            }
        }
        NDManager sub = manager.getParentManager().newSubManager();
        Map<String, NDArray> kept = new LinkedHashMap<>();
        weights.forEach((name, w) -> {
            Optional<Integer> layer = LayerNames.layerOf(name);
            if (layer.isEmpty()) {
                kept.put(name, copyInto(w, sub));
            }
            for (int i = 0; i < layers.length; i++) {
                if (layer.isPresent() && layer.get() == layers[i]) {
                    kept.put(LayerNames.withLayer(name, i), copyInto(w, sub));
                }
            }
        });
        return new BaseModel(newId, config.withLayers(layers.length), kept, tokenizerJson, TensorHash.of(kept), sub);
    }

    private static NDArray copyInto(NDArray w, NDManager m) {
        NDArray copy = w.duplicate();
        copy.attach(m);
        return copy;
    }

    @Override
    public void close() {
        manager.close();
    }
}
