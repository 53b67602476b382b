package dev.sentiflow.modeldata.checkpoint;

import dev.sentiflow.modeldata.config.BertConfig;
import dev.sentiflow.modeldata.config.LoraConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every parameter of a BERT sequence classifier, by canonical (Hugging Face) name, with its dims,
 * derived from the config alone: what a checkpoint must match when no model is built to ask (the
 * DJL model's own parameters are the same, a test in model checks it). LoRA A is [r, in] and B is
 * [out, r] on every targeted projection.
 */
public final class ClassifierLayout {

    private ClassifierLayout() {}

    public static Map<String, long[]> of(BertConfig config, Optional<LoraConfig> lora, int numLabels) {
        long h = config.hiddenSize();
        long inter = config.intermediateSize();
        Map<String, long[]> out = new LinkedHashMap<>();
        out.put("embeddings.word_embeddings.weight", new long[] {config.vocabSize(), h});
        out.put("embeddings.position_embeddings.weight", new long[] {config.maxPositions(), h});
        if (config.typeVocabSize() > 0) {
            out.put("embeddings.token_type_embeddings.weight", new long[] {config.typeVocabSize(), h});
        }
        norm(out, "embeddings.LayerNorm", h);
        for (int i = 0; i < config.numLayers(); i++) {
            String p = "encoder.layer." + i + ".";
            linear(out, lora, p, "attention.self.query", h, h);
            linear(out, lora, p, "attention.self.key", h, h);
            linear(out, lora, p, "attention.self.value", h, h);
            linear(out, lora, p, "attention.output.dense", h, h);
            norm(out, p + "attention.output.LayerNorm", h);
            linear(out, lora, p, "intermediate.dense", h, inter);
            linear(out, lora, p, "output.dense", inter, h);
            norm(out, p + "output.LayerNorm", h);
        }
        out.put("pooler.dense.weight", new long[] {h, h});
        out.put("pooler.dense.bias", new long[] {h});
        out.put("classifier.weight", new long[] {numLabels, h});
        out.put("classifier.bias", new long[] {numLabels});
        return out;
    }

    private static void linear(Map<String, long[]> out, Optional<LoraConfig> lora, String layer, String projection,
            long in, long outDim) {
        String p = layer + projection;
        out.put(p + ".weight", new long[] {outDim, in});
        out.put(p + ".bias", new long[] {outDim});
        if (lora.isPresent() && lora.get().targets(projection)) {
            out.put(p + ".lora_A.weight", new long[] {lora.get().r(), in});
            out.put(p + ".lora_B.weight", new long[] {outDim, lora.get().r()});
        }
    }

    private static void norm(Map<String, long[]> out, String prefix, long h) {
        out.put(prefix + ".weight", new long[] {h});
        out.put(prefix + ".bias", new long[] {h});
    }
}
