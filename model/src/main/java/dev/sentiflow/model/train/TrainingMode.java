package dev.sentiflow.model.train;

import java.util.Locale;

/** Which weights a fine-tune updates. */
public enum TrainingMode {
    /** Every encoder weight plus the head. */
    FULL,
    /** Only the LoRA A/B matrices and the new head (pooler + classifier); the encoder stays frozen. */
    LORA;

    public static TrainingMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mode must be 'lora' or 'full', got '" + text + "'", e);
        }
    }
}
