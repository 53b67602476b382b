package dev.sentiflow.model.checkpoint;

import dev.sentiflow.modeldata.weights.HfNames;

import java.util.Optional;

/**
 * Canonical names to and from the names PEFT gives tensors in {@code adapter_model.safetensors}:
 * {@code base_model.model.} + the module path in the HF task model, with the adapter name
 * dropped ({@code ...query.lora_A.weight}) and saved head modules under their plain name.
 */
final class PeftNames {

    private static final String ROOT = "base_model.model.";

    private PeftNames() {}

    /** BERT task models keep the head outside {@code bert.}; the encoder and pooler inside it. */
    static String toPeft(String canonical, boolean distilBert) {
        if (canonical.startsWith("classifier.") || canonical.startsWith("cls.")) {
            return ROOT + canonical;
        }
        if (distilBert) {
            return ROOT + "distilbert." + HfNames.toDistilBert(canonical);
        }
        return ROOT + "bert." + canonical;
    }

    /** Canonical name for a PEFT tensor name, tolerating the in-memory forms with adapter names. */
    static Optional<String> fromPeft(String peft) {
        if (!peft.startsWith(ROOT)) {
            return Optional.empty();
        }
        String n = peft.substring(ROOT.length())
                .replace(".modules_to_save.default.", ".")
                .replace(".lora_A.default.", ".lora_A.")
                .replace(".lora_B.default.", ".lora_B.");
        return HfNames.canonical(n);
    }
}
