package dev.sentiflow.modeldata.weights;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the tensor names of BERT-family checkpoints to the one canonical layout the encoder
 * uses ({@code embeddings.*}, {@code encoder.layer.N.*}, {@code pooler.*}, {@code cls.predictions.*},
 * {@code classifier.*}). DistilBERT is a naming of the same network, so it maps here rather than
 * getting a second model class.
 */
public final class HfNames {

    private static final Pattern DISTIL_LAYER = Pattern.compile("transformer\\.layer\\.(\\d+)\\.(.+)");
    private static final Pattern CANONICAL_LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\.(.+)");

    /** DistilBERT layer-relative name to BERT layer-relative name (prefix match). */
    private static final Map<String, String> DISTIL_TO_BERT = new LinkedHashMap<>();

    static {
        DISTIL_TO_BERT.put("attention.q_lin.", "attention.self.query.");
        DISTIL_TO_BERT.put("attention.k_lin.", "attention.self.key.");
        DISTIL_TO_BERT.put("attention.v_lin.", "attention.self.value.");
        DISTIL_TO_BERT.put("attention.out_lin.", "attention.output.dense.");
        DISTIL_TO_BERT.put("sa_layer_norm.", "attention.output.LayerNorm.");
        DISTIL_TO_BERT.put("ffn.lin1.", "intermediate.dense.");
        DISTIL_TO_BERT.put("ffn.lin2.", "output.dense.");
        DISTIL_TO_BERT.put("output_layer_norm.", "output.LayerNorm.");
    }

    private HfNames() {}

    /**
     * Canonical name for a checkpoint name, or empty for tensors that are not weights of ours
     * (buffers such as {@code position_ids}, decoder weights tied to the word embeddings).
     */
    public static Optional<String> canonical(String name) {
        String n = name;
        if (n.endsWith("position_ids") || n.equals("cls.predictions.decoder.weight")
                || n.equals("vocab_projector.weight")) {
            return Optional.empty(); // buffers, and decoders tied to the word embeddings
        }
        if (n.equals("cls.predictions.decoder.bias")) {
            return Optional.of("cls.predictions.bias"); // the same tensor as cls.predictions.bias, saved under either name
        }
        if (n.startsWith("bert.")) {
            n = n.substring("bert.".length());
        } else if (n.startsWith("distilbert.")) {
            n = n.substring("distilbert.".length());
        }
        // Old TF-converted checkpoints name LayerNorm parameters gamma/beta.
        if (n.contains("LayerNorm.")) {
            n = n.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias");
        }
        Matcher m = DISTIL_LAYER.matcher(n);
        if (m.matches()) {
            String rest = m.group(2);
            for (Map.Entry<String, String> e : DISTIL_TO_BERT.entrySet()) {
                if (rest.startsWith(e.getKey())) {
                    return Optional.of("encoder.layer." + m.group(1) + "." + e.getValue()
                            + rest.substring(e.getKey().length()));
                }
            }
            return Optional.of(n);
        }
        if (n.startsWith("vocab_transform.")) {
            return Optional.of("cls.predictions.transform.dense." + n.substring("vocab_transform.".length()));
        }
        if (n.startsWith("vocab_layer_norm.")) {
            return Optional.of("cls.predictions.transform.LayerNorm." + n.substring("vocab_layer_norm.".length()));
        }
        if (n.equals("vocab_projector.bias")) {
            return Optional.of("cls.predictions.bias");
        }
        return Optional.of(n);
    }

    /** DistilBERT name (without the {@code distilbert.} prefix) for a canonical encoder name. */
    public static String toDistilBert(String canonical) {
        Matcher m = CANONICAL_LAYER.matcher(canonical);
        if (!m.matches()) {
            return canonical;
        }
        String rest = m.group(2);
        for (Map.Entry<String, String> e : DISTIL_TO_BERT.entrySet()) {
            if (rest.startsWith(e.getValue())) {
                return "transformer.layer." + m.group(1) + "." + e.getKey() + rest.substring(e.getValue().length());
            }
        }
        return canonical;
    }

    /** Rewrites every name of a checkpoint; drops the tensors {@link #canonical} drops. */
    public static <T> Map<String, T> canonicalize(Map<String, T> tensors) {
        Map<String, T> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> canonical(k).ifPresent(c -> out.put(c, v)));
        return out;
    }
}
